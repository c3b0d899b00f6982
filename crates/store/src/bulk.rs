//! Loading many rows at once (the demo and benchmark loader): multi-row inserts in chunks
//! that stay within both databases' limit on bound values. Not on any request path; the
//! caller validates what it writes, as a use case would.

use crate::{placeholders, Conn, Result, StoreError};

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

/// Bound values per statement. Both databases allow far more (SQLite 32,766, PostgreSQL
/// 65,535), but sqlx finds each SQLite parameter by its name, which grows with the square of
/// their number; about a hundred keep that small, and full chunks share one cached statement.
const MAX_VALUES: usize = 120;

/// Insert `rows` into `table` (`columns` in order), as few statements as the limit allows.
/// `on_conflict_ignore` skips rows whose key exists (search terms); otherwise a duplicate
/// key fails the whole load with [`StoreError::Conflict`].
pub async fn insert(
    conn: &mut Conn,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Value<'_>>],
    on_conflict_ignore: bool,
) -> Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let per_statement = (MAX_VALUES / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        if let Some(row) = chunk.iter().find(|row| row.len() != columns.len()) {
            return Err(StoreError::Corrupt(format!(
                "a row for {table} has {} values for {} columns",
                row.len(),
                columns.len()
            )));
        }
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}{}",
            columns.join(", "),
            placeholders(chunk.len(), columns.len()),
            if on_conflict_ignore {
                " ON CONFLICT DO NOTHING"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flatten() {
            query = match *value {
                Value::Text(v) => query.bind(v),
                Value::MaybeText(v) => query.bind(v),
                Value::Int(v) => query.bind(v),
                Value::MaybeInt(v) => query.bind(v),
            };
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}
