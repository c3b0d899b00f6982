//! Organisations (the network around households) and the region's postcode table, which
//! decides a household's municipality: the controller of its data follows the address.

use serde::{Deserialize, Serialize};
use spil_domain::access::{Action, Actor, Purpose, Subject};
use spil_domain::household::{BuurtCode, Postcode};
use spil_domain::org::{Identifier, OrganisationKind};
use spil_domain::{field, FieldError, FieldErrors};
use spil_store::org::{self, OrganisationRow, PostcodeArea};
use spil_store::Conn;
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::{new_id, now_micros, App, AppError, AppResult};

/// An organisation to add to the register.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrganisationInput {
    /// municipality, team_provider, huisarts, school, jgz, veilig_thuis,
    /// gecertificeerde_instelling, zorgaanbieder, woningcorporatie, welzijn, other.
    pub kind: String,
    pub name: String,
    /// AGB-code (8 digits): huisarts, JGZ, zorgaanbieder, GI, team provider.
    pub agb: Option<String>,
    /// KvK-nummer (8 digits): every kind but a municipality.
    pub kvk: Option<String>,
    /// OIN (20 digits).
    pub oin: Option<String>,
    /// BRIN (4 characters): schools only.
    pub brin: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub municipality_id: Option<String>,
    pub agb: Option<String>,
    pub kvk: Option<String>,
    pub oin: Option<String>,
    pub brin: Option<String>,
}

impl From<OrganisationRow> for OrganisationView {
    fn from(o: OrganisationRow) -> Self {
        OrganisationView {
            id: o.id,
            kind: o.kind,
            name: o.name,
            municipality_id: o.municipality_id,
            agb: o.agb,
            kvk: o.kvk,
            oin: o.oin,
            brin: o.brin,
        }
    }
}

/// Where an address lies: its municipality (the controller), wijk and buurt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Area {
    pub municipality_id: String,
    pub wijk_code: Option<String>,
    pub buurt_code: Option<String>,
}

/// The area of a postcode from the region's table; `OutsideRegion` when it has none.
pub(crate) async fn area_of(conn: &mut Conn, postcode: &Postcode) -> AppResult<Area> {
    match org::postcode_area(conn, postcode.as_str()).await? {
        Some(a) => Ok(Area {
            municipality_id: a.municipality_id,
            wijk_code: a.wijk_code,
            buurt_code: a.buurt_code,
        }),
        None => Err(AppError::invalid_field(
            "household.address.postcode",
            FieldError::OutsideRegion,
        )),
    }
}

fn wijk_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_uppercase();
    if code.len() == 8 && code.starts_with("WK") && code[2..].bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(FieldError::IdentifierInvalid)
    }
}

/// A postcode in the table: four digits (PC4) or a whole postcode (PC6).
fn table_postcode(raw: &str) -> Result<String, FieldError> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 4
        && compact.bytes().all(|b| b.is_ascii_digit())
        && !compact.starts_with('0')
    {
        Ok(compact)
    } else {
        Postcode::parse(raw).map(|p| p.as_str().to_owned())
    }
}

#[derive(Debug, Deserialize)]
struct PostcodeLine {
    postcode: String,
    municipality: String,
    wijk: Option<String>,
    buurt: Option<String>,
}

impl App {
    /// Replace the region's postcode table with a CSV of `postcode,municipality,wijk,buurt`
    /// (municipality as its CBS code, `GM0197`). Every line is checked first; one bad line
    /// refuses the whole file, naming the line and the field. Returns the number of rows.
    pub async fn load_postcodes(&self, by: Option<&str>, csv_text: &str) -> AppResult<usize> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(csv_text.as_bytes());
        let mut tx = self.store().begin().await?;
        let mut errors = FieldErrors::new();
        let mut rows = Vec::new();
        let mut municipalities = std::collections::HashMap::new();
        for (i, line) in reader.deserialize::<PostcodeLine>().enumerate() {
            let at = |f: &str| format!("line[{}].{f}", i + 2);
            let line = match line {
                Ok(line) => line,
                Err(_) => {
                    errors.add(at("postcode"), FieldError::Required);
                    continue;
                }
            };
            let postcode = errors.check(at("postcode"), table_postcode(&line.postcode));
            let cbs = line.municipality.to_uppercase();
            if !municipalities.contains_key(&cbs) {
                let found = org::municipality_by_cbs(&mut tx, &cbs).await?;
                municipalities.insert(cbs.clone(), found.map(|m| m.id));
            }
            let municipality = municipalities.get(&cbs).cloned().flatten();
            if municipality.is_none() {
                errors.add(
                    at("municipality"),
                    FieldError::Unknown {
                        allowed: "the CBS code of a municipality of the region",
                    },
                );
            }
            let wijk = match line.wijk.as_deref().filter(|w| !w.is_empty()) {
                Some(w) => errors.check(at("wijk"), wijk_code(w)).map(Some),
                None => Some(None),
            };
            let buurt = match line.buurt.as_deref().filter(|b| !b.is_empty()) {
                Some(b) => errors
                    .check(at("buurt"), BuurtCode::parse(b))
                    .map(|b| Some(b.as_str().to_owned())),
                None => Some(None),
            };
            if let (Some(postcode), Some(municipality_id), Some(wijk_code), Some(buurt_code)) =
                (postcode, municipality, wijk, buurt)
            {
                rows.push(PostcodeArea {
                    postcode,
                    municipality_id,
                    wijk_code,
                    buurt_code,
                });
            }
        }
        errors.into_result()?;
        rows.sort_by(|a, b| a.postcode.cmp(&b.postcode));
        if let Some(twice) = rows.windows(2).find(|w| w[0].postcode == w[1].postcode) {
            return Err(AppError::invalid_field(
                &format!("postcode {}", twice[0].postcode),
                FieldError::NotAllowed,
            ));
        }
        org::replace_postcodes(&mut tx, &rows).await?;
        let mut journal = Entries::system(by);
        journal.add(
            "region.postcodes_loaded",
            format!("Postcodetabel van de regio geladen: {} regels", rows.len()),
            serde_json::json!({ "rows": rows.len() }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(rows.len())
    }

    /// Add an organisation to the register.
    pub async fn add_organisation(
        &self,
        actor: &Actor,
        input: &OrganisationInput,
    ) -> AppResult<OrganisationView> {
        self.authorize(
            actor,
            &Subject::Organisations,
            Action::Write,
            Purpose::Administration,
            "add_organisation",
        )
        .await?;
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", OrganisationKind::parse(&input.kind));
        let name = errors.check("name", field::required_text(&input.name, 200));
        let mut id_of = |identifier: Identifier, path: &str, raw: &Option<String>| {
            let parsed = errors
                .check(path, identifier.parse(raw.as_deref()))
                .flatten();
            if let (Some(_), Some(kind)) = (&parsed, kind) {
                if !identifier.applies_to(kind) {
                    errors.add(path, FieldError::NotAllowed);
                }
            }
            parsed
        };
        let agb = id_of(Identifier::Agb, "agb", &input.agb);
        let kvk = id_of(Identifier::Kvk, "kvk", &input.kvk);
        let oin = id_of(Identifier::Oin, "oin", &input.oin);
        let brin = id_of(Identifier::Brin, "brin", &input.brin);
        if kind == Some(OrganisationKind::Municipality) {
            // Municipalities come with the region's configuration, not from a form.
            errors.add("kind", FieldError::NotAllowed);
        }
        errors.into_result()?;
        let (Some(kind), Some(name)) = (kind, name) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let row = OrganisationRow {
            id: new_id(),
            kind: kind.key().to_owned(),
            name,
            municipality_id: None,
            agb,
            kvk,
            oin,
            brin,
        };
        let mut tx = self.store().begin().await?;
        match org::insert_organisation(&mut tx, &row, now_micros()).await {
            Err(spil_store::StoreError::Conflict) => {
                return Err(AppError::conflict(
                    "organisation_exists",
                    "Er is al een organisatie met deze AGB-code, dit OIN of dit BRIN-nummer.",
                ))
            }
            other => other?,
        }
        let mut journal = Entries::system(Some(&actor.user_id));
        journal.add(
            "organisation.added",
            format!("Organisatie toegevoegd: {} ({})", row.name, kind.label()),
            serde_json::json!({ "organisation_id": row.id, "kind": row.kind }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(row.into())
    }

    /// The register, by name, optionally of one kind.
    pub async fn organisations(
        &self,
        actor: &Actor,
        kind: Option<&str>,
    ) -> AppResult<Vec<OrganisationView>> {
        let kind = match kind.filter(|k| !k.is_empty()) {
            Some(k) => {
                Some(OrganisationKind::parse(k).map_err(|e| AppError::invalid_field("kind", e))?)
            }
            None => None,
        };
        self.authorize(
            actor,
            &Subject::Organisations,
            Action::Read,
            Purpose::Administration,
            "read_organisations",
        )
        .await?;
        let mut conn = self.store().reader().await?;
        let rows = org::organisations(&mut conn, kind.map(|k| k.key()), 1000).await?;
        Ok(rows.into_iter().map(OrganisationView::from).collect())
    }
}
