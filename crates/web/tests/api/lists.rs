//! Lists page, filter and order within the caller's own households; a coordinator sees the
//! caseload per professional and assigns from the queue.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{family, spawn_app, TestApp};
use crate::pages::{hidden, page_html, sign_in_as};

/// The list with a query, as (status, X-Total-Count, body).
pub(crate) async fn list(app: &TestApp, token: &str, query: &str) -> (StatusCode, i64, Value) {
    let r = app
        .client
        .get(format!("{}/api/v1/households?mine=true{query}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let total = r
        .headers()
        .get("x-total-count")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    (r.status(), total, r.json().await.unwrap_or(Value::Null))
}

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["id"].as_str().map(str::to_owned))
        .collect()
}

async fn register(app: &TestApp, token: &str, name: &str, urgency: &str) -> String {
    let mut body = family(name, None);
    body["urgency"] = json!(urgency);
    let (status, created) = app.post(token, "/api/v1/registrations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn lists_filter_and_order_within_the_callers_own_households() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let example = app.example_household.clone();
    let jansen = register(&app, &anne, "Jansen", "soon").await;
    let bakker = register(&app, &anne, "Bakker", "urgent").await;

    // Own households first, then the queue with the urgent one before the other.
    let (status, total, all) = list(&app, &anne, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let order = ids(&all);
    assert_eq!(total, order.len() as i64);
    let at = |list: &[String], id: &str| list.iter().position(|x| x == id).unwrap_or(usize::MAX);
    assert!(at(&order, &example) < at(&order, &bakker), "{order:?}");
    assert!(
        at(&order, &bakker) < at(&order, &jansen),
        "urgent first: {order:?}"
    );
    let own_then_queue: Vec<bool> = all
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["my_role"].is_null())
        .collect();
    assert!(own_then_queue.windows(2).all(|w| w[0] <= w[1]), "{all}");

    let all_have = |body: &Value, field: &str, value: &Value| {
        body.as_array()
            .into_iter()
            .flatten()
            .all(|h| &h[field] == value)
    };
    let (_, total, urgent) = list(&app, &anne, "&urgency=urgent").await;
    assert!(
        ids(&urgent).contains(&bakker) && !ids(&urgent).contains(&jansen),
        "{urgent}"
    );
    assert!(all_have(&urgent, "urgency", &json!("urgent")), "{urgent}");
    assert_eq!(total, ids(&urgent).len() as i64);

    let (_, total, queue) = list(&app, &anne, "&regisseur=none&sort=oldest").await;
    let queue_ids = ids(&queue);
    assert_eq!(total, queue_ids.len() as i64);
    assert!(
        at(&queue_ids, &jansen) < at(&queue_ids, &bakker),
        "oldest first: {queue_ids:?}"
    );
    assert!(!queue_ids.contains(&example), "{queue_ids:?}");
    assert!(all_have(&queue, "regisseur", &Value::Null), "{queue}");
    assert_eq!(queue[at(&queue_ids, &jansen)]["waiting_days"], 0, "{queue}");
    assert!(queue[0]["team_revision"].as_i64().is_some(), "{queue}");
    let (_, _, newest) = list(&app, &anne, "&regisseur=none&sort=newest").await;
    assert!(
        at(&ids(&newest), &bakker) < at(&ids(&newest), &jansen),
        "{newest}"
    );
    let (_, _, mine) = list(&app, &anne, "&regisseur=me").await;
    assert!(
        ids(&mine).contains(&example) && !ids(&mine).contains(&jansen),
        "{mine}"
    );
    assert!(
        all_have(&mine, "waiting_days", &Value::Null),
        "only the unassigned wait"
    );
    let (_, _, by_name) = list(&app, &anne, "&regisseur=anne").await;
    assert_eq!(ids(&by_name), ids(&mine));
    let (_, total, nobody) = list(&app, &anne, "&regisseur=niemand").await;
    assert_eq!((ids(&nobody), total), (Vec::<String>::new(), 0));

    let (_, _, exploring) = list(&app, &anne, "&phase=exploring").await;
    assert!(ids(&exploring).contains(&example), "{exploring}");
    assert!(
        all_have(&exploring, "status", &json!("exploring")),
        "{exploring}"
    );
    let (_, _, not_assessed) = list(&app, &anne, "&safety=not_assessed").await;
    for id in [&example, &jansen, &bakker] {
        assert!(
            ids(&not_assessed).contains(id),
            "nobody assessed safety yet"
        );
    }
    let (status, _) = app
        .put(
            &anne,
            &format!("/api/v1/households/{example}/intake"),
            &json!({"safety_level": "zorgen"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, total, worries) = list(&app, &anne, "&safety=zorgen").await;
    assert!(ids(&worries).contains(&example), "{worries}");
    assert!(
        all_have(&worries, "safety_level", &json!("zorgen")),
        "{worries}"
    );
    assert_eq!(total, ids(&worries).len() as i64);
    let (_, _, not_assessed) = list(&app, &anne, "&safety=not_assessed").await;
    assert!(!ids(&not_assessed).contains(&example), "{not_assessed}");

    // Due: a goal to look back on today puts the household on the "due" list.
    let (_, _, due) = list(&app, &anne, "&due=true").await;
    assert!(!ids(&due).contains(&example), "nothing due yet: {due}");
    let today = crate::helpers::today();
    let (status, saved) = app
        .put(
            &anne,
            &format!("/api/v1/households/{example}/plan"),
            &json!({"goals": [{"text": "Rust in huis", "result": "Geen ruzie", "evaluate_on": today}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, total, due) = list(&app, &anne, "&due=true").await;
    assert_eq!((ids(&due), total), (vec![example.clone()], 1));

    // Paging goes on within the filter.
    let (_, total, first) = list(&app, &anne, "&regisseur=none&sort=oldest&limit=1").await;
    let (_, _, second) = list(&app, &anne, "&regisseur=none&sort=oldest&limit=1&offset=1").await;
    assert_eq!(total, queue_ids.len() as i64);
    assert_eq!(
        [ids(&first), ids(&second)].concat(),
        queue_ids[..2].to_vec()
    );

    // Another team's professional does not get these households by filtering.
    let bram = app.token("bram").await;
    let (_, _, elsewhere) = list(&app, &bram, "&regisseur=none").await;
    for id in [&example, &jansen, &bakker] {
        assert!(!ids(&elsewhere).contains(id), "{elsewhere}");
    }

    // A wrong filter is named; nothing is listed unfiltered instead.
    let (status, _, error) = list(&app, &anne, "&phase=bijna&sort=random&due=soms").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    for field in ["phase", "sort", "due"] {
        assert!(
            error["error"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
}

#[tokio::test]
async fn a_coordinator_sees_the_caseload_and_assigns_from_the_queue() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let jansen = register(&app, &anne, "Jansen", "soon").await;
    let chris = app.token("chris").await;

    let (status, caseload) = app.get(&chris, "/api/v1/team/caseload").await;
    assert_eq!(status, StatusCode::OK, "{caseload}");
    let count = |caseload: &Value, who: &str| {
        caseload
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["username"] == who)
            .map(|c| c["as_regisseur"].as_i64().unwrap_or(-1))
    };
    assert!(count(&caseload, "anne").unwrap_or(0) >= 1, "{caseload}");
    let dewi_before = count(&caseload, "dewi").unwrap_or(-1);
    assert!(dewi_before >= 0, "{caseload}");
    assert_eq!(
        count(&caseload, "bram"),
        None,
        "another team's professional is not listed"
    );
    let (status, _) = app.get(&anne, "/api/v1/team/caseload").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a professional does not count colleagues"
    );

    // The team page: the queue with its waiting time, and a choice of colleague per row.
    sign_in_as(&app, "chris").await;
    let page = page_html(&app, &format!("{}/team", app.base)).await;
    assert!(
        page.contains("Sanne Jansen"),
        "the queue holds the new registration"
    );
    assert!(page.contains("vandaag binnen"));
    let csrf = hidden(&page, "_csrf");
    let revision = hidden(&page, "revision");
    let assign = |revision: String| {
        let (client, url, csrf, id) = (
            app.client.clone(),
            format!("{}/team/toewijzen", app.base),
            csrf.clone(),
            jansen.clone(),
        );
        async move {
            client
                .post(url)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("household_id", id.as_str()),
                    ("regisseur", "dewi"),
                    ("revision", revision.as_str()),
                ])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let response = assign(revision.clone()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/team?toegewezen=1");
    let (_, household) = app
        .get(&chris, &format!("/api/v1/households/{jansen}"))
        .await;
    assert_eq!(household["trajectory"]["regisseur"], "dewi", "{household}");
    let (_, caseload) = app.get(&chris, "/api/v1/team/caseload").await;
    assert_eq!(
        count(&caseload, "dewi"),
        Some(dewi_before + 1),
        "{caseload}"
    );

    // Assigning again from the old page is a conflict, not a silent overwrite.
    let response = assign(revision).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_html(&app, &format!("{}/team", app.base)).await;
    assert!(!page.contains("Sanne Jansen"), "no longer waiting");

    // A professional has no team page.
    sign_in_as(&app, "anne").await;
    let response = app
        .client
        .get(format!("{}/team", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
