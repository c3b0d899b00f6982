//! Reading the previous system's CSV files: a header that must be exactly the columns, rows
//! with their line numbers, its dates, and a use case's refusal in the file's column names.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Refused;
use crate::AppError;

/// One data row: its line and its fields by column.
pub(super) struct Row {
    pub(super) line: u64,
    fields: BTreeMap<String, String>,
}

impl Row {
    pub(super) fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", |v| v.as_str())
    }

    pub(super) fn optional(&self, column: &str) -> Option<String> {
        Some(self.get(column).to_owned()).filter(|v| !v.is_empty())
    }
}

/// The rows of a file whose header is exactly `columns` (in any order); a wrong header
/// refuses the whole file.
pub(super) fn rows(file: &'static str, text: &str, columns: &[&str]) -> Result<Vec<Row>, Refused> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Refused {
            file,
            line: 1,
            reason: format!("unreadable header: {e}"),
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    let unknown: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !columns.contains(h))
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        return Err(Refused {
            file,
            line: 1,
            reason: format!(
                "wrong header: missing [{}], unknown [{}]; expected {}",
                missing.join(", "),
                unknown.join(", "),
                columns.join(",")
            ),
        });
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Refused {
            file,
            line: e.position().map_or(0, |p| p.line()),
            reason: format!("unreadable row: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let fields = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        out.push(Row { line, fields });
    }
    Ok(out)
}

/// A date as the old system wrote it: `YYYY-MM-DD` or `dd-mm-jjjj`, as YYYY-MM-DD.
pub(super) fn iso_date(raw: &str) -> String {
    NaiveDate::parse_from_str(raw, "%d-%m-%Y")
        .map(|d| d.to_string())
        .unwrap_or_else(|_| raw.to_owned())
}

/// Why a use case refused a row, naming the columns.
pub(super) fn reason(error: &AppError, column_of: &dyn Fn(&str) -> String) -> String {
    match error {
        AppError::Invalid(fields) => fields
            .iter()
            .map(|(path, e)| format!("{}: {} ({e})", column_of(path), e.code()))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
