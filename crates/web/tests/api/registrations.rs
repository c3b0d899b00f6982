use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{family, spawn_app};

#[tokio::test]
async fn a_registration_creates_the_household_its_members_an_open_trajectory_and_journal_entries() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;

    let (household_id, created) = app
        .register_family(&anne, "Pietersen", Some("123456782"))
        .await;
    assert!(created["registration_id"].is_string());

    let (status, household) = app
        .get(&anne, &format!("/api/v1/households/{household_id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(household["address"]["postcode"], "7121 CD");
    assert_eq!(household["members"].as_array().map(Vec::len), Some(2));
    let sanne = &household["members"][0];
    assert_eq!(sanne["given_name"], "Sanne");
    assert_eq!(sanne["birth_date"], "1988-02-29");
    assert_eq!(sanne["relation"], "parent");
    assert_eq!(sanne["bsn"], "123456782");
    assert_eq!(household["registrations"][0]["route"], "huisarts");
    assert_eq!(
        household["registrations"][0]["referrer"]["organisation"],
        "Huisartsenpraktijk Aalten"
    );
    assert_eq!(household["trajectory"]["status"], "registered");
    assert_eq!(household["trajectory"]["regisseur"], Value::Null);
    assert_eq!(household["access"], "intake_queue");

    let (status, journal) = app
        .get(&anne, &format!("/api/v1/households/{household_id}/journal"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = journal
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "household.created",
            "trajectory.opened",
            "registration.created"
        ]
    );
    assert_eq!(journal[2]["actor"], "anne");
}

#[tokio::test]
async fn a_second_registration_for_the_same_household_reuses_its_open_trajectory() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (household_id, first) = app.register_family(&anne, "Pietersen", None).await;

    let (status, second) = app
        .post(
            &anne,
            "/api/v1/registrations",
            &json!({"route": "school", "question": "Joep verzuimt", "household_id": household_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["trajectory_id"], first["trajectory_id"]);
    let (_, household) = app
        .get(&anne, &format!("/api/v1/households/{household_id}"))
        .await;
    assert_eq!(household["registrations"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.counts().await.trajectories,
        3,
        "the story's, the example household's and this one"
    );
}

#[tokio::test]
async fn possible_duplicates_are_shown_and_never_merged() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (first_id, _) = app
        .register_family(&anne, "Pietersen", Some("123456782"))
        .await;
    let persons_before = app.counts().await.persons;

    // One BSN is one person: a second person with it is refused, and nothing is written…
    let before = app.counts().await;
    let (status, refused) = app
        .post(
            &anne,
            "/api/v1/registrations",
            &family("Pietersen", Some("123456782")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["fields"]["household.members[0].bsn"]
            .as_str()
            .or(refused["error"]["fields"]["members[0].bsn"].as_str()),
        Some("bsn_known"),
        "{refused}"
    );
    assert_eq!(app.counts().await, before);
    // …unless the professional confirms it is a separate record, which is logged.
    let mut confirmed = family("Pietersen", Some("123456782"));
    confirmed["household"]["members"][0]["confirm_bsn_known"] = json!(true);
    let (status, second) = app.post(&anne, "/api/v1/registrations", &confirmed).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second_id = second["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut raw = crate::helpers::raw_connection(&app.url).await;
    let (logged,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log WHERE action = 'bsn_known_confirmed' AND household_id = $1")
        .bind(&second_id)
        .fetch_one(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logged, 1);
    assert_ne!(first_id, second_id);
    let duplicates = second["possible_duplicates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let by_bsn: Vec<&Value> = duplicates
        .iter()
        .filter(|d| d["matched_on"] == "bsn")
        .collect();
    assert_eq!(by_bsn.len(), 1, "{second}");
    assert_eq!(
        by_bsn[0]["household_id"],
        first_id.as_str(),
        "anne may see the other household"
    );
    assert!(
        duplicates
            .iter()
            .any(|d| d["matched_on"] == "name_and_birth_date" && d["member_index"] == 1),
        "Joep matches on name and birth date: {second}"
    );
    assert_eq!(
        app.counts().await.persons,
        persons_before + 2,
        "new persons were created, nothing merged"
    );

    // A colleague of the same municipality who may not open the household learns only that
    // a match exists: no id, no name, no birth date.
    let bram = app.token("bram").await;
    let (status, found) = app
        .post(
            &bram,
            "/api/v1/registrations/duplicates",
            &family("Pietersen", Some("123456782")),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = found.as_array().cloned().unwrap_or_default();
    assert!(!found.is_empty());
    for d in &found {
        assert_eq!(d["visible"], false, "{d}");
        for field in [
            "household_id",
            "person_id",
            "given_name",
            "family_name",
            "birth_date",
        ] {
            assert!(d[field].is_null(), "{field} leaked: {d}");
        }
    }

    // Someone of another municipality finds nothing at all: candidates come only from the
    // caller's own municipality.
    let gert = app.token("gert").await;
    let (status, found) = app
        .post(
            &gert,
            "/api/v1/registrations/duplicates",
            &family("Pietersen", Some("123456782")),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        found,
        serde_json::json!([]),
        "no identity look-up across the region"
    );
}

#[tokio::test]
async fn every_identity_look_up_is_logged_with_its_purpose_and_rate_limited() {
    let app = crate::helpers::spawn_app_configured(
        spil_app::PolicySet::default_policy().unwrap_or_else(|e| panic!("{e}")),
        |config| config.limits.lookups_per_minute = 3,
    )
    .await;
    let bram = app.token("bram").await;
    for _ in 0..3 {
        let (status, _) = app
            .post(
                &bram,
                "/api/v1/registrations/duplicates",
                &family("Jansen", None),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let response = app
        .client
        .post(format!("{}/api/v1/registrations/duplicates", app.base))
        .bearer_auth(&bram)
        .json(&family("Jansen", None))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "too_many_lookups");
    // The limit holds for registering a new household too (the same look-up), while
    // another account is not affected.
    let (status, _) = app
        .post(&bram, "/api/v1/registrations", &family("Jansen", None))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let anne = app.token("anne").await;
    let (status, _) = app
        .post(
            &anne,
            "/api/v1/registrations/duplicates",
            &family("Jansen", None),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut raw = crate::helpers::raw_connection(&app.url).await;
    let (logged,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_log a JOIN users u ON u.id = a.user_id \
         WHERE u.username = 'bram' AND a.action = 'identity_lookup' AND a.purpose = 'duplicate_check'",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        logged, 3,
        "every look-up that ran is in the access log with its purpose"
    );
}

/// Each bad input gets its precise status and code, and nothing at all is written.
#[tokio::test]
async fn bad_input_gets_a_precise_error_and_writes_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let before = app.counts().await;

    let with = |mutate: &dyn Fn(&mut Value)| {
        let mut body = family("Pietersen", Some("123456782"));
        mutate(&mut body);
        body
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "invalid BSN",
            with(&|b| b["household"]["members"][0]["bsn"] = json!("123456789")),
            "members[0].bsn",
            "bsn_invalid",
        ),
        (
            "birth date in the future",
            with(&|b| b["household"]["members"][1]["birth_date"] = json!("2999-01-01")),
            "members[1].birth_date",
            "date_in_future",
        ),
        (
            "birth date before 1900",
            with(&|b| b["household"]["members"][0]["birth_date"] = json!("1899-12-31")),
            "members[0].birth_date",
            "date_before_1900",
        ),
        (
            "impossible date",
            with(&|b| b["household"]["members"][0]["birth_date"] = json!("2023-02-29")),
            "members[0].birth_date",
            "date_invalid",
        ),
        (
            "empty question",
            with(&|b| b["question"] = json!("   ")),
            "question",
            "required",
        ),
        (
            "unknown route",
            with(&|b| b["route"] = json!("brief")),
            "route",
            "unknown_value",
        ),
        (
            "unknown relation",
            with(&|b| b["household"]["members"][1]["relation"] = json!("cousin")),
            "members[1].relation",
            "unknown_value",
        ),
        (
            "unknown urgency",
            with(&|b| b["urgency"] = json!("asap")),
            "urgency",
            "unknown_value",
        ),
        (
            "household without members",
            with(&|b| b["household"]["members"] = json!([])),
            "household.members",
            "empty",
        ),
        (
            "bad postcode",
            with(&|b| b["household"]["address"]["postcode"] = json!("71")),
            "household.address.postcode",
            "postcode_invalid",
        ),
        (
            "bad buurt code",
            with(&|b| b["household"]["address"]["buurt_code"] = json!("WK019700")),
            "household.address.buurt_code",
            "buurt_code_invalid",
        ),
        (
            "no household",
            with(&|b| {
                b.as_object_mut()
                    .map(|o| o.remove("household"))
                    .map(drop)
                    .unwrap_or(())
            }),
            "household",
            "required",
        ),
    ];
    for (name, body, field, code) in cases {
        let (status, error) = app.post(&anne, "/api/v1/registrations", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {error}");
        assert_eq!(error["error"]["code"], "validation_failed", "{name}");
        assert_eq!(error["error"]["fields"][field], code, "{name}: {error}");
    }

    // A valid member in a household with one invalid member does not slip through.
    let (status, _) = app
        .post(
            &anne,
            "/api/v1/registrations",
            &with(&|b| b["household"]["members"][1]["bsn"] = json!("12")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Malformed JSON, a wrong type, an unknown field, and a body over 1 MiB.
    let raw = |body: String| {
        app.client
            .post(format!("{}/api/v1/registrations", app.base))
            .bearer_auth(&anne)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = raw("{\"route\": ".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.json::<Value>().await.unwrap_or_default()["error"]["code"],
        "malformed_json"
    );
    let wrong_type = raw(json!({"route": 5, "question": "x"}).to_string())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong_type.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong_type.json::<Value>().await.unwrap_or_default()["error"]["code"],
        "invalid_json"
    );
    let mut huge = family("Pietersen", None);
    huge["question"] = json!("x".repeat(1024 * 1024 + 10));
    let too_large = raw(huge.to_string())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_large.json::<Value>().await.unwrap_or_default()["error"]["code"],
        "payload_too_large"
    );

    assert_eq!(
        app.counts().await,
        before,
        "no household, person, registration, trajectory or journal entry was written"
    );
}

#[tokio::test]
async fn a_registration_for_a_household_one_may_not_see_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let bram = app.token("bram").await;
    let before = app.counts().await;
    let (status, error) = app
        .post(
            &bram,
            "/api/v1/registrations",
            &json!({"route": "self", "question": "hallo", "household_id": app.example_household}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    let (status, _) = app
        .post(
            &bram,
            "/api/v1/registrations",
            &json!({"route": "self", "question": "hallo", "household_id": "no-such-household"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn every_call_needs_a_valid_token() {
    let app = spawn_app().await;
    let id = &app.example_household;
    let calls: Vec<(reqwest::Method, String)> = vec![
        (reqwest::Method::POST, "/api/v1/registrations".into()),
        (reqwest::Method::GET, "/api/v1/households?mine=true".into()),
        (reqwest::Method::GET, format!("/api/v1/households/{id}")),
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{id}/team"),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{id}/status"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/households/{id}/journal"),
        ),
    ];
    for (method, path) in calls {
        for token in ["", "not-a-token", &"a".repeat(64)] {
            let (status, body) = app.send(method.clone(), token, &path, &json!({})).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {token:?}"
            );
            assert_eq!(body["error"]["code"], "unauthenticated");
        }
    }
    let (status, body) = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "anne", "password": "wrong"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "bad_credentials");
    let (status, _) = app
        .post(
            "",
            "/api/v1/auth/token",
            &json!({"username": "nobody", "password": "demo"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = spawn_app().await;
    let (status, doc) = app.get("", "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let expected = [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/registrations", "post"),
        ("/api/v1/households", "get"),
        ("/api/v1/households/{id}", "get"),
        ("/api/v1/households/{id}/team", "put"),
        ("/api/v1/households/{id}/status", "put"),
        ("/api/v1/households/{id}/journal", "get"),
        ("/api/v1/openapi.json", "get"),
    ];
    for (path, method) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["RegistrationInput"].is_object());
    // Every documented path really answers (not 404/405): the document and the router agree.
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in paths {
        for method in item
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let url = path.replace("{id}", &app.example_household);
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or(reqwest::Method::GET);
            let (status, _) = app.send(method.clone(), "", &url, &json!({})).await;
            assert!(
                status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {url}: {status}"
            );
        }
    }
}

#[tokio::test]
async fn a_child_can_live_in_two_households() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (mother, _) = app.register_family(&anne, "Pietersen", None).await;
    let (_, household) = app
        .get(&anne, &format!("/api/v1/households/{mother}"))
        .await;
    let joep = household["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["given_name"] == "Joep")
        .cloned()
        .unwrap_or_default();
    let joep_id = joep["person_id"].as_str().unwrap_or_default().to_owned();

    let father = |person_id: &str| {
        json!({
            "route": "self",
            "question": "Joep woont de helft van de week bij mij; ik wil graag meedenken.",
            "household": {
                "address": {"street": "Molenweg", "house_number": "21", "postcode": "7122 AA", "city": "Aalten"},
                "members": [
                    {"given_name": "Erik", "family_name": "de Boer", "birth_date": "1985-07-01", "relation": "parent", "parental_authority": true},
                    {"person_id": person_id, "relation": "child"}
                ]
            }
        })
    };
    let (status, created) = app
        .post(&anne, "/api/v1/registrations", &father(&joep_id))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let second = created["household_id"].as_str().unwrap_or_default();
    let (_, household) = app
        .get(&anne, &format!("/api/v1/households/{second}"))
        .await;
    assert!(household["members"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|m| m["person_id"] == joep_id.as_str() && m["relation"] == "child"));
    let (_, first) = app
        .get(&anne, &format!("/api/v1/households/{mother}"))
        .await;
    assert!(
        first["members"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m["person_id"] == joep_id.as_str()),
        "still in the first household"
    );

    // Only someone who may see the child's household can link the child; unknown ids are refused.
    let before = app.counts().await;
    let gert = app.token("gert").await;
    let mut in_winterswijk = father(&joep_id);
    in_winterswijk["household"]["address"] = json!({"street": "Misterweg", "house_number": "3", "postcode": "7101 AB", "city": "Winterswijk"});
    let (status, error) = app
        .post(&gert, "/api/v1/registrations", &in_winterswijk)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error["error"]["fields"]["members[1].person_id"],
        "not_allowed"
    );
    let (status, error) = app
        .post(&anne, "/api/v1/registrations", &father("no-such-person"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error["error"]["fields"]["members[1].person_id"],
        "unknown_value"
    );
    assert_eq!(app.counts().await, before);
}

/// Found by a newcomer: running the demo twice added its households twice.
#[tokio::test]
async fn running_the_demo_again_adds_only_the_missing_households() {
    let app = crate::helpers::spawn_app().await;
    let start = app.counts().await.households;
    let first = app
        .app
        .seed_demo(3, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after_first = app.counts().await.households;
    let again = app
        .app
        .seed_demo(3, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.counts().await.households, after_first);
    assert_eq!(again.households, 0);
    let more = app
        .app
        .seed_demo(5, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(more.households, 5 - first.total);
    assert_eq!(
        app.counts().await.households,
        after_first + i64::try_from(more.households).unwrap_or_default()
    );
    assert!(after_first >= start);
}
