use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use spil_app::App;
use spil_web::{Application, Settings};

pub struct TestApp {
    pub base: String,
    pub url: String,
    pub app: App,
    pub client: reqwest::Client,
    /// A family registered with anne as regisseur, without intake or plan yet.
    pub example_household: String,
    /// The demo's example household, its story told (intake, scores, plan, relations).
    pub story_household: String,
    /// Where this app writes its journal checkpoints (outside the database).
    pub checkpoints: std::path::PathBuf,
    _dir: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty database: a SQLite file, or a new PostgreSQL database on the server named
/// by SPIL_TEST_POSTGRES_URL.
pub async fn fresh_database() -> (String, Option<TempDir>) {
    let name = format!("spil_test_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("SPIL_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            use sqlx::Executor;
            sqlx::any::install_default_drivers();
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("cannot reach PostgreSQL at SPIL_TEST_POSTGRES_URL: {e}")
                });
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap_or_else(|e| panic!("create database: {e}"));
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(admin_url);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
            (
                format!("sqlite://{}", dir.join("spil.db").display()),
                Some(TempDir(dir)),
            )
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(spil_app::PolicySet::default_policy().unwrap_or_else(|e| panic!("{e}"))).await
}

/// The journal key of every test app.
pub const TEST_JOURNAL_KEY: &str = "the journal key of the test suite, not a secret";

pub async fn spawn_app_with(policies: spil_app::PolicySet) -> TestApp {
    spawn_app_configured(policies, |_| {}).await
}

/// A test app whose configuration `adjust` may change (limits, checkpoint period).
pub async fn spawn_app_configured(
    policies: spil_app::PolicySet,
    adjust: impl FnOnce(&mut spil_app::config::Config),
) -> TestApp {
    let (url, dir) = fresh_database().await;
    let dir = dir.unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("spil_test_{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
        TempDir(dir)
    });
    let checkpoints = dir.0.join("journal.checkpoints");
    let mut config =
        spil_app::config::Config::resolve(&url, Some(TEST_JOURNAL_KEY), Some(checkpoints.clone()))
            .unwrap_or_else(|e| panic!("config: {e}"));
    adjust(&mut config);
    let app = App::connect_configured(&url, policies, config)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    let seeded = app
        .seed_demo(0, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let example_household = plain_family(&app).await;
    let base = serve(app.clone(), &url, spil_web::IDLE_TIMEOUT).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    // Wait until the server answers, by polling its health check.
    for _ in 0..100 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    TestApp {
        base,
        url,
        app,
        client,
        story_household: seeded.example_household_id.unwrap_or_default(),
        example_household,
        checkpoints,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn token(&self, username: &str) -> String {
        let response = self
            .client
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&json!({"username": username, "password": "demo"}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("token: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {username}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("json: {e}"));
        body["token"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, token, path, body).await
    }

    pub async fn put(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, token, path, body).await
    }

    /// `PUT …/team` as a client does it: read the file's team revision first and send it
    /// along (a caller who cannot read the file sends none, and hears only the refusal).
    pub async fn put_team(
        &self,
        token: &str,
        household_id: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let (_, household) = self
            .get(token, &format!("/api/v1/households/{household_id}"))
            .await;
        let mut body = body.clone();
        if let Some(revision) = household["trajectory"]["team_revision"].as_i64() {
            body["revision"] = json!(revision);
        }
        self.put(
            token,
            &format!("/api/v1/households/{household_id}/team"),
            &body,
        )
        .await
    }

    pub async fn counts(&self) -> spil_store::residents::Counts {
        let mut conn = self
            .app
            .store()
            .reader()
            .await
            .unwrap_or_else(|e| panic!("reader: {e}"));
        spil_store::residents::counts(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("counts: {e}"))
    }

    /// Register a new household of two through the API; returns (household_id, registration_id).
    /// Register `body`; the new household's id.
    pub async fn register_body(&self, token: &str, body: &Value) -> String {
        let (status, created) = self.post(token, "/api/v1/registrations", body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created["household_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn register_family(
        &self,
        token: &str,
        family_name: &str,
        bsn: Option<&str>,
    ) -> (String, Value) {
        let (status, body) = self
            .post(token, "/api/v1/registrations", &family(family_name, bsn))
            .await;
        assert_eq!(status, StatusCode::CREATED, "registration: {body}");
        (
            body["household_id"].as_str().unwrap_or_default().to_owned(),
            body,
        )
    }
}

/// A family like the demo's example before its story unfolded: registered with anne as
/// regisseur and dewi on the team, exploring, no intake or plan yet.
async fn plain_family(app: &App) -> String {
    use spil_app::views::*;
    let actor = |name: &str| {
        let app = app.clone();
        let name = name.to_owned();
        async move {
            app.sign_in(&name, "demo", spil_app::auth::SessionKind::Api, None)
                .await
                .unwrap_or_else(|e| panic!("sign in {name}: {e}"))
                .session
                .actor
        }
    };
    let anne = actor("anne").await;
    let member = |given: &str, birth: &str, relation: &str, authority: bool| MemberInput {
        given_name: given.into(),
        family_name: "Hendriks".into(),
        birth_date: birth.into(),
        relation: relation.into(),
        parental_authority: Some(authority),
        ..MemberInput::default()
    };
    let mut bas = member("Bas", "1991-03-14", "parent", true);
    bas.bsn = Some("111222333".into());
    bas.confirm_bsn_known = Some(true);
    let created = app
        .register(
            &anne,
            &RegistrationInput {
                route: "self".into(),
                question: "We hebben schulden en geen overzicht meer.".into(),
                urgency: Some("soon".into()),
                household: Some(NewHouseholdInput {
                    address: AddressInput {
                        street: "Beukenlaan".into(),
                        house_number: "3".into(),
                        postcode: "7121 AC".into(),
                        city: "Aalten".into(),
                        buurt_code: None,
                    },
                    members: vec![
                        bas,
                        member("Ingrid", "1983-06-02", "parent", true),
                        member("Milan", "2018-01-20", "child", false),
                        member("Fenna", "2020-02-08", "child", false),
                    ],
                }),
                received_at: Some((spil_app::today() - chrono::Duration::days(548)).to_string()),
                ..RegistrationInput::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("register: {e}"));
    let id = created.household_id;
    app.set_team(
        &anne,
        &id,
        &TeamInput {
            regisseur: "anne".into(),
            members: vec![TeamMemberInput {
                username: "dewi".into(),
                role: "schuldhulpverlener".into(),
            }],
            revision: Some(1),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("team: {e}"));
    app.set_status(
        &anne,
        &id,
        &StatusInput {
            status: "exploring".into(),
            close_reason: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("status: {e}"));
    for (route, question) in [
        (
            "self",
            "De schade-uitkering is op. We vragen huishoudelijke hulp aan.",
        ),
        (
            "school",
            "Milan is vaak moe; Fenna heeft woedebuien. Wij maken ons zorgen.",
        ),
    ] {
        app.register(
            &anne,
            &RegistrationInput {
                route: route.into(),
                referrer: (route == "school").then(|| ReferrerInput {
                    name: Some("Juf Marieke".into()),
                    organisation: Some("Basisschool De Klimop".into()),
                    contact: None,
                }),
                question: question.into(),
                urgency: Some("soon".into()),
                household_id: Some(id.clone()),
                ..RegistrationInput::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("register: {e}"));
    }
    id
}

pub fn family(family_name: &str, bsn: Option<&str>) -> Value {
    json!({
        "route": "huisarts",
        "referrer": {"name": "Dokter Visser", "organisation": "Huisartsenpraktijk Aalten", "contact": "0543-451234"},
        "question": "Moeder is uitgeput en de kinderen gaan niet naar school.",
        "urgency": "soon",
        "household": {
            "address": {"street": "Kerkstraat", "house_number": "4", "postcode": "7121 CD", "city": "Aalten", "buurt_code": "BU01970002"},
            "members": [
                {"given_name": "Sanne", "family_name": family_name, "birth_date": "1988-02-29", "bsn": bsn, "relation": "parent", "parental_authority": true},
                {"given_name": "Joep", "family_name": family_name, "birth_date": "2016-09-12", "relation": "child"}
            ]
        }
    })
}

/// A direct connection to the test database, for tampering with it as an attacker would.
pub async fn raw_connection(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

pub fn today() -> String {
    spil_app::today().format("%Y-%m-%d").to_string()
}

/// A second server on the same database, as another instance behind a load balancer would be.
pub async fn second_server(app: &TestApp) -> String {
    second_server_with(app, spil_web::IDLE_TIMEOUT).await
}

/// A second server whose connections time out after `idle`.
pub async fn second_server_with(app: &TestApp, idle: Duration) -> String {
    let config = spil_app::config::Config::resolve(
        &app.url,
        Some(TEST_JOURNAL_KEY),
        Some(app.checkpoints.clone()),
    )
    .unwrap_or_else(|e| panic!("config: {e}"));
    let other = App::connect_configured(
        &app.url,
        spil_app::PolicySet::default_policy().unwrap_or_else(|e| panic!("{e}")),
        config,
    )
    .await
    .unwrap_or_else(|e| panic!("connect: {e}"));
    serve(other, &app.url, idle).await
}

/// Start a server for `app` on a free port; returns its base URL.
async fn serve(app: App, url: &str, idle: Duration) -> String {
    let settings = Settings {
        database_url: url.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
        secure_cookies: false,
        idle_timeout: idle,
        themes_dir: None,
    };
    let application = Application::with_app(app, &settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"));
    let base = format!(
        "http://{}",
        application
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"))
    );
    tokio::spawn(application.run_until_stopped());
    base
}

/// The text of a PDF as poppler's `pdftotext` reads it (Debian package poppler-utils): an
/// independent reader, so the test sees what a PDF viewer would show.
pub fn pdf_text(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("pdftotext (apt-get install poppler-utils): {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
