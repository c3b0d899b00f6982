//! People, organisations and the controller: the postcode decides the municipality, moves
//! change it, households change composition, relations carry gezag per pair, and everything
//! about a person is answerable across their households.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{family, spawn_app, today, TestApp};

fn person_id(file: &Value, given_name: &str) -> String {
    file["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["given_name"] == given_name)
        .and_then(|m| m["person_id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["id"].as_str().map(str::to_owned))
        .collect()
}

async fn file(app: &TestApp, token: &str, household: &str) -> Value {
    app.get(token, &format!("/api/v1/households/{household}"))
        .await
        .1
}

#[tokio::test]
async fn the_controller_follows_the_address_and_addresses_outside_the_region_are_refused() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let gert = app.token("gert").await;
    let before = app.counts().await;
    let with_postcode = |postcode: &str| {
        let mut body = family("Vos", None);
        body["household"]["address"]["postcode"] = json!(postcode);
        body
    };
    // Amsterdam is not in the region; Winterswijk is, but anne's team does not serve it.
    for (token, postcode, code) in [
        (&anne, "1011 AB", "outside_region"),
        (&anne, "7101 AB", "not_served"),
        (&gert, "7121 AB", "not_served"),
    ] {
        let (status, error) = app
            .post(token, "/api/v1/registrations", &with_postcode(postcode))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{postcode}: {error}"
        );
        assert_eq!(
            error["error"]["fields"]["household.address.postcode"], code,
            "{postcode}: {error}"
        );
    }
    assert_eq!(app.counts().await, before, "nothing written");

    // gert's team serves Winterswijk: the household is Winterswijk's, with wijk and buurt
    // from the region's table, whatever the form said.
    let mut body = with_postcode("7103 CD");
    body["household"]["address"]["buurt_code"] = json!("BU01970099");
    let (status, created) = app.post(&gert, "/api/v1/registrations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let household = created["household_id"].as_str().unwrap_or_default();
    let view = file(&app, &gert, household).await;
    assert_eq!(view["municipality_id"], "gm0294");
    assert_eq!(view["municipality"], "Winterswijk");
    assert_eq!(view["wijk_code"], "WK029400");
    assert_eq!(view["address"]["buurt_code"], "BU02940003");
}

#[tokio::test]
async fn a_move_to_another_municipality_changes_the_controller_and_shows_on_both_lists() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let dewi = app.token("dewi").await;
    let gert = app.token("gert").await;
    let id = app.example_household.clone();
    let path = format!("/api/v1/households/{id}/address");
    let revision = file(&app, &anne, &id).await["revision"]
        .as_i64()
        .unwrap_or(0);
    let to = |postcode: &str, revision: Option<i64>| {
        json!({"street": "Misterweg", "house_number": "8", "postcode": postcode, "city": "Winterswijk",
               "moved_on": today(), "revision": revision})
    };
    let before = app.counts().await;
    let (status, error) = app.put(&anne, &path, &to("1011 AB", Some(revision))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["fields"]["postcode"], "outside_region");
    let (status, error) = app.put(&anne, &path, &to("7101 AB", None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "revision_required");
    let (status, error) = app
        .put(&anne, &path, &to("7101 AB", Some(revision - 1)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    // Handing the household to another controller is the regisseur's call, not a member's.
    let (status, error) = app.put(&dewi, &path, &to("7101 AB", Some(revision))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["error"]["fields"]["reason"], "not_regisseur");
    assert_eq!(app.counts().await, before, "nothing written");

    // A move within Aalten is an address change; the regisseur stays.
    let (status, moved) = app
        .put(
            &dewi,
            &path,
            &json!({"street": "Dijkstraat", "house_number": "2", "postcode": "7122 AB", "city": "Aalten",
                    "moved_on": today(), "revision": revision}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["municipality_id"], "gm0197");

    let (status, moved) = app
        .put(&anne, &path, &to("7101 AB", Some(revision + 1)))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["municipality_id"], "gm0294");
    // Aalten no longer sees the file; Winterswijk's front door has it in its queue.
    assert_eq!(
        app.get(&anne, &format!("/api/v1/households/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let view = file(&app, &gert, &id).await;
    assert_eq!(view["municipality_id"], "gm0294");
    assert_eq!(view["access"], "intake_queue");
    assert!(view["trajectory"]["regisseur"].is_null(), "{view}");
    let (_, list) = app.get(&gert, "/api/v1/households?mine=true").await;
    assert!(ids(&list).contains(&id), "{list}");
    let (_, list) = app.get(&anne, "/api/v1/households?mine=true").await;
    assert!(!ids(&list).contains(&id), "{list}");
    // The old team sees that it moved, and where to — not who lives there.
    let (_, moves) = app.get(&anne, "/api/v1/moves").await;
    assert_eq!(moves[0]["household_id"], id.as_str(), "{moves}");
    assert_eq!(moves[0]["to_municipality"], "Winterswijk");
    assert!(!moves.to_string().contains("Hendriks"));
    let (_, journal) = app
        .get(&gert, &format!("/api/v1/households/{id}/journal"))
        .await;
    let kinds: Vec<&str> = journal
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "household.moved").count(),
        2,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn members_join_and_leave_with_a_date_and_the_children_need_a_home() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let id = app.example_household.clone();
    let members = format!("/api/v1/households/{id}/members");
    let view = file(&app, &anne, &id).await;
    let (bas, ingrid) = (person_id(&view, "Bas"), person_id(&view, "Ingrid"));

    // A new person joins; a known person cannot join twice.
    let (status, added) = app
        .post(
            &anne,
            &members,
            &json!({"person": {"given_name": "Oma", "family_name": "Jansen", "birth_date": "1950-04-01"},
                    "relation": "other", "valid_from": today()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, error) = app
        .post(
            &anne,
            &members,
            &json!({"person_id": bas, "relation": "parent", "valid_from": today()}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    let before = app.counts().await;
    for (body, field, code) in [
        (
            json!({"relation": "other", "valid_from": today()}),
            "person_id",
            "one_of_two",
        ),
        (
            json!({"person_id": bas, "relation": "uncle", "valid_from": today()}),
            "relation",
            "unknown_value",
        ),
        (
            json!({"person_id": bas, "relation": "other", "valid_from": "2999-01-01"}),
            "valid_from",
            "date_in_future",
        ),
    ] {
        let (status, error) = app.post(&anne, &members, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }

    // Leaving needs a reason and a date not before joining.
    let leave = |person: &str| format!("{members}/{person}");
    for (body, field, code) in [
        (json!({"valid_to": today()}), "reason", "required"),
        (
            json!({"valid_to": "1990-01-01", "reason": "moved_out"}),
            "valid_to",
            "before_start",
        ),
    ] {
        let (status, error) = app.put(&anne, &leave(&bas), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }
    assert_eq!(
        app.counts().await.journal,
        before.journal,
        "nothing journalled"
    );
    let (status, _) = app
        .put(
            &anne,
            &leave(&bas),
            &json!({"valid_to": today(), "reason": "moved_out"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .put(
            &anne,
            &leave(added["person_id"].as_str().unwrap_or_default()),
            &json!({"valid_to": today(), "reason": "deceased"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Ingrid is the last adult: the children need a home first.
    let (status, error) = app
        .put(
            &anne,
            &leave(&ingrid),
            &json!({"valid_to": today(), "reason": "moved_out"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error["error"]["fields"]["children_household_id"],
        "children_need_home"
    );
    let (other, _) = app.register_family(&anne, "Hendriks", None).await;
    let (status, error) = app
        .put(
            &anne,
            &leave(&ingrid),
            &json!({"valid_to": today(), "reason": "moved_out", "children_household_id": other}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{error}");

    // History is kept: everyone is still listed, with the day they left and why.
    let view = file(&app, &anne, &id).await;
    let member = |name: &str| {
        view["members"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["given_name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(member("Bas")["valid_to"], today().as_str());
    assert_eq!(member("Milan")["valid_to"], today().as_str());
    let there = file(&app, &anne, &other).await;
    assert!(
        person_id(&there, "Milan") == person_id(&view, "Milan"),
        "{there}"
    );
    assert!(!person_id(&there, "Fenna").is_empty());
}

#[tokio::test]
async fn relations_carry_gezag_per_pair_and_bad_ones_are_refused() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let view = file(&app, &anne, &app.example_household).await;
    let (bas, milan) = (person_id(&view, "Bas"), person_id(&view, "Milan"));
    let person = format!("/api/v1/persons/{milan}");
    let (status, milan_view) = app.get(&anne, &person).await;
    assert_eq!(status, StatusCode::OK, "{milan_view}");
    // The registration's "gezag" became a relation per parent–child pair.
    let gezag: Vec<&str> = milan_view["representation"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["basis"] == "gezag")
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(gezag, ["Bas Hendriks", "Ingrid Hendriks"], "{milan_view}");

    let relations = format!("{person}/relations");
    let before = app.counts().await;
    let (status, org) = app
        .post(&anne, "/api/v1/organisations", &json!({"kind": "gecertificeerde_instelling", "name": "Jeugdbescherming Test", "agb": "12345678"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    let (status, school) = app
        .post(
            &anne,
            "/api/v1/organisations",
            &json!({"kind": "school", "name": "De Test", "brin": "99ZZ"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{school}");
    let before = app.counts().await.journal.max(before.journal);
    for (body, field, code) in [
        (
            json!({"kind": "ouder", "to_person_id": bas, "gezag": true, "valid_from": "2024-01-01"}),
            "valid_from",
            "overlapping_gezag",
        ),
        (
            json!({"kind": "ouder", "to_person_id": milan, "valid_from": "2024-01-01"}),
            "to_person_id",
            "self_relation",
        ),
        (
            json!({"kind": "mentor", "to_person_id": bas, "valid_from": "2024-01-01", "valid_to": "2023-01-01"}),
            "valid_to",
            "before_start",
        ),
        (
            json!({"kind": "grootouder", "to_person_id": bas, "gezag": true, "valid_from": "2024-01-01"}),
            "gezag",
            "gezag_not_for_relation",
        ),
        (
            json!({"kind": "voogd", "to_organisation_id": school["id"], "valid_from": "2024-01-01"}),
            "to_organisation_id",
            "not_allowed",
        ),
        (
            json!({"kind": "voogd", "to_person_id": bas, "to_organisation_id": org["id"], "valid_from": "2024-01-01"}),
            "to_person_id",
            "one_of_two",
        ),
        (
            json!({"kind": "oom", "to_person_id": bas, "valid_from": "2024-01-01"}),
            "kind",
            "unknown_value",
        ),
    ] {
        let (status, error) = app.post(&anne, &relations, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }
    assert_eq!(app.counts().await.journal, before, "nothing written");
    for (body, field, code) in [
        (
            json!({"kind": "school", "name": "X", "agb": "123"}),
            "agb",
            "identifier_invalid",
        ),
        (
            json!({"kind": "huisarts", "name": "X", "brin": "12AB"}),
            "brin",
            "not_allowed",
        ),
        (
            json!({"kind": "municipality", "name": "X"}),
            "kind",
            "not_allowed",
        ),
    ] {
        let (status, error) = app.post(&anne, "/api/v1/organisations", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }

    // A gecertificeerde instelling as voogd, with gezag: it now represents Milan too.
    let (status, added) = app
        .post(&anne, &relations, &json!({"kind": "voogd", "to_organisation_id": org["id"], "gezag": true, "valid_from": today()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (_, milan_view) = app.get(&anne, &person).await;
    assert!(
        milan_view["representation"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["organisation_id"] == org["id"]),
        "{milan_view}"
    );
    let (_, list) = app
        .get(
            &anne,
            "/api/v1/organisations?kind=gecertificeerde_instelling",
        )
        .await;
    assert!(list
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["id"] == org["id"]));

    // Another municipality does not learn the person exists; partners need consent first.
    let gert = app.token("gert").await;
    assert_eq!(app.get(&gert, &person).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(
            &gert,
            &relations,
            &json!({"kind": "mentor", "to_person_id": bas, "valid_from": today()})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn everything_about_a_person_and_who_looked_is_answerable_across_households() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    // Joep lives with his mother and, half the week, with his father.
    let (mother, _) = app.register_family(&anne, "de Boer", None).await;
    let joep = person_id(&file(&app, &anne, &mother).await, "Joep");
    let (status, created) = app
        .post(&anne, "/api/v1/registrations", &json!({
            "route": "self", "question": "Joep woont de helft van de week bij mij.",
            "household": {"address": {"street": "Molenweg", "house_number": "21", "postcode": "7122 AA", "city": "Aalten"},
                "members": [
                    {"given_name": "Erik", "family_name": "de Boer", "birth_date": "1985-07-01", "relation": "parent", "parental_authority": true},
                    {"person_id": joep, "relation": "child"}]}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let father = created["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for household in [&mother, &father] {
        app.put_team(&anne, household, &json!({"regisseur": "anne", "members": [{"username": "dewi", "role": "jeugd_consulent"}]}))
            .await;
        let (status, error) = app
            .post(
                &anne,
                &format!("/api/v1/households/{household}/assessments"),
                &json!({"person_id": joep, "date": today(), "scores": {"scholing": 3}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{error}");
    }
    let (_, joep_view) = app.get(&anne, &format!("/api/v1/persons/{joep}")).await;
    assert_eq!(
        joep_view["households"].as_array().map(Vec::len),
        Some(2),
        "{joep_view}"
    );
    assert_eq!(
        joep_view["scores"].as_array().map(Vec::len),
        Some(2),
        "one score history: {joep_view}"
    );
    assert_eq!(joep_view["other_households"], 0);
    // Gezag: his mother (from her registration) and his father (from his).
    assert_eq!(
        joep_view["representation"].as_array().map(Vec::len),
        Some(2),
        "{joep_view}"
    );

    // Who looked at Joep: reads of either household are about him.
    let dewi = app.token("dewi").await;
    let (status, _) = app
        .get(&dewi, &format!("/api/v1/households/{father}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let log = format!("/api/v1/persons/{joep}/access-log");
    let (status, entries) = app.get(&anne, &log).await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let seen: Vec<(String, String)> = entries
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or_default().to_owned(),
                e["household_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        seen.contains(&("dewi".to_owned(), father.clone())),
        "{entries}"
    );
    assert!(
        seen.contains(&("anne".to_owned(), mother.clone())),
        "{entries}"
    );
    assert!(
        entries
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["purpose"].is_string()),
        "{entries}"
    );
    // A team member does not answer for who looked; the regisseur does.
    let (status, error) = app.get(&dewi, &log).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["error"]["fields"]["reason"], "not_regisseur");
}
