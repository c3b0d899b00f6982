//! Statements built at run time (search, filtered lists) with every value bound, never
//! spliced: the builder hands out `$n` placeholders and binds the values in order.

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::Any;

/// A bound value of a dynamically built statement.
enum Value {
    Text(String),
    Int(i64),
}

#[derive(Default)]
pub(crate) struct Builder {
    values: Vec<Value>,
}

impl Builder {
    /// The placeholder for a text value.
    pub(crate) fn text(&mut self, value: impl Into<String>) -> String {
        self.values.push(Value::Text(value.into()));
        format!("${}", self.values.len())
    }

    /// The placeholder for an integer value.
    pub(crate) fn int(&mut self, value: i64) -> String {
        self.values.push(Value::Int(value));
        format!("${}", self.values.len())
    }

    /// Placeholders for a list (`NULL` for none, which matches nothing in `IN (…)`).
    pub(crate) fn list(&mut self, values: &[String]) -> String {
        if values.is_empty() {
            return "NULL".to_owned();
        }
        values
            .iter()
            .map(|v| self.text(v.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Bind the values, in order, to a query over `sql`.
    pub(crate) fn bind<'q, T>(
        self,
        mut query: QueryAs<'q, Any, T, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, T, AnyArguments<'q>> {
        for value in self.values {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Int(int) => query.bind(int),
            };
        }
        query
    }
}
