//! Relations from the previous system beyond what a household's members say: a parent or
//! grandparent in another household, a voogd (a person or a gecertificeerde instelling), a
//! curator, mentor or bewindvoerder. Each goes through the same use case as
//! `POST /api/v1/persons/{id}/relations`, so the same rules (gezag only over a minor and never
//! twice for one pair at once, no relation to oneself, an end not before its start).

use spil_domain::access::Actor;
use spil_store::org;

use super::rows::{iso_date, reason, Row};
use crate::persons::RelationInput;
use crate::{App, AppResult};

pub(super) const RELATION_COLUMNS: &[&str] = &[
    "relation_id",
    "person_id",
    "kind",
    "to_person_id",
    "to_organisation",
    "gezag",
    "valid_from",
    "valid_to",
];

/// The column a refusal of the relation use case belongs to.
fn relation_column(path: &str) -> String {
    match path {
        "to_organisation_id" => "to_organisation".into(),
        other => other.to_owned(),
    }
}

impl App {
    /// One relation of an imported person, to another imported person or to an organisation
    /// Spil knows (by its AGB, KvK or OIN number, or Spil's id). `Ok(false)`: imported before.
    pub(super) async fn import_relation(&self, actor: &Actor, r: &Row) -> Result<bool, String> {
        let source = r.get("relation_id");
        if source.is_empty() {
            return Err("relation_id: required".into());
        }
        if self.imported("relation", source).await?.is_some() {
            return Ok(false);
        }
        let person = self
            .imported("person", r.get("person_id"))
            .await?
            .ok_or("person_id: not imported (see persons.csv)")?;
        let to_person_id = match r.optional("to_person_id") {
            Some(other) => Some(
                self.imported("person", &other)
                    .await?
                    .ok_or("to_person_id: not imported (see persons.csv)")?,
            ),
            None => None,
        };
        let to_organisation_id = match r.optional("to_organisation") {
            Some(identifier) => Some(self.organisation_by_identifier(&identifier).await?),
            None => None,
        };
        let gezag = match r.get("gezag") {
            "ja" | "yes" | "true" | "1" => Some(true),
            "nee" | "no" | "false" | "0" | "" => Some(false),
            other => return Err(format!("gezag: '{other}' is not ja or nee")),
        };
        let input = RelationInput {
            kind: r.get("kind").to_owned(),
            to_person_id,
            to_organisation_id,
            gezag,
            valid_from: iso_date(r.get("valid_from")),
            valid_to: r.optional("valid_to").map(|d| iso_date(&d)),
        };
        let added = self
            .add_relation(actor, &person, &input)
            .await
            .map_err(|e| reason(&e, &relation_column))?;
        self.remember("relation", source, &added.id).await?;
        Ok(true)
    }

    /// The organisation one identifier names: exactly one, or a refusal saying why.
    async fn organisation_by_identifier(&self, identifier: &str) -> Result<String, String> {
        let found = async {
            let mut conn = self.store().reader().await?;
            AppResult::Ok(org::organisations_by_identifier(&mut conn, identifier).await?)
        };
        let found = found.await.map_err(|e| e.to_string())?;
        match found.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(format!(
                "to_organisation: no organisation with AGB, KvK, OIN or id '{identifier}'"
            )),
            _ => Err(format!(
                "to_organisation: '{identifier}' names more than one organisation"
            )),
        }
    }
}
