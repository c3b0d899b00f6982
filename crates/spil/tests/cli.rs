//! The `spil` command as an operator uses it.

use std::process::Command;

use sqlx::{Connection, Executor};

fn spil(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spil"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("spil: {e}"))
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_database() -> (TempDir, String) {
    let dir = std::env::temp_dir().join(format!("spil-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.join("spil.db").display());
    (TempDir(dir), url)
}

#[tokio::test]
async fn journal_verify_passes_on_a_demo_database_and_names_a_tampered_entry() {
    let (_dir, url) = temp_database();
    // More households than the look-up limit allows an account in a minute: the demo is a
    // bulk load and must not be throttled (found when `spil demo` stopped at 30).
    let demo = spil(&["demo", "--database", &url, "--households", "40"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(String::from_utf8_lossy(&demo.stdout).contains("Voorbeeldhuishouden"));

    let verify = spil(&["journal", "verify", "--database", &url]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("journal intact"));
    let checkpoint = spil(&["journal", "checkpoint", "--database", &url]);
    assert!(
        checkpoint.status.success(),
        "{}",
        String::from_utf8_lossy(&checkpoint.stderr)
    );
    let verify = spil(&["journal", "verify", "--database", &url]);
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("checked against checkpoint 1"),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute("UPDATE journal SET payload = '{\"forged\": true}' WHERE seq = 7")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conn.close().await.unwrap_or_else(|e| panic!("{e}"));

    let verify = spil(&["journal", "verify", "--database", &url]);
    assert_eq!(verify.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&verify.stderr);
    assert!(
        stderr.contains("entry 7") && stderr.contains("altered"),
        "{stderr}"
    );
}

#[test]
fn demo_refuses_a_database_with_real_accounts() {
    let (_dir, url) = temp_database();
    // An empty database gets a real account first: the migrations run, the team is missing.
    let add = Command::new(env!("CARGO_BIN_EXE_spil"))
        .args([
            "user",
            "add",
            "--database",
            &url,
            "--username",
            "beheer",
            "--name",
            "Beheerder",
            "--role",
            "admin",
        ])
        .env("SPIL_PASSWORD", "een lang wachtwoord")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let demo = spil(&["demo", "--database", &url, "--households", "1"]);
    assert!(!demo.status.success());
    assert!(String::from_utf8_lossy(&demo.stderr).contains("echte accounts"));
}

#[test]
fn user_add_reports_invalid_input_per_field() {
    let (_dir, url) = temp_database();
    let add = Command::new(env!("CARGO_BIN_EXE_spil"))
        .args([
            "user",
            "add",
            "--database",
            &url,
            "--username",
            "1x",
            "--name",
            "X",
            "--role",
            "wizard",
        ])
        .env("SPIL_PASSWORD", "geheim123")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(add.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&add.stderr);
    assert!(
        stderr.contains("username") && stderr.contains("role"),
        "{stderr}"
    );
}

#[test]
fn policy_check_accepts_the_default_policy_and_reports_errors_with_their_line() {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/default.toml");
    let ok = spil(&["policy", "check", default]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("valid"));

    let (dir, _) = temp_database();
    let broken = dir.0.join("broken.toml");
    let text = std::fs::read_to_string(default)
        .unwrap_or_default()
        .replace("route = \"crisis\"", "route = \"noodhulp\"");
    std::fs::write(&broken, &text).unwrap_or_else(|e| panic!("{e}"));
    let line = text
        .lines()
        .position(|l| l.contains("\"noodhulp\""))
        .map_or(0, |i| i + 1);
    let check = spil(&["policy", "check", &broken.to_string_lossy()]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains(&format!("broken.toml:{line}: unknown route 'noodhulp'")),
        "{stderr}"
    );
}
