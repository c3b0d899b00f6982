//! `spil import`: take a previous system's CSV files in, with a progress bar and a report of
//! every refused row (file, line, reason).

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use spil_app::import::{ImportFiles, ImportReport};
use spil_app::App;

fn read(dir: &Path, name: &str, required: bool) -> anyhow::Result<Option<String>> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// Import `dir`'s households.csv, persons.csv and (if there) relations.csv, trajectories.csv
/// and contacts.csv as `username`; the refused rows go to `report` (default: refused.csv in dir).
pub async fn run(
    app: &App,
    username: &str,
    dir: &Path,
    report: Option<PathBuf>,
) -> anyhow::Result<ImportReport> {
    let files = ImportFiles {
        households: read(dir, "households.csv", true)?.unwrap_or_default(),
        persons: read(dir, "persons.csv", true)?.unwrap_or_default(),
        relations: read(dir, "relations.csv", false)?,
        trajectories: read(dir, "trajectories.csv", false)?,
        contacts: read(dir, "contacts.csv", false)?,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("rijen");
    let result = app
        .import(username, &files, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    let path = report.unwrap_or_else(|| dir.join("refused.csv"));
    let mut writer = csv::Writer::from_path(&path)?;
    writer.write_record(["file", "line", "reason"])?;
    for r in &result.refused {
        writer.write_record([r.file, &r.line.to_string(), &r.reason])?;
    }
    writer.flush()?;
    println!(
        "Import klaar: {} huishoudens, {} relaties, {} trajecten, {} contacten ingelezen; {} rijen waren al eerder ingelezen; {} rijen geweigerd (zie {}).",
        result.households,
        result.relations,
        result.trajectories,
        result.contacts,
        result.already_imported,
        result.refused.len(),
        path.display()
    );
    Ok(result)
}
