//! `spil import` of the example set (examples/import): the good rows through Spil's own rules,
//! every refused row with its file, line and reason, and a second run that changes nothing.

use chrono::Duration;
use reqwest::StatusCode;
use spil_app::import::ImportFiles;

use crate::helpers::spawn_app;

fn example_set() -> ImportFiles {
    // The example's contacts are from "last month"; keep them so whatever day the test runs.
    let today = chrono::Local::now().date_naive();
    let days_ago = |n: i64| (today - Duration::days(n)).to_string();
    let contacts = include_str!("../../../../examples/import/contacts.csv")
        .replace("2026-11-03", &days_ago(29))
        .replace("2026-11-17", &days_ago(15))
        .replace("2026-10-01", &days_ago(62));
    ImportFiles {
        households: include_str!("../../../../examples/import/households.csv").to_owned(),
        persons: include_str!("../../../../examples/import/persons.csv").to_owned(),
        relations: Some(include_str!("../../../../examples/import/relations.csv").to_owned()),
        trajectories: Some(include_str!("../../../../examples/import/trajectories.csv").to_owned()),
        contacts: Some(contacts),
    }
}

#[tokio::test]
async fn the_example_set_imports_reports_refused_rows_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    let before = app.counts().await;
    let files = example_set();
    let report = app
        .app
        .import("chris", &files, &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            report.households,
            report.relations,
            report.trajectories,
            report.contacts,
            report.already_imported
        ),
        (3, 2, 2, 3, 0),
        "{report:?}"
    );
    let refused: Vec<(&str, u64, &str)> = report
        .refused
        .iter()
        .map(|r| (r.file, r.line, r.reason.as_str()))
        .collect();
    let expect = [
        ("contacts.csv", 5, "older than a year"),
        ("contacts.csv", 6, "household_id: not imported"),
        ("households.csv", 5, "persons.csv line 7 bsn: bsn_invalid"),
        (
            "households.csv",
            6,
            "persons.csv line 8 birth_date: date_in_future",
        ),
        ("households.csv", 7, "duplicate row"),
        ("persons.csv", 9, "duplicate row"),
        ("relations.csv", 4, "to_organisation: no organisation"),
        ("relations.csv", 5, "valid_from: overlapping_gezag"),
        ("relations.csv", 6, "to_person_id: self_relation"),
        ("relations.csv", 7, "person_id: not imported"),
        ("relations.csv", 8, "valid_to: before_start"),
        ("relations.csv", 9, "duplicate row"),
        ("trajectories.csv", 4, "regisseur: unknown_value"),
    ];
    assert_eq!(refused.len(), expect.len(), "{refused:?}");
    for ((file, line, reason), (f, l, r)) in refused.iter().zip(expect) {
        assert_eq!((*file, *line), (f, l), "{refused:?}");
        assert!(reason.contains(r), "{file}:{line}: {reason}");
    }
    let after = app.counts().await;
    assert_eq!(
        after.households - before.households,
        3,
        "a refused household writes nothing"
    );
    assert_eq!(after.persons - before.persons, 5);

    // Imported through the rules: the regisseur, the team, the phase and the contacts are there.
    let anne = app.token("anne").await;
    let (_, found) = app.get(&anne, "/api/v1/search?q=karin%20linden").await;
    let household = found["results"][0]["household_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!household.is_empty(), "{found}");
    let (status, file) = app
        .get(&anne, &format!("/api/v1/households/{household}"))
        .await;
    assert_eq!(status, StatusCode::OK, "anne is the regisseur: {file}");
    assert_eq!(file["trajectory"]["regisseur"], "anne");
    assert_eq!(file["trajectory"]["status"], "plan");
    let (_, contacts) = app
        .get(&anne, &format!("/api/v1/households/{household}/contacts"))
        .await;
    assert_eq!(contacts.as_array().map(Vec::len), Some(2), "{contacts}");

    // The relations beyond the household: Daan's grandmother in another household, and
    // Emir's voogd, the gecertificeerde instelling found by its AGB number.
    let person = |name: &'static str| {
        let (app, anne) = (&app, &anne);
        async move {
            let (_, found) = app.get(anne, &format!("/api/v1/search?q={name}")).await;
            let id = found["results"]
                .as_array()
                .and_then(|r| r.iter().find(|r| r["kind"] == "person"))
                .and_then(|r| r["id"].as_str())
                .unwrap_or_default()
                .to_owned();
            let chris = app.token("chris").await;
            app.get(&chris, &format!("/api/v1/persons/{id}")).await
        }
    };
    let (status, daan) = person("daan%20linden").await;
    assert_eq!(status, StatusCode::OK, "{daan}");
    let kinds: Vec<(&str, bool)> = daan["relations"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|r| (r["kind"].as_str().unwrap_or(""), r["gezag"] == true))
                .collect()
        })
        .unwrap_or_default();
    assert!(kinds.contains(&("grootouder", false)), "{daan}");
    assert_eq!(
        kinds.iter().filter(|k| **k == ("ouder", true)).count(),
        1,
        "the refused row added no second gezag: {daan}"
    );
    let (_, emir) = person("emir").await;
    let voogd = emir["relations"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["kind"] == "voogd"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(voogd["gezag"], true, "{emir}");
    assert!(
        voogd["to_organisation_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Jeugdbescherming")),
        "{emir}"
    );

    // A second run of the same files changes nothing.
    let again = app
        .app
        .import("chris", &files, &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            again.households,
            again.relations,
            again.trajectories,
            again.contacts
        ),
        (0, 0, 0, 0),
        "{again:?}"
    );
    assert_eq!(again.already_imported, 10);
    assert_eq!(again.refused.len(), expect.len());
    let last = app.counts().await;
    assert_eq!(
        (
            last.households,
            last.persons,
            last.registrations,
            last.journal
        ),
        (
            after.households,
            after.persons,
            after.registrations,
            after.journal
        ),
        "nothing new was written"
    );
}

#[tokio::test]
async fn a_file_with_a_wrong_header_is_refused_whole_and_nothing_is_imported() {
    let app = spawn_app().await;
    let before = app.counts().await;
    let mut files = example_set();
    files.persons = files.persons.replacen("birth_date", "geboortedatum", 1);
    let report = app
        .app
        .import("chris", &files, &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.households, 0);
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let r = &report.refused[0];
    assert_eq!((r.file, r.line), ("persons.csv", 1));
    assert!(
        r.reason.contains("missing [birth_date]") && r.reason.contains("unknown [geboortedatum]"),
        "{}",
        r.reason
    );
    assert_eq!(app.counts().await, before);
}
