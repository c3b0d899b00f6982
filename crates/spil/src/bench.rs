//! `spil bench`: load synthetic households, then measure the HTTP stack with concurrent
//! clients. Figures, not assertions: targets live here, not in timed tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use hdrhistogram::Histogram;
use spil_app::App;
use spil_web::{Application, Settings};

#[derive(Args)]
pub struct BenchArgs {
    /// Database to fill and measure; default a fresh SQLite file in a temporary directory.
    #[arg(long, env = "SPIL_BENCH_DATABASE_URL")]
    database: Option<String>,
    /// Households the database should hold; what is missing is loaded first.
    #[arg(long, default_value_t = 100_000)]
    households: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds to measure each operation.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Contacts the database should hold for the basishulp report; what is missing is loaded.
    #[arg(long, default_value_t = 2_000_000)]
    contacts: usize,
    /// Households of the professional whose worklist is measured.
    #[arg(long, default_value_t = 60)]
    caseload: usize,
}

const CASELOAD_USER: &str = "bench-caseload";

pub async fn run(args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    let dir = std::env::temp_dir().join(format!("spil-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    // Loading is not what is measured: on PostgreSQL it runs without waiting for each commit
    // to reach the disk; the server under test uses the plain URL.
    let loader = App::connect_configured(
        &loader_url(&url),
        spil_app::PolicySet::default_policy()?,
        crate::loading_config(&url)?,
    )
    .await?;
    // The server under test keeps the look-up limit, except that the benchmark registers
    // households as fast as it can from one account.
    let app = App::connect_configured(
        &url,
        spil_app::PolicySet::default_policy()?,
        crate::loading_config(&url)?,
    )
    .await?;

    let existing = {
        let mut conn = loader.store().reader().await?;
        spil_store::residents::counts(&mut conn).await?.households as usize
    };
    let to_add = args.households.saturating_sub(existing);
    let loaded = Instant::now();
    let bar = indicatif::ProgressBar::new(args.households as u64);
    // The demo counts its synthetic households; the example household makes up the rest.
    loader
        .seed_demo(args.households.saturating_sub(1), &|n| {
            if n % 1000 == 0 {
                bar.set_position(n)
            }
        })
        .await?;
    bar.finish_and_clear();
    load_contacts(&loader, args.contacts).await?;
    let has_caseload = {
        let mut conn = loader.store().reader().await?;
        spil_store::org::user_by_username(&mut conn, CASELOAD_USER)
            .await?
            .is_some()
    };
    if !has_caseload {
        loader.seed_caseload(CASELOAD_USER, args.caseload).await?;
        eprintln!(
            "loaded a caseload of {} households for {CASELOAD_USER}",
            args.caseload
        );
    }
    loader.store().close().await;
    let households = existing + to_add;
    eprintln!(
        "loaded {to_add} households (now {households}) in {:.1?}",
        loaded.elapsed()
    );

    let settings = Settings {
        database_url: url.clone(),
        listen: "127.0.0.1:0".parse()?,
        secure_cookies: true,
        idle_timeout: spil_web::IDLE_TIMEOUT,
        themes_dir: None,
    };
    let application = Application::with_app(app.clone(), &settings).await?;
    let base = format!("http://{}", application.local_addr()?);
    tokio::spawn(application.run_until_stopped());

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    // anne reads households she is on the team of; they are what she opens all day.
    let token = token(&client, &base, "anne").await?;
    let mine: Vec<serde_json::Value> = client
        .get(format!("{base}/api/v1/households?mine=true"))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let ids: Arc<Vec<String>> = Arc::new(
        mine.iter()
            .filter_map(|h| h["id"].as_str().map(str::to_owned))
            .collect(),
    );
    anyhow::ensure!(!ids.is_empty(), "anne has no households to read");

    println!(
        "database: {}  households: {}  clients: {}",
        redact(&url),
        households,
        args.clients
    );
    let reads = measure(
        "GET /api/v1/households/{id}",
        &client,
        &base,
        &token,
        args.clients,
        args.seconds,
        on_household(ids.clone(), reqwest::Method::GET, ""),
    )
    .await?;
    let writes = measure("POST /api/v1/registrations", &client, &base, &token, args.clients, args.seconds, |client, base, token, i| {
        async move {
            let body = serde_json::json!({
                "route": "huisarts",
                "referrer": {"name": "Dokter Bench", "organisation": "Huisartsenpraktijk", "contact": "0543-000000"},
                "question": "Benchmark-aanmelding",
                "household": {
                    "address": {"street": "Benchstraat", "house_number": format!("{}", 1 + i % 500), "postcode": "7121 AB", "city": "Aalten"},
                    "members": [
                        {"given_name": "Test", "family_name": format!("Bench{i}"), "birth_date": "1980-01-01", "relation": "parent"},
                        {"given_name": "Kind", "family_name": format!("Bench{i}"), "birth_date": "2015-06-01", "relation": "child"}
                    ]
                }
            });
            let response = client.post(format!("{base}/api/v1/registrations")).bearer_auth(token).json(&body).send().await?;
            anyhow::ensure!(response.status().as_u16() == 201, "status {}", response.status());
            response.bytes().await?;
            Ok(())
        }
    })
    .await?;
    let triages = measure(
        "POST /api/v1/households/{id}/triage",
        &client,
        &base,
        &token,
        args.clients,
        args.seconds,
        on_household(ids.clone(), reqwest::Method::POST, "/triage"),
    )
    .await?;
    let caseload_token = self::token(&client, &base, CASELOAD_USER).await?;
    let worklists = measure(
        "GET /api/v1/worklist",
        &client,
        &base,
        &caseload_token,
        args.clients,
        args.seconds,
        |client, base, token, _| async move {
            let response = client
                .get(format!("{base}/api/v1/worklist"))
                .bearer_auth(token)
                .send()
                .await?;
            anyhow::ensure!(
                response.status().is_success(),
                "status {}",
                response.status()
            );
            let body: serde_json::Value = response.json().await?;
            anyhow::ensure!(
                body["evaluations_due"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty()),
                "nothing due"
            );
            Ok(())
        },
    )
    .await?;
    // A year of basishulp minutes, as a council or coordinator asks for it: one report at a
    // time (an occasional report, not a page opened all day).
    let coordinator = self::token(&client, &base, "chris").await?;
    let year_ago = (spil_app::today() - chrono::Duration::days(365)).to_string();
    let mut reports = Vec::new();
    for group in ["team", "month", "household"] {
        let from = year_ago.clone();
        let measured = measure(
            &format!("GET /api/v1/reports/basishulp?group_by={group}"),
            &client,
            &base,
            &coordinator,
            1,
            args.seconds,
            move |client, base, token, _| {
                let from = from.clone();
                async move {
                    let response = client
                        .get(format!(
                            "{base}/api/v1/reports/basishulp?from={from}&group_by={group}"
                        ))
                        .bearer_auth(token)
                        .send()
                        .await?;
                    anyhow::ensure!(
                        response.status().is_success(),
                        "status {}",
                        response.status()
                    );
                    let body: serde_json::Value = response.json().await?;
                    anyhow::ensure!(
                        body["total_minutes"].as_i64().unwrap_or(0) > 0,
                        "no minutes"
                    );
                    Ok(())
                }
            },
        )
        .await?;
        reports.push((group, measured));
    }
    let engine = triage_in_process()?;
    println!(
        "triage in-process (pure engine, default policy): n={} p50={:.2}µs p99={:.2}µs max={:.2}µs",
        engine.count,
        engine.p50_ms * 1000.0,
        engine.p99_ms * 1000.0,
        engine.max_ms * 1000.0
    );
    let report_names: Vec<String> = reports.iter().map(|(g, _)| format!("report/{g}")).collect();
    let mut results = vec![
        ("read", &reads),
        ("register", &writes),
        ("triage", &triages),
        ("worklist", &worklists),
    ];
    for (name, (_, measured)) in report_names.iter().zip(&reports) {
        results.push((name.as_str(), measured));
    }
    for (name, result) in results {
        println!(
            "{name:16} n={:7} throughput={:8.0}/s p50={:6.2}ms p90={:6.2}ms p99={:6.2}ms max={:6.2}ms",
            result.count, result.per_second, result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(std::process::ExitCode::SUCCESS)
}

/// Bring the contacts up to `wanted`: about twenty per household over the past year, written
/// in bulk (loading is not what is measured), then the daily totals recounted.
async fn load_contacts(app: &App, wanted: usize) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    let (existing, households, author) = {
        let mut conn = app.store().reader().await?;
        let existing = spil_store::contacts::count(&mut conn).await? as usize;
        let households = spil_store::residents::households_with_team(&mut conn).await?;
        let author = spil_store::org::user_by_username(&mut conn, "anne")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo account anne"))?
            .id;
        (existing, households, author)
    };
    let missing = wanted.saturating_sub(existing);
    if missing == 0 || households.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(missing as u64);
    let mut rng = rand::rngs::StdRng::seed_from_u64(existing as u64);
    let today = spil_app::today();
    let kinds = [
        "huisbezoek",
        "telefonisch",
        "kantoor",
        "online",
        "school",
        "overleg",
        "mdo",
    ];
    let mut done = 0;
    while done < missing {
        let batch = (missing - done).min(20_000);
        let rows: Vec<(String, usize, String, i64, &str)> = (0..batch)
            .map(|_| {
                (
                    uuid::Uuid::now_v7().to_string(),
                    rng.gen_range(0..households.len()),
                    (today - chrono::Duration::days(rng.gen_range(0..365))).to_string(),
                    rng.gen_range(5..120),
                    kinds[rng.gen_range(0..kinds.len())],
                )
            })
            .collect();
        let contacts: Vec<spil_store::contacts::NewContact<'_>> = rows
            .iter()
            .map(
                |(id, h, date, minutes, kind)| spil_store::contacts::NewContact {
                    id,
                    household_id: &households[*h].0,
                    team_id: &households[*h].1,
                    kind,
                    date,
                    minutes: *minutes,
                    participants: "[]",
                    note: "",
                    sensitive: false,
                    author_id: &author,
                    created_at: spil_app::now_micros(),
                },
            )
            .collect();
        let mut tx = app.store().begin().await?;
        spil_store::contacts::insert_many(&mut tx, &contacts).await?;
        spil_store::commit(tx).await?;
        done += batch;
        bar.set_position(done as u64);
    }
    let mut tx = app.store().begin().await?;
    spil_store::contacts::rebuild_daily_totals(&mut tx).await?;
    spil_store::commit(tx).await?;
    bar.finish_and_clear();
    eprintln!("loaded {missing} contacts in {:.1?}", started.elapsed());
    Ok(())
}

/// A call on one of the given households, round robin, that must succeed.
fn on_household(
    ids: Arc<Vec<String>>,
    method: reqwest::Method,
    suffix: &'static str,
) -> impl Fn(
    reqwest::Client,
    String,
    String,
    usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send>>
       + Clone
       + Send
       + Sync
       + 'static {
    move |client, base, token, i| {
        let url = format!("{base}/api/v1/households/{}{suffix}", ids[i % ids.len()]);
        let method = method.clone();
        Box::pin(async move {
            let response = client
                .request(method, url)
                .bearer_auth(token)
                .send()
                .await?;
            anyhow::ensure!(
                response.status().is_success(),
                "status {}",
                response.status()
            );
            response.bytes().await?;
            Ok(())
        })
    }
}

/// The pure engine on the example family's facts and on varied ones: what one proposal costs.
fn triage_in_process() -> anyhow::Result<Measured> {
    use spil_domain::rules::Facts;
    let policy =
        spil_domain::policy::Policy::default_policy().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let domains: Vec<String> = policy.domains.iter().map(|d| d.key.clone()).collect();
    let cases: Vec<Facts> = (0..1000u64)
        .map(|i| Facts {
            scores: domains
                .iter()
                .enumerate()
                .filter(|(k, _)| (i as usize + k).is_multiple_of(3))
                .map(|(k, d)| {
                    (
                        d.clone(),
                        vec![
                            1 + ((i as usize + k) % 5) as u8,
                            1 + ((i as usize * 7 + k) % 5) as u8,
                        ],
                    )
                })
                .collect(),
            safety: (i % 4) as i64,
            safety_assessed: true,
            urgency: (i % 3) as i64,
            network_size: (i % 4) as i64,
            ages: vec![35, 43, 8, 6],
        })
        .collect();
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 1_000_000_000, 3)?;
    let started = Instant::now();
    for _ in 0..100 {
        for facts in &cases {
            let t = Instant::now();
            let proposal = spil_domain::triage::propose(&policy, facts);
            std::hint::black_box(&proposal);
            histogram.record((t.elapsed().as_nanos() as u64).max(1))?;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Measured {
        count: histogram.len(),
        per_second: histogram.len() as f64 / elapsed,
        p50_ms: histogram.value_at_quantile(0.50) as f64 / 1e6,
        p90_ms: histogram.value_at_quantile(0.90) as f64 / 1e6,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1e6,
        max_ms: histogram.max() as f64 / 1e6,
    })
}

async fn token(client: &reqwest::Client, base: &str, username: &str) -> anyhow::Result<String> {
    let response: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": username, "password": spil_app::demo::DEMO_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    response["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no token"))
}

struct Measured {
    count: u64,
    per_second: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

async fn measure<F, Fut>(
    name: &str,
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clients: usize,
    seconds: u64,
    op: F,
) -> anyhow::Result<Measured>
where
    F: Fn(reqwest::Client, String, String, usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    // Warm up connections and caches.
    for i in 0..clients * 4 {
        op(client.clone(), base.to_owned(), token.to_owned(), i).await?;
    }
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, base, token, op, counter) = (
            client.clone(),
            base.to_owned(),
            token.to_owned(),
            op.clone(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                op(client.clone(), base.clone(), token.clone(), i).await?;
                histogram.record(t.elapsed().as_micros().max(1) as u64)?;
            }
            anyhow::Ok(histogram)
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for task in tasks {
        all.add(task.await??)?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("measured {name}");
    Ok(Measured {
        count: all.len(),
        per_second: all.len() as f64 / elapsed,
        p50_ms: all.value_at_quantile(0.50) as f64 / 1000.0,
        p90_ms: all.value_at_quantile(0.90) as f64 / 1000.0,
        p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
        max_ms: all.max() as f64 / 1000.0,
    })
}

fn redact(url: &str) -> String {
    super::redact(url)
}

fn loader_url(url: &str) -> String {
    if !url.starts_with("postgres") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20synchronous_commit%3Doff")
}
