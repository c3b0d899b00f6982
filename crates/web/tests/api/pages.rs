use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// The hidden field `name` of a form in `html`.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// The HTML of a page, fetched with the client's session.
pub(crate) async fn page_html(app: &crate::helpers::TestApp, url: &str) -> String {
    app.client
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default()
}

pub(crate) async fn sign_in_as(app: &crate::helpers::TestApp, username: &str) -> reqwest::Response {
    let page = app
        .client
        .get(format!("{}/inloggen", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&page.text().await.unwrap_or_default(), "_csrf");
    app.client
        .post(format!("{}/inloggen", app.base))
        .form(&[
            ("username", username),
            ("password", "demo"),
            ("_csrf", &csrf),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn pages_need_a_login_and_show_my_households_after_it() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/huishoudens", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/inloggen");

    let response = sign_in_as(&app, "anne").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("spil_session="));
    let cookie = cookie.unwrap_or_default().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let page = app
        .client
        .get(format!("{}/huishoudens", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains("Mijn huishoudens") && html.contains("Hendriks"),
        "the example household is listed"
    );

    let household = app
        .client
        .get(format!(
            "{}/huishoudens/{}",
            app.base, app.example_household
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let html = household.text().await.unwrap_or_default();
    for expected in [
        "Milan",
        "Fenna",
        "Ingrid",
        "Bas",
        "Anne de Vries",
        "schulden",
        "Tijdlijn",
    ] {
        assert!(html.contains(expected), "household page shows {expected}");
    }
    assert!(
        !html.contains("111222333"),
        "the full BSN is not printed on the page"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_dutch() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/inloggen", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&page.text().await.unwrap_or_default(), "_csrf");
    let response = app
        .client
        .post(format!("{}/inloggen", app.base))
        .form(&[("username", "anne"), ("password", "fout"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response
        .text()
        .await
        .unwrap_or_default()
        .contains("klopt niet"));
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    assert_eq!(
        sign_in_as(&app, "anne").await.status(),
        StatusCode::SEE_OTHER
    );
    let before = app.counts().await;
    let response = app
        .client
        .post(format!("{}/aanmelden", app.base))
        .form(&[
            ("_csrf", "forged"),
            ("route", "self"),
            ("question", "x"),
            ("street", "a"),
            ("house_number", "1"),
            ("postcode", "7121AB"),
            ("city", "Aalten"),
            ("m0_given_name", "A"),
            ("m0_family_name", "B"),
            ("m0_birth_date", "2000-01-01"),
            ("m0_relation", "parent"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.counts().await, before);

    // Login itself is protected too.
    let response = app
        .client
        .post(format!("{}/inloggen", app.base))
        .form(&[
            ("username", "anne"),
            ("password", "demo"),
            ("_csrf", "forged"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_registration_form_shows_dutch_errors_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    assert_eq!(
        sign_in_as(&app, "anne").await.status(),
        StatusCode::SEE_OTHER
    );
    let form = app
        .client
        .get(format!("{}/aanmelden", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&form.text().await.unwrap_or_default(), "_csrf");
    let before = app.counts().await;
    let response = app
        .client
        .post(format!("{}/aanmelden", app.base))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("route", "self"),
            ("question", "Hulp bij de administratie"),
            ("street", "Markt"),
            ("house_number", ""),
            ("postcode", "7121AB"),
            ("city", "Aalten"),
            ("m1_given_name", "Kees"),
            ("m1_family_name", "Ebbers"),
            ("m1_birth_date", "1950-01-01"),
            ("m1_bsn", "123456789"),
            ("m1_relation", "other"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap_or_default();
    assert!(
        html.contains("Dit BSN klopt niet"),
        "Dutch error next to the field"
    );
    assert!(
        html.contains("href=\"#m1_bsn\""),
        "the summary links to the field on the right row"
    );
    // The summary names each field, in the page's order (the address before person 2).
    let house = html.find("Huisnummer: ").unwrap_or(usize::MAX);
    let bsn = html.find("Persoon 2, BSN: ").unwrap_or(0);
    assert!(house < bsn, "in page order, naming the field");
    assert!(
        html.contains("value=\"Hulp bij de administratie\"")
            || html.contains(">Hulp bij de administratie</textarea>")
    );
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    assert_eq!(
        sign_in_as(&app, "anne").await.status(),
        StatusCode::SEE_OTHER
    );
    let page = app
        .client
        .get(format!("{}/huishoudens", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&page.text().await.unwrap_or_default(), "_csrf");
    let response = app
        .client
        .post(format!("{}/uitloggen", app.base))
        .form(&[("_csrf", csrf)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app
        .client
        .get(format!("{}/huishoudens", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_sensitive_note_shows_on_the_page_only_for_the_regisseur_and_its_author() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/contacts", app.example_household);
    let (status, _) = app
        .post(&anne, &path, &serde_json::json!({"kind": "telefonisch", "date": crate::helpers::today(), "minutes": 20,
            "participants": ["Ingrid"], "note": "Ingrid vertelt over geweld van vroeger", "sensitive": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let page = |who: &'static str| {
        let app = &app;
        async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let login = client
                .get(format!("{}/inloggen", app.base))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let csrf = hidden(&login.text().await.unwrap_or_default(), "_csrf");
            client
                .post(format!("{}/inloggen", app.base))
                .form(&[
                    ("username", who),
                    ("password", "demo"),
                    ("_csrf", &csrf),
                    ("next", ""),
                ])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            client
                .get(format!(
                    "{}/huishoudens/{}/contacten",
                    app.base, app.example_household
                ))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .text()
                .await
                .unwrap_or_default()
        }
    };
    let for_anne = page("anne").await;
    let for_dewi = page("dewi").await;
    assert!(for_anne.contains("Ingrid vertelt over geweld van vroeger"));
    assert!(for_dewi.contains("20"), "the minutes count for everyone");
    assert!(
        !for_dewi.contains("geweld van vroeger"),
        "dewi is on the team but not the author"
    );
    assert!(for_dewi.contains("Vertrouwelijke notitie: alleen de regisseur"));
}

#[tokio::test]
async fn the_plan_form_keeps_what_was_typed_and_marks_the_wrong_row() {
    let app = spawn_app().await;
    sign_in_as(&app, "anne").await;
    let url = format!("{}/huishoudens/{}/plan", app.base, app.example_household);
    let page = page_html(&app, &url).await;
    assert!(
        page.contains("Nog niet akkoord") || page.contains("Nog geen plan"),
        "{page}"
    );
    let csrf = hidden(&page, "_csrf");
    // "Voor wie" starts unchosen; a goal without it is refused, naming the field.
    assert!(
        page.contains(">Kies voor wie</option>"),
        "no goal is for the whole family before anyone chose"
    );
    let evaluate_on = (chrono::Local::now().date_naive() + chrono::Duration::days(42)).to_string();
    let response = app
        .client
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("g0_id", ""),
            ("g0_text", "Rust in huis"),
            ("g0_result", "Geen ruzie over geld"),
            ("g0_evaluate_on", evaluate_on.as_str()),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap_or_default();
    assert!(
        refused.contains("href=\"#g0_person\"") && refused.contains("Doel 1, Voor wie:"),
        "the summary names the unchosen field"
    );
    // Row 0 left empty (skipped); row 1 has a date before the plan's start.
    let response = app
        .client
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("g0_id", ""),
            ("g0_text", ""),
            ("g1_id", ""),
            ("g1_text", "Rust in huis"),
            ("g1_person", "gezin"),
            ("g1_result", "Geen ruzie over geld"),
            ("g1_evaluate_on", "2001-01-01"),
            ("agreements", "Alles op papier"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap_or_default();
    assert!(
        page.contains("href=\"#g1_evaluate_on\""),
        "the summary links to row 2's date"
    );
    assert!(page.contains("Deze datum ligt vóór de start van het plan."));
    assert!(
        page.contains("Doel 2, Samen terugkijken op: Deze datum ligt vóór de start van het plan."),
        "the summary names the field"
    );
    assert!(
        page.contains("value=\"Rust in huis\""),
        "what was typed stays"
    );
    let (status, plan) = app
        .get(
            &app.token("anne").await,
            &format!("/api/v1/households/{}/plan", app.example_household),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was saved: {plan}");
}

/// A match the professional may see can be attached instead of creating a second record.
#[tokio::test]
async fn the_register_page_attaches_a_found_person_instead_of_a_duplicate() {
    let app = spawn_app().await;
    assert_eq!(
        sign_in_as(&app, "anne").await.status(),
        StatusCode::SEE_OTHER
    );
    let form = app
        .client
        .get(format!("{}/aanmelden", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&form.text().await.unwrap_or_default(), "_csrf");
    // Milan of the example household, now also living at his grandmother's.
    let fields = |link: Option<&str>| {
        let mut f = vec![
            ("_csrf".to_owned(), csrf.clone()),
            ("route".into(), "network".into()),
            ("question".into(), "Milan woont nu ook bij zijn oma.".into()),
            ("street".into(), "Markt".into()),
            ("house_number".into(), "3".into()),
            ("postcode".into(), "7121AB".into()),
            ("city".into(), "Aalten".into()),
            ("m0_given_name".into(), "Gerda".into()),
            ("m0_family_name".into(), "Hendriks".into()),
            ("m0_birth_date".into(), "1955-05-05".into()),
            ("m0_relation".into(), "other".into()),
            ("m1_given_name".into(), "Milan".into()),
            ("m1_family_name".into(), "Hendriks".into()),
            ("m1_birth_date".into(), "2018-01-20".into()),
            ("m1_relation".into(), "child".into()),
        ];
        if let Some(person) = link {
            f.push(("m1_link".into(), person.into()));
        }
        f
    };
    let response = app
        .client
        .post(format!("{}/aanmelden", app.base))
        .form(&fields(None))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap_or_default();
    let milan = hidden_checkbox_value(&html, "m1_link");
    assert!(
        !milan.is_empty(),
        "a link to the known Milan is offered: {html}"
    );
    let before = app.counts().await;
    let response = app
        .client
        .post(format!("{}/aanmelden", app.base))
        .form(&fields(Some(&milan)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = app.counts().await;
    assert_eq!(after.persons, before.persons + 1, "only Gerda is new");
    let anne = app.token("anne").await;
    let (_, person) = app.get(&anne, &format!("/api/v1/persons/{milan}")).await;
    assert_eq!(
        person["households"].as_array().map(Vec::len),
        Some(2),
        "{person}"
    );
}

fn hidden_checkbox_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .unwrap_or_default()
}

/// Found trying Spil as a newcomer: `/login` was a bare 404, pages went uncompressed, and
/// nothing kept case pages out of search engines.
#[tokio::test]
async fn login_redirects_pages_are_compressed_and_kept_out_of_search_engines() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let get = |path: &str, encoding: Option<&str>| {
        let mut request = client.get(format!("{}{path}", app.base));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };
    let login = get("/login", None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(login.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(login.headers()["location"], "/inloggen");

    let robots = get("/robots.txt", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(robots.status(), StatusCode::OK);
    assert!(robots
        .text()
        .await
        .unwrap_or_default()
        .contains("Disallow: /"));

    let page = get("/inloggen", Some("gzip"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    assert_eq!(
        page.headers()["x-robots-tag"],
        "noindex, nofollow, noarchive"
    );
    let plain = get("/inloggen", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plain.headers().get("content-encoding").is_none());

    // An unknown address is a Dutch page, or the API's JSON error; the tab has an icon.
    let missing = get("/bestaat-niet", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let html = missing.text().await.unwrap_or_default();
    assert!(html.contains("<h1>Niet gevonden</h1>"), "{html}");
    assert!(html.contains("lang=\"nl\""), "{html}");
    let api = get("/api/v1/bestaat-niet", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    let icon = get("/favicon.svg", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(html.contains("href=\"/favicon.svg\""), "{html}");
}

/// A new goal row carries its id from the start, so an action written in the same first save
/// can belong to it; rows left empty are not `required`.
#[tokio::test]
async fn an_action_links_to_a_goal_written_in_the_same_first_save() {
    let app = spawn_app().await;
    sign_in_as(&app, "anne").await;
    let url = format!("{}/huishoudens/{}/plan", app.base, app.example_household);
    let page = page_html(&app, &url).await;
    assert!(
        !page.contains(" required"),
        "an empty new row is not required"
    );
    assert!(page.contains("(nieuw; leeg laten mag)"));
    let goal_id = hidden(&page, "g0_id");
    assert!(!goal_id.is_empty(), "the new goal row has its id");
    assert!(
        page.contains(&format!("<option value=\"{goal_id}\"")),
        "the action's goal choice offers the new goal"
    );
    let csrf = hidden(&page, "_csrf");
    let evaluate_on = (chrono::Local::now().date_naive() + chrono::Duration::days(42)).to_string();
    let response = app
        .client
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("g0_id", goal_id.as_str()),
            ("g0_text", "Overzicht over de post"),
            ("g0_person", "gezin"),
            ("g0_result", "Geen aanmaningen meer"),
            ("g0_evaluate_on", evaluate_on.as_str()),
            ("a0_id", ""),
            ("a0_text", "Samen de post openen"),
            ("a0_who", "professional"),
            ("a0_goal", goal_id.as_str()),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_redirection(), "{}", response.status());
    let (status, plan) = app
        .get(
            &app.token("anne").await,
            &format!("/api/v1/households/{}/plan", app.example_household),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["goals"][0]["id"], goal_id.as_str(), "{plan}");
    assert_eq!(plan["actions"][0]["goal_id"], goal_id.as_str(), "{plan}");
}

/// The NL Design System CSS and the API viewer come from the binary (taken from npm at build
/// time); the viewer alone may use inline styles; a theme sets only tokens.
#[tokio::test]
async fn design_system_files_themes_and_the_api_viewer_are_served_by_spil() {
    let app = spawn_app().await;
    let get = |path: &str| {
        let (client, url) = (app.client.clone(), format!("{}{path}", app.base));
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    for (path, needle) in [
        ("/static/nlds/components.css", ".utrecht-button"),
        ("/static/nlds/tokens.css", ".utrecht-theme"),
        ("/static/nlds/html.css", ".utrecht-html"),
        ("/static/api-docs/swagger-ui-bundle.js", "SwaggerUIBundle"),
        ("/static/theme/gm0197.css", "--spil-color-primary: #005a46;"),
        ("/static/theme/gm0294.css", "--spil-color-primary: #9c1d34;"),
        ("/static/theme/gm0999.css", ".spil-theme {}"),
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.unwrap_or_default();
        assert!(body.contains(needle), "{path} holds {needle}");
    }
    assert_eq!(
        get("/static/nlds/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );

    let docs = get("/api/docs").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("style-src 'self' 'unsafe-inline'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    let login = get("/inloggen").await;
    let csp = login.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !csp.contains("unsafe-inline"),
        "every other page keeps the strict policy: {csp}"
    );
    assert!(
        login
            .text()
            .await
            .unwrap_or_default()
            .contains("href=\"/api/docs\""),
        "linked in the footer"
    );
}

/// Closing a household asks once more on a page of its own; only the confirmed form closes.
#[tokio::test]
async fn closing_a_household_asks_for_confirmation_first() {
    let app = spawn_app().await;
    sign_in_as(&app, "anne").await;
    let h = app.example_household.clone();
    let page = page_html(&app, &format!("{}/huishoudens/{h}", app.base)).await;
    assert!(
        page.contains("name=\"m0_user\""),
        "team members are chosen from a list"
    );
    assert!(
        !page.contains("name=\"members\""),
        "no more typing 'username, role'"
    );
    let csrf = hidden(&page, "_csrf");
    let post = |fields: Vec<(&'static str, String)>| {
        let (client, url) = (
            app.client.clone(),
            format!("{}/huishoudens/{h}/status", app.base),
        );
        async move {
            client
                .post(url)
                .form(&fields)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let first = post(vec![
        ("_csrf", csrf.clone()),
        ("status", "closed".into()),
        ("close_reason", "goals_reached".into()),
    ])
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let confirm = first.text().await.unwrap_or_default();
    assert!(
        confirm.contains("afsluiten?") && confirm.contains("Doelen bereikt"),
        "{confirm}"
    );
    let token = app.token("anne").await;
    let (_, household) = app.get(&token, &format!("/api/v1/households/{h}")).await;
    assert!(
        household["trajectory"]["closed_at"].is_null(),
        "nothing closed yet: {household}"
    );

    let confirmed = post(vec![
        ("_csrf", csrf),
        ("status", "closed".into()),
        ("close_reason", "goals_reached".into()),
        ("confirm", "ja".into()),
    ])
    .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let (_, household) = app.get(&token, &format!("/api/v1/households/{h}")).await;
    assert!(
        !household["trajectory"]["closed_at"].is_null(),
        "{household}"
    );
}

/// The report offers only groupings the gate answers: a professional is not offered counts
/// per household or per professional (which would end in 403); the coordinator is.
#[tokio::test]
async fn the_report_offers_only_what_the_caller_may_count() {
    let app = spawn_app().await;
    sign_in_as(&app, "anne").await;
    let page = page_html(&app, &format!("{}/basishulp", app.base)).await;
    assert!(
        page.contains("<option value=\"team\""),
        "team counts are offered"
    );
    assert!(
        !page.contains("<option value=\"professional\""),
        "no choice that ends in 403"
    );
    assert!(!page.contains("<option value=\"household\""));
    sign_in_as(&app, "chris").await;
    let page = page_html(&app, &format!("{}/basishulp", app.base)).await;
    assert!(
        page.contains("<option value=\"professional\""),
        "the coordinator counts per professional"
    );
}

/// "Opslaan en voorstel maken" saves what was typed before it proposes: the text is not lost.
#[tokio::test]
async fn save_and_propose_keeps_the_conversation() {
    let app = spawn_app().await;
    sign_in_as(&app, "anne").await;
    let h = app.example_household.clone();
    let url = format!("{}/huishoudens/{h}/uitvraag", app.base);
    let page = page_html(&app, &url).await;
    let csrf = hidden(&page, "_csrf");
    let person = hidden(&page, "p0_person_id");
    let response = app
        .client
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("p0_person_id", person.as_str()),
            ("p0_question", "Ik wil weer overzicht over de post."),
            ("causes", "De uitkering stopte."),
            ("daarna", "voorstel"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/huishoudens/{h}/uitvraag?opgeslagen=voorstel#voorstel").as_str()
    );
    let page = page_html(&app, &format!("{url}?opgeslagen=voorstel")).await;
    assert!(
        page.contains("Ik wil weer overzicht over de post."),
        "the text was saved"
    );
    assert!(
        page.contains("Het voorstel is gemaakt."),
        "and the proposal made"
    );
    assert!(page.contains("Voorstel: "), "{page}");
}

/// The household team is chosen from the caller's own team, not the region's whole staff
/// (found at a million households: five hundred names in every select, a 110 kB page); a
/// colleague from elsewhere who is on the team already stays choosable.
#[tokio::test]
async fn the_team_is_chosen_from_the_callers_team_and_keeps_who_is_on_it() {
    let app = spawn_app().await;
    let household = app.story_household.clone();
    sign_in_as(&app, "anne").await;
    let url = format!("{}/huishoudens/{household}", app.base);
    let page = page_html(&app, &url).await;
    assert!(
        page.contains("<option value=\"dewi\""),
        "anne's team-mate is offered"
    );
    assert!(
        !page.contains("<option value=\"bram\""),
        "a professional of another team is not offered"
    );
    // bram (Aalten-Zuid, same municipality) joins the team through the API.
    let anne = app.token("anne").await;
    let (status, body) = app
        .put_team(
            &anne,
            &household,
            &serde_json::json!({"regisseur": "anne", "members": [{"username": "bram", "role": "wmo_consulent"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = page_html(&app, &url).await;
    assert!(
        page.contains("<option value=\"bram\" selected"),
        "who is on the team stays chosen"
    );
}

/// The intake page is one form (found as a new user: six forms, so text typed in the
/// conversation was lost when a score's button was pressed). Every button keeps everything
/// typed on the page, and saving a conversation that did not change writes no new revision.
#[tokio::test]
async fn every_button_on_the_intake_page_keeps_what_was_typed_elsewhere_on_it() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    sign_in_as(&app, "anne").await;
    let h = app.example_household.clone();
    let url = format!("{}/huishoudens/{h}/uitvraag", app.base);
    let page = page_html(&app, &url).await;
    assert_eq!(
        page.matches("<form").count(),
        2,
        "the menu's sign-out and one"
    );
    let csrf = hidden(&page, "_csrf");
    let revision = hidden(&page, "revision");
    let (p0, sc0) = (
        hidden(&page, "p0_person_id"),
        hidden(&page, "sc0_person_id"),
    );
    assert_eq!(p0, sc0, "the first person's conversation and scores");
    let domain = page
        .split("name=\"sc0_s_")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert!(!domain.is_empty());
    let score_field = format!("sc0_s_{domain}");
    let form = |after: &'static str, revision: String| {
        let mut fields = vec![
            ("_csrf".to_owned(), csrf.clone()),
            ("revision".to_owned(), revision),
            ("p0_person_id".to_owned(), p0.clone()),
            ("p0_question".to_owned(), "Rust in huis.".to_owned()),
            ("sc0_person_id".to_owned(), sc0.clone()),
            ("sc0_date".to_owned(), "2026-11-02".to_owned()),
        ];
        if after == "scores" {
            fields.push((score_field.clone(), "2".to_owned()));
        } else {
            fields.push(("daarna".to_owned(), after.to_owned()));
        }
        fields
    };
    // Post the page's form; where it sends the browser next.
    let post = |fields: Vec<(String, String)>| {
        let (client, url) = (&app.client, &url);
        async move {
            let response = client
                .post(url)
                .form(&fields)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            response.headers()["location"]
                .to_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    // "Scores opslaan" saves the conversation typed above it too.
    assert_eq!(
        post(form("scores", revision)).await,
        format!("/huishoudens/{h}/uitvraag?opgeslagen=uitvraag_scores#scores")
    );
    let (_, intake) = app
        .get(&anne, &format!("/api/v1/households/{h}/intake"))
        .await;
    let person = intake["persons"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["person_id"] == p0.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(person["question"], "Rust in huis.", "{intake}");
    let (_, scores) = app
        .get(&anne, &format!("/api/v1/households/{h}/assessments"))
        .await;
    assert_eq!(scores[0]["person_id"], p0.as_str(), "{scores}");
    assert_eq!(scores[0]["scores"][domain.as_str()], 2, "{scores}");
    let assessments = scores.as_array().map(Vec::len);

    // "Voorstel maken" with the conversation unchanged: the proposal, and no new revision.
    let saved = intake["revision"].clone();
    assert_eq!(
        post(form("voorstel", saved.to_string())).await,
        format!("/huishoudens/{h}/uitvraag?opgeslagen=voorstel#voorstel")
    );
    let (_, again) = app
        .get(&anne, &format!("/api/v1/households/{h}/intake"))
        .await;
    assert_eq!(again["revision"], saved, "nothing changed, nothing written");
    let (_, scores) = app
        .get(&anne, &format!("/api/v1/households/{h}/assessments"))
        .await;
    assert_eq!(
        scores.as_array().map(Vec::len),
        assessments,
        "no empty scores"
    );
    let page = page_html(&app, &url).await;
    assert!(page.contains("Voorstel: "), "the proposal was made");
    assert!(page.contains("Rust in huis."), "and the text kept");
}

/// A household without a regisseur offers the choice unchosen ("Kies een collega"); it used to
/// start on whoever was looking, so one click on "Opslaan" named them without their choosing.
#[tokio::test]
async fn the_regisseur_choice_starts_empty_when_there_is_none() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (h, _) = app.register_family(&anne, "Wachtrij", None).await;
    let (_, file) = app.get(&anne, &format!("/api/v1/households/{h}")).await;
    assert!(file["trajectory"]["regisseur"].is_null(), "{file}");
    sign_in_as(&app, "anne").await;
    let page = page_html(&app, &format!("{}/huishoudens/{h}", app.base)).await;
    let select = page
        .split("<select id=\"regisseur\"")
        .nth(1)
        .and_then(|r| r.split("</select>").next())
        .unwrap_or_default();
    assert!(select.contains("Kies een collega"), "{select}");
    assert!(
        !select.contains(" selected"),
        "nobody is chosen before someone chose: {select}"
    );
}
