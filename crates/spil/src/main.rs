//! `spil`: run the server, fill a demo database, manage accounts, verify the journal, bench.

mod bench;
mod import;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use spil_app::users::NewUserInput;
use spil_app::App;
use spil_domain::policy::{Policy, PolicyError};
use spil_web::{Application, Settings};

#[derive(Parser)]
#[command(
    name = "spil",
    version,
    about = "Spil: one household-centred system for the strong local team"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// sqlite://FILE (embedded, the default) or postgres://USER:PASSWORD@HOST/DB
    #[arg(long, env = "SPIL_DATABASE_URL", default_value = "sqlite://spil.db")]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages and API). Migrations run at start.
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Address to listen on.
        #[arg(long, env = "SPIL_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Do not mark cookies Secure (only for plain-HTTP set-ups that are not localhost).
        /// The variable takes true/false, 1/0, yes/no or on/off.
        #[arg(long, env = "SPIL_INSECURE_COOKIES", action = clap::ArgAction::SetTrue,
              value_parser = clap::builder::BoolishValueParser::new())]
        insecure_cookies: bool,
        /// The region's policy file (default: the policy that ships with Spil).
        #[arg(long, env = "SPIL_POLICY")]
        policy: Option<std::path::PathBuf>,
        /// A municipality's additions to the region's policy, as MUNICIPALITY_ID=FILE (repeatable).
        #[arg(long = "policy-addition", value_name = "MUNICIPALITY=FILE")]
        policy_additions: Vec<String>,
        /// A folder of municipality token themes (`<code>.css`, see themes/README.md), added to
        /// the built-in ones.
        #[arg(long, env = "SPIL_THEMES_DIR")]
        themes: Option<std::path::PathBuf>,
    },
    /// Import a previous system's CSV files (households.csv, persons.csv, trajectories.csv,
    /// contacts.csv; see docs/import.md) through Spil's own rules, acting as one account. Refused
    /// rows are written to a report; a second run of the same files changes nothing.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// The account the import acts as (a coordinator of the team, say); it is journalled.
        #[arg(long = "as", value_name = "USERNAME")]
        username: String,
        /// The folder with the CSV files.
        #[arg(long, value_name = "DIR")]
        dir: std::path::PathBuf,
        /// Where the refused rows go (default: DIR/refused.csv).
        #[arg(long, value_name = "FILE")]
        report: Option<std::path::PathBuf>,
    },
    /// Fill a new database with a demo region, its accounts (password "demo"), the example
    /// household of seed 001 and synthetic households.
    Demo {
        #[command(flatten)]
        db: DatabaseArg,
        /// How many synthetic households the demo holds; a second run adds only the missing ones.
        #[arg(long, default_value_t = 200)]
        households: usize,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The hash-chained journal.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Regional policy files (life domains, levels, routes, bandwidth rules, glossary).
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Load the region's postcode table (CSV: postcode,municipality,wijk,buurt; the
    /// municipality as its CBS code). It decides each household's municipality.
    Postcodes {
        #[command(flatten)]
        db: DatabaseArg,
        /// The CSV file (the demo's is policy/postcodes.csv).
        file: std::path::PathBuf,
    },
    /// Measure the HTTP stack: p50/p99 of reading a household and registering one.
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account. The password is read from SPIL_PASSWORD or asked for.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// professional, coordinator, doorbraakregisseur, policy, privacy_officer or admin
        #[arg(long)]
        role: String,
        /// Team name (for professional, coordinator, doorbraakregisseur).
        #[arg(long)]
        team: Option<String>,
        /// Municipality id (for policy and privacy officer).
        #[arg(long)]
        municipality: Option<String>,
        /// professional (default), partner, resident or service.
        #[arg(long)]
        kind: Option<String>,
        /// The employer, or the partner organisation (its id).
        #[arg(long)]
        organisation: Option<String>,
        /// The person a resident account belongs to (its id).
        #[arg(long)]
        person: Option<String>,
        /// Further teams a professional works in (names; repeatable).
        #[arg(long = "also-team")]
        also_teams: Vec<String>,
        /// SKJ or BIG registration as REGISTER:NUMBER[:VALID_TO], e.g. skj:110001234:2028-12-31.
        #[arg(long)]
        registration: Option<String>,
        #[arg(long, env = "SPIL_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a policy file; prints each error with its line and exits 1 when there are any.
    Check {
        /// The TOML file.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Check every chain (keyed MACs over digests of the content) and the latest signed
    /// checkpoint outside the database; exits 1 and names the first broken entry if any was
    /// altered, removed or reordered, or the database is behind the checkpoint.
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Make a signed checkpoint over every chain head now (the server makes one every ten
    /// minutes) and append it to the checkpoint file.
    Checkpoint {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("spil: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("spil: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            insecure_cookies,
            policy,
            policy_additions,
            themes,
        } => {
            let settings = Settings {
                database_url: db.database.clone(),
                listen,
                secure_cookies: !insecure_cookies,
                idle_timeout: spil_web::IDLE_TIMEOUT,
                themes_dir: themes,
            };
            let policies = load_policies(policy.as_deref(), &policy_additions)?;
            let application = Application::build(&settings, policies).await?;
            let addr = application.local_addr()?;
            tracing::info!(%addr, database = %redact(&db.database), "Spil is listening");
            println!("Spil draait op http://{addr}/");
            application.run_until_stopped().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            db,
            username,
            dir,
            report,
        } => {
            let app = spil_app::App::connect_configured(
                &db.database,
                spil_app::PolicySet::default_policy()?,
                loading_config(&db.database)?,
            )
            .await?;
            let result = import::run(&app, &username, &dir, report).await?;
            Ok(if result.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                // Some rows were refused: the report says which.
                ExitCode::from(2)
            })
        }
        Command::Demo { db, households } => {
            let app = spil_app::App::connect_configured(
                &db.database,
                spil_app::PolicySet::default_policy()?,
                loading_config(&db.database)?,
            )
            .await?;
            let bar = ProgressBar::new(households as u64);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message("huishoudens");
            let seeded = app.seed_demo(households, &|n| bar.set_position(n)).await?;
            bar.finish();
            if let Some(id) = seeded.example_household_id {
                println!("Voorbeeldhuishouden (Bas, Ingrid, Milan en Fenna): {id}");
            }
            println!(
                "Demo klaar: {} synthetische huishoudens toegevoegd, {} in totaal. Accounts anne, bram, chris, fatima, gert (wachtwoord: demo).",
                seeded.households, seeded.total
            );
            if seeded.total > 15_000 {
                println!(
                    "Per 5.000 huishoudens is er een extra team met vijf accounts: p001-1 … p001-5, p002-1 … (wachtwoord: demo)."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    name,
                    role,
                    team,
                    municipality,
                    kind,
                    organisation,
                    person,
                    also_teams,
                    registration,
                    password,
                },
        } => {
            let app = App::connect(&db.database).await?;
            let also: Vec<&str> = also_teams.iter().map(String::as_str).collect();
            let parts: Vec<&str> = registration
                .as_deref()
                .map(|r| r.splitn(3, ':').collect())
                .unwrap_or_default();
            let input = NewUserInput {
                username: &username,
                display_name: &name,
                password: &password,
                role: &role,
                team: team.as_deref(),
                municipality_id: municipality.as_deref(),
                kind: kind.as_deref(),
                organisation_id: organisation.as_deref(),
                person_id: person.as_deref(),
                registration: match parts.as_slice() {
                    [register, number] => Some((register, number, None)),
                    [register, number, valid_to] => Some((register, number, Some(*valid_to))),
                    [] => None,
                    _ => Some(("", "", None)),
                },
                also_teams: &also,
            };
            match app.add_user(&input, None).await {
                Ok(id) => {
                    println!("Account {username} aangemaakt ({id}).");
                    Ok(ExitCode::SUCCESS)
                }
                Err(spil_app::AppError::Invalid(fields)) => {
                    for (field, error) in fields.iter() {
                        eprintln!("spil: {field}: {error}");
                    }
                    Ok(ExitCode::from(2))
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Postcodes { db, file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let app = App::connect(&db.database).await?;
            match app.load_postcodes(None, &text).await {
                Ok(rows) => {
                    println!("{}: {rows} postcodes loaded", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(spil_app::AppError::Invalid(errors)) => {
                    for (field, error) in errors.iter() {
                        eprintln!("{}: {field}: {error}", file.display());
                    }
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Journal {
            command: JournalCommand::Verify { db },
        } => {
            let app = App::connect(&db.database).await?;
            let verified = app.verify_journal().await?;
            if let Some(found) = &verified.first_break {
                eprintln!("journal BROKEN: {found}");
            }
            if let Some(error) = &verified.checkpoint_error {
                eprintln!("journal BROKEN: {error}");
            }
            if !verified.is_intact() {
                return Ok(ExitCode::FAILURE);
            }
            let report = verified
                .report
                .unwrap_or(spil_domain::journal::ChainReport {
                    entries: 0,
                    erased: 0,
                });
            println!(
                "journal intact: {} entries verified ({} with erased content)",
                report.entries, report.erased
            );
            match verified.checkpoint {
                Some(cp) => println!(
                    "checked against checkpoint {} of {} ({} chains, {} entries; public key {})",
                    cp.id,
                    spil_app::micros_to_datetime(cp.at).format("%Y-%m-%d %H:%M:%S UTC"),
                    cp.streams,
                    cp.entries,
                    cp.public_key
                ),
                None => println!(
                    "no checkpoint yet: removal of the newest entries cannot be ruled out (run `spil journal checkpoint`)"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Journal {
            command: JournalCommand::Checkpoint { db },
        } => {
            let app = App::connect(&db.database).await?;
            match app.checkpoint_journal().await? {
                Some(cp) => {
                    println!(
                        "checkpoint {}: {} chains, {} entries, digest {}",
                        cp.id, cp.streams, cp.entries, cp.digest
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("spil: no checkpoint file configured (SPIL_JOURNAL_CHECKPOINTS)");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            match spil_domain::policy::Policy::parse(&text) {
                Ok(policy) => {
                    println!(
                        "{}: valid — {} ({} domains, {} rules, version {})",
                        file.display(),
                        policy.name,
                        policy.domains.len(),
                        policy.rules.len(),
                        policy.version
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for error in errors {
                        eprintln!("{}:{}: {}", file.display(), error.line, error.message);
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Bench(args) => bench::run(args).await,
    }
}

fn read_policy(
    path: &std::path::Path,
    parse: impl FnOnce(&str) -> Result<Policy, Vec<PolicyError>>,
) -> anyhow::Result<Policy> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}: {}", path.display(), e.line, e.message))
            .collect();
        anyhow::anyhow!("invalid policy:\n{}", lines.join("\n"))
    })
}

/// The region's policy (a file, or the default) and each municipality's additions.
fn load_policies(
    region: Option<&std::path::Path>,
    additions: &[String],
) -> anyhow::Result<spil_app::PolicySet> {
    let mut set = spil_app::PolicySet::default_policy()?;
    if let Some(path) = region {
        set.region = std::sync::Arc::new(read_policy(path, Policy::parse)?);
    }
    for addition in additions {
        let (municipality, path) = addition.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--policy-addition takes MUNICIPALITY_ID=FILE, not {addition}")
        })?;
        let local = read_policy(std::path::Path::new(path), |text| {
            set.region.with_addition(text)
        })?;
        set.municipalities
            .insert(municipality.to_owned(), std::sync::Arc::new(local));
    }
    Ok(set)
}

/// The configuration for filling a database in bulk (demo, benchmark): the same journal key,
/// but no limit on identity look-ups, which a loader makes thousands of a minute.
pub(crate) fn loading_config(url: &str) -> anyhow::Result<spil_app::config::Config> {
    let mut config = spil_app::config::Config::from_env(url)?;
    config.limits.lookups_per_minute = i64::MAX;
    Ok(config)
}

/// Never print a database password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    /// Found by a newcomer: `SPIL_INSECURE_COOKIES=1` was refused; only `true` worked.
    #[test]
    fn insecure_cookies_takes_the_usual_spellings_of_yes_and_no() {
        let parse = |value: &str| {
            std::env::set_var("SPIL_INSECURE_COOKIES", value);
            let parsed = Cli::try_parse_from(["spil", "serve"]);
            std::env::remove_var("SPIL_INSECURE_COOKIES");
            match parsed.map(|cli| cli.command) {
                Ok(Command::Serve {
                    insecure_cookies, ..
                }) => Some(insecure_cookies),
                _ => None,
            }
        };
        for (value, expected) in [
            ("1", Some(true)),
            ("true", Some(true)),
            ("yes", Some(true)),
            ("0", Some(false)),
            ("false", Some(false)),
            ("bogus", None),
        ] {
            assert_eq!(parse(value), expected, "{value}");
        }
    }
}
