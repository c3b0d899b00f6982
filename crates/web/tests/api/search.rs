//! Search: anyone the caller may see, by name (folded), birth date, BSN, postcode or street —
//! and nobody else; every search logged with the persons it showed.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{family, raw_connection, spawn_app, TestApp};

async fn search(app: &TestApp, token: &str, q: &str) -> (StatusCode, Value) {
    let q: String = q
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    app.get(token, &format!("/api/v1/search?q={q}")).await
}

fn names(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str().map(str::to_owned))
        .collect()
}

async fn register_ozturk(app: &TestApp, anne: &str) -> String {
    let mut body = family("Öztürk", Some("123456782"));
    body["household"]["members"][0]["name_prefix"] = json!(null);
    app.register_body(anne, &body).await
}

#[tokio::test]
async fn a_professional_finds_by_folded_name_birth_date_bsn_postcode_and_street() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let household = register_ozturk(&app, &anne).await;

    for (q, expected) in [
        ("ozturk", vec!["Joep Öztürk", "Sanne Öztürk"]),
        ("OZTÜRK sa", vec!["Sanne Öztürk"]),
        ("Sanne Oztu", vec!["Sanne Öztürk"]),
        ("29-02-1988", vec!["Sanne Öztürk"]),
        ("1988-02-29", vec!["Sanne Öztürk"]),
        ("123456782", vec!["Sanne Öztürk"]),
    ] {
        let (status, page) = search(&app, &anne, q).await;
        assert_eq!(status, StatusCode::OK, "{q}: {page}");
        let found = names(&page);
        for name in &expected {
            assert!(
                found.contains(&name.to_string()),
                "{q}: {name} in {found:?}"
            );
        }
        let ours: Vec<&Value> = page["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["household_id"] == household.as_str())
            .collect();
        assert_eq!(ours.len(), expected.len(), "{q}: {page}");
        assert!(ours.iter().all(|r| r["kind"] == "person"), "{q}: {page}");
        assert!(
            ours.iter()
                .all(|r| r["address"] == "Kerkstraat 4, 7121 CD Aalten"),
            "{q}: {page}"
        );
    }
    // A postcode (with or without space and house number) and a street find the household.
    for q in ["7121CD 4", "7121 cd", "kerkstr aalten"] {
        let (status, page) = search(&app, &anne, q).await;
        assert_eq!(status, StatusCode::OK, "{q}: {page}");
        assert!(
            page["results"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["kind"] == "household" && r["id"] == household.as_str()),
            "{q}: {page}"
        );
    }
    // Paging keeps the total.
    let (_, all) = app.get(&anne, "/api/v1/search?q=ozturk").await;
    let (_, second) = app
        .get(&anne, "/api/v1/search?q=ozturk&limit=1&offset=1")
        .await;
    assert_eq!(all["total"], 2, "{all}");
    assert_eq!(second["total"], 2, "{second}");
    assert_eq!(second["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["results"][0], all["results"][1]);
}

#[tokio::test]
async fn nobody_finds_a_household_they_may_not_open() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let household = register_ozturk(&app, &anne).await;
    // bram works in the same municipality in another team, gert in another municipality.
    for user in ["bram", "gert"] {
        let token = app.token(user).await;
        let (status, _) = app
            .get(&token, &format!("/api/v1/households/{household}"))
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{user} opens it: {status}"
        );
        for q in ["ozturk", "123456782", "7121 CD 4", "29-02-1988"] {
            let (status, page) = search(&app, &token, q).await;
            assert_eq!(status, StatusCode::OK, "{user} {q}: {page}");
            assert!(
                page["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|r| r["household_id"] != household.as_str()),
                "{user} finds it with {q}: {page}"
            );
        }
    }
    // The coordinator of anne's team finds it; the privacy officer and a partner search nothing.
    let chris = app.token("chris").await;
    let (_, page) = search(&app, &chris, "ozturk").await;
    assert_eq!(page["total"], 2, "{page}");
    for user in ["fatima", "ilse"] {
        let token = app.token(user).await;
        let (status, page) = search(&app, &token, "ozturk").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {page}");
    }
}

#[tokio::test]
async fn a_search_too_short_or_of_wildcards_is_refused_and_every_search_is_logged() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let household = register_ozturk(&app, &anne).await;
    for q in ["", "a", "*", "%%", "_?", " é "] {
        let (status, error) = search(&app, &anne, q).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {error}");
        assert_eq!(
            error["error"]["fields"]["q"], "search_too_short",
            "{q:?}: {error}"
        );
    }
    let (_, file) = app
        .get(&anne, &format!("/api/v1/households/{household}"))
        .await;
    let sanne = file["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["given_name"] == "Sanne")
        .and_then(|m| m["person_id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (status, _) = search(&app, &anne, "sanne").await;
    assert_eq!(status, StatusCode::OK);
    let mut raw = raw_connection(&app.url).await;
    let logged: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.action, p.basis FROM access_log_persons p JOIN users u ON u.id = p.user_id \
         WHERE u.username = 'anne' AND p.person_id = $1 AND p.action = 'search'",
    )
    .bind(&sanne)
    .fetch_all(&mut raw)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        logged,
        vec![("search".to_owned(), "own_households".to_owned())]
    );
}

/// A common name is looked for within the asker's reach instead of among all its matches in
/// the region (found at a million households: "jansen" took half a second). Both ways must
/// find exactly the same candidates.
#[tokio::test]
async fn a_common_name_found_from_the_askers_reach_gives_the_same_candidates() {
    use spil_store::search::{candidates_by, Reach, Strategy};
    let app = spawn_app().await;
    app.app
        .seed_demo(600, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut conn = app
        .app
        .store()
        .reader()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut found = 0;
    for username in ["anne", "gert", "chris"] {
        let (user_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let teams: Vec<(String,)> =
            sqlx::query_as("SELECT team_id FROM user_teams WHERE user_id = $1")
                .bind(&user_id)
                .fetch_all(&mut *conn)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        let municipalities: Vec<(String,)> = sqlx::query_as(
            "SELECT tm.municipality_id FROM user_teams ut JOIN team_municipalities tm ON tm.team_id = ut.team_id WHERE ut.user_id = $1",
        )
        .bind(&user_id)
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let teams: Vec<String> = teams.into_iter().map(|(t,)| t).collect();
        let municipalities: Vec<String> = municipalities.into_iter().map(|(m,)| m).collect();
        let reach = Reach {
            user_id: &user_id,
            team_ids: &teams,
            municipality_ids: &municipalities,
            now: spil_app::now_micros(),
        };
        for q in [
            "jansen",
            "de jong",
            "emma",
            "emma jansen",
            "kerkstraat",
            "aalten",
            "bas",
        ] {
            let query = spil_domain::search::Query::parse(q).unwrap_or_else(|e| panic!("{e:?}"));
            let mut ways = Vec::new();
            for strategy in [Strategy::TermsFirst, Strategy::ReachFirst, Strategy::Auto] {
                let hits = candidates_by(&mut conn, &query, &reach, 100_000, strategy)
                    .await
                    .unwrap_or_else(|e| panic!("{q}: {e}"));
                let mut keys: Vec<(Option<String>, String)> = hits
                    .into_iter()
                    .map(|h| (h.person_id, h.household_id))
                    .collect();
                keys.sort();
                ways.push(keys);
            }
            assert_eq!(
                ways[0], ways[1],
                "{username} {q}: terms first vs reach first"
            );
            assert_eq!(ways[0], ways[2], "{username} {q}: automatic");
            found += ways[0].len();
        }
    }
    assert!(
        found > 100,
        "the queries find something to compare: {found}"
    );
}
