//! Loading many rows at once (the demo and benchmark loader): multi-row inserts in chunks
//! that stay within both databases' limit on bound values. Not on any request path; the
//! caller validates what it writes, as a use case would.

use crate::{Conn, Result, StoreError};

/// One value of a row to insert.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    MaybeText(Option<&'a str>),
    Int(i64),
    MaybeInt(Option<i64>),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(value)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Value::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::MaybeText(value)
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::MaybeInt(value)
    }
}

impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Value::Int(i64::from(value))
    }
}

/// Rows per statement: each statement carries its rows as one JSON document (a few MB at
/// most), so a batch of thousands of rows costs a handful of statements, not thousands of
/// bound values — binding is what dominated the loader before (sqlx finds each SQLite
/// parameter by its name, a cost that grows with the square of their number).
const MAX_ROWS: usize = 5_000;

/// Insert `rows` into `table` (`columns` in order), as few statements as the limit allows.
/// `on_conflict_ignore` skips rows whose key exists (search terms); otherwise a duplicate
/// key fails the whole load with [`StoreError::Conflict`].
///
/// The one place where the SQL differs per backend: the rows arrive as a JSON array of
/// objects, which SQLite unpacks with `json_each` and PostgreSQL with
/// `json_populate_recordset` (typed by the table itself).
pub async fn insert(
    conn: &mut Conn,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Value<'_>>],
    on_conflict_ignore: bool,
) -> Result<()> {
    if columns.is_empty() || rows.is_empty() {
        return Ok(());
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    let sql = format!(
        "INSERT INTO {table} ({list}) SELECT {select} FROM {source} WHERE true{conflict}",
        list = columns.join(", "),
        select = if postgres {
            columns.join(", ")
        } else {
            columns
                .iter()
                .map(|c| format!("json_extract(value, '$.{c}')"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        source = if postgres {
            format!("json_populate_recordset(NULL::{table}, $1::json)")
        } else {
            "json_each($1)".to_owned()
        },
        conflict = if on_conflict_ignore {
            " ON CONFLICT DO NOTHING"
        } else {
            ""
        }
    );
    for chunk in rows.chunks(MAX_ROWS) {
        let document = json_rows(table, columns, chunk)?;
        sqlx::query(&sql)
            .bind(document)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// `[{"column": value, …}, …]`
fn json_rows(table: &str, columns: &[&'static str], rows: &[Vec<Value<'_>>]) -> Result<String> {
    let mut out = String::with_capacity(rows.len() * columns.len() * 24);
    out.push('[');
    for (n, row) in rows.iter().enumerate() {
        if row.len() != columns.len() {
            return Err(StoreError::Corrupt(format!(
                "a row for {table} has {} values for {} columns",
                row.len(),
                columns.len()
            )));
        }
        if n > 0 {
            out.push(',');
        }
        out.push('{');
        for (k, (column, value)) in columns.iter().zip(row).enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(column);
            out.push_str("\":");
            match *value {
                Value::Text(v) | Value::MaybeText(Some(v)) => push_json_string(&mut out, v),
                Value::Int(v) | Value::MaybeInt(Some(v)) => out.push_str(&v.to_string()),
                Value::MaybeText(None) | Value::MaybeInt(None) => out.push_str("null"),
            }
        }
        out.push('}');
    }
    out.push(']');
    Ok(out)
}

fn push_json_string(out: &mut String, value: &str) {
    // serde_json writes a valid JSON string for any Rust string.
    match serde_json::to_string(value) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_one_json_document_with_every_kind_of_value() {
        let rows = vec![
            vec![Value::Text("a\"b"), Value::Int(3), Value::MaybeText(None)],
            vec![
                Value::Text("é"),
                Value::MaybeInt(None),
                Value::MaybeText(Some("x")),
            ],
        ];
        let json = json_rows("t", &["s", "n", "m"], &rows).unwrap_or_default();
        assert_eq!(
            json,
            r#"[{"s":"a\"b","n":3,"m":null},{"s":"é","n":null,"m":"x"}]"#
        );
        assert!(matches!(
            json_rows("t", &["s"], &rows),
            Err(StoreError::Corrupt(_))
        ));
    }
}
