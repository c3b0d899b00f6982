//! The central front door: a registration for a new or an existing household.

use chrono::{DateTime, NaiveDate, Utc};
use spil_domain::access::{decide, may_register, Action, Actor, Denial, Purpose, Subject};
use spil_domain::field::optional_text;
use spil_domain::household::{parse_house_number, BuurtCode, Postcode, Relation};
use spil_domain::person::{
    parse_email, parse_initials, parse_name, parse_name_prefix, parse_phone, BirthDate, Bsn,
    CommunicationNeeds, Gender, Pace,
};
use spil_domain::registration::{parse_question, Route, Urgency};
use spil_domain::relation::{self, RelationKind};
use spil_domain::trajectory::TrajectoryStatus;
use spil_domain::{FieldError, FieldErrors};
use spil_store::{access_log, org, residents, trajectories, Conn};

use crate::journal::Entries;
use crate::views::*;
use crate::{new_id, today, App, AppError, AppResult};

/// Most members one registration may bring; more is a data-entry error, not a household.
const MAX_MEMBERS: usize = 20;

#[derive(Debug, Clone)]
pub(crate) struct NewPerson {
    pub given_name: String,
    family_name: String,
    birth_date: BirthDate,
    bsn: Option<Bsn>,
    phone: Option<String>,
    email: Option<String>,
    confirm_bsn_known: bool,
    details: PersonDetails,
}

/// Write a new person.
pub(crate) async fn insert_new_person(
    conn: &mut Conn,
    id: &str,
    p: &NewPerson,
    now: i64,
) -> AppResult<()> {
    residents::insert_person(
        conn,
        &residents::NewPerson {
            id,
            given_name: &p.given_name,
            family_name: &p.family_name,
            birth_date: &p.birth_date.to_string(),
            bsn: p.bsn.as_ref().map(Bsn::as_str),
            phone: p.phone.as_deref(),
            email: p.email.as_deref(),
            created_at: now,
            gender: p.details.gender.key(),
            name_prefix: p.details.name_prefix.as_deref(),
            initials: p.details.initials.as_deref(),
            language: p.details.communication.language.as_deref(),
            interpreter: p.details.communication.interpreter,
            pace: p.details.communication.pace.map(|p| p.key()),
            communication_note: p.details.communication.note.as_deref(),
        },
    )
    .await?;
    Ok(())
}

/// What a person is beyond names and numbers: gender, voorvoegsel, initials, how to talk.
#[derive(Debug, Clone)]
pub(crate) struct PersonDetails {
    pub gender: Gender,
    pub name_prefix: Option<String>,
    pub initials: Option<String>,
    pub communication: CommunicationNeeds,
}

/// A member is a new person, or a person Spil knows already (a child who also lives with the
/// other parent, someone moving in).
#[derive(Debug, Clone)]
enum Person {
    New(Box<NewPerson>),
    Existing(String),
}

#[derive(Debug, Clone)]
struct Member {
    person: Person,
    relation: Relation,
    parental_authority: bool,
}

#[derive(Debug, Clone)]
struct NewHousehold {
    street: String,
    house_number: String,
    postcode: Postcode,
    city: String,
    buurt_code: Option<BuurtCode>,
    members: Vec<Member>,
}

#[derive(Debug, Clone)]
enum Target {
    Existing(String),
    New(NewHousehold),
}

#[derive(Debug, Clone)]
struct Registration {
    route: Route,
    referrer_name: Option<String>,
    referrer_organisation: Option<String>,
    referrer_contact: Option<String>,
    question: String,
    urgency: Urgency,
    received_at: i64,
    target: Target,
}

/// `YYYY-MM-DD` (taken as noon UTC, so the date survives any time zone) or RFC 3339; not
/// in the future (five minutes of clock skew allowed).
fn parse_received_at(raw: Option<&str>, now: DateTime<Utc>) -> Result<i64, FieldError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(now.timestamp_micros());
    };
    let at = if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        date.and_hms_opt(12, 0, 0)
            .map(|dt| dt.and_utc())
            .ok_or(FieldError::DateInvalid)?
    } else {
        DateTime::parse_from_rfc3339(raw)
            .map_err(|_| FieldError::DateInvalid)?
            .with_timezone(&Utc)
    };
    if at.date_naive() > now.date_naive()
        || at > now + chrono::Duration::minutes(5) && raw.len() > 10
    {
        return Err(FieldError::DateInFuture);
    }
    if at.date_naive() < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() {
        return Err(FieldError::DateBefore1900);
    }
    Ok(at.timestamp_micros())
}

fn parse_member(
    errors: &mut FieldErrors,
    path: &str,
    m: &MemberInput,
    today: NaiveDate,
) -> Option<Member> {
    let relation = errors.check(format!("{path}.relation"), Relation::parse(&m.relation));
    let parental_authority = m.parental_authority.unwrap_or(false);
    if let Some(person_id) = m
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        return Some(Member {
            person: Person::Existing(person_id.to_owned()),
            relation: relation?,
            parental_authority,
        });
    }
    Some(Member {
        person: Person::New(Box::new(parse_new_person(errors, path, m, today)?)),
        relation: relation?,
        parental_authority,
    })
}

/// A new person from a member of a form: names, birth date, BSN, contact, details.
pub(crate) fn parse_new_person(
    errors: &mut FieldErrors,
    path: &str,
    m: &MemberInput,
    today: NaiveDate,
) -> Option<NewPerson> {
    let given_name = errors.check(format!("{path}.given_name"), parse_name(&m.given_name));
    let family_name = errors.check(format!("{path}.family_name"), parse_name(&m.family_name));
    let birth_date = errors.check(
        format!("{path}.birth_date"),
        BirthDate::parse(&m.birth_date, today),
    );
    let bsn = match m.bsn.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(raw) => errors
            .check(format!("{path}.bsn"), Bsn::parse(raw))
            .map(Some),
        None => Some(None),
    };
    let phone = errors.check(format!("{path}.phone"), parse_phone(m.phone.as_deref()));
    let email = errors.check(format!("{path}.email"), parse_email(m.email.as_deref()));
    let details = parse_details(errors, path, m);
    Some(NewPerson {
        given_name: given_name?,
        family_name: family_name?,
        birth_date: birth_date?,
        bsn: bsn?,
        phone: phone?,
        email: email?,
        confirm_bsn_known: m.confirm_bsn_known.unwrap_or(false),
        details: details?,
    })
}

/// Gender, voorvoegsel, initials and communication needs of a member.
pub(crate) fn parse_details(
    errors: &mut FieldErrors,
    path: &str,
    m: &MemberInput,
) -> Option<PersonDetails> {
    let gender = match m.gender.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => errors.check(format!("{path}.gender"), Gender::parse(g)),
        None => Some(Gender::Unknown),
    };
    let name_prefix = errors.check(
        format!("{path}.name_prefix"),
        parse_name_prefix(m.name_prefix.as_deref()),
    );
    let initials = errors.check(
        format!("{path}.initials"),
        parse_initials(m.initials.as_deref()),
    );
    let language = errors.check(
        format!("{path}.language"),
        optional_text(m.language.as_deref(), 40),
    );
    let pace = match m.pace.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => errors
            .check(format!("{path}.pace"), Pace::parse(p))
            .map(Some),
        None => Some(None),
    };
    let note = errors.check(
        format!("{path}.communication_note"),
        optional_text(m.communication_note.as_deref(), 500),
    );
    Some(PersonDetails {
        gender: gender?,
        name_prefix: name_prefix?,
        initials: initials?,
        communication: CommunicationNeeds {
            language: language?,
            interpreter: m.interpreter.unwrap_or(false),
            pace: pace?,
            note: note?,
        },
    })
}

fn parse_new_household(
    errors: &mut FieldErrors,
    h: &NewHouseholdInput,
    today: NaiveDate,
) -> Option<NewHousehold> {
    let a = &h.address;
    let street = errors.check(
        "household.address.street",
        spil_domain::field::required_text(&a.street, 120),
    );
    let house_number = errors.check(
        "household.address.house_number",
        parse_house_number(&a.house_number),
    );
    let postcode = errors.check("household.address.postcode", Postcode::parse(&a.postcode));
    let city = errors.check(
        "household.address.city",
        spil_domain::field::required_text(&a.city, 80),
    );
    let buurt_code = match a
        .buurt_code
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        Some(raw) => errors
            .check("household.address.buurt_code", BuurtCode::parse(raw))
            .map(Some),
        None => Some(None),
    };
    if h.members.is_empty() {
        errors.add("household.members", FieldError::Empty);
    }
    if h.members.len() > MAX_MEMBERS {
        errors.add(
            "household.members",
            FieldError::TooLong { max: MAX_MEMBERS },
        );
    }
    let members: Vec<Option<Member>> = h
        .members
        .iter()
        .take(MAX_MEMBERS)
        .enumerate()
        .map(|(i, m)| parse_member(errors, &format!("members[{i}]"), m, today))
        .collect();
    // The same BSN twice in one household is a typing error.
    let mut seen = std::collections::HashSet::new();
    for (i, m) in members.iter().enumerate() {
        if let Some(Member {
            person: Person::New(p),
            ..
        }) = m
        {
            let Some(bsn) = &p.bsn else { continue };
            if !seen.insert(bsn.as_str().to_owned()) {
                errors.add(format!("members[{i}].bsn"), FieldError::NotAllowed);
            }
        }
    }
    Some(NewHousehold {
        street: street?,
        house_number: house_number?,
        postcode: postcode?,
        city: city?,
        buurt_code: buurt_code?,
        members: members.into_iter().collect::<Option<Vec<_>>>()?,
    })
}

fn parse(input: &RegistrationInput, now: DateTime<Utc>) -> Result<Registration, FieldErrors> {
    let today = now.date_naive();
    let mut errors = FieldErrors::new();
    let route = errors.check("route", Route::parse(&input.route));
    let question = errors.check("question", parse_question(&input.question));
    let urgency = match input.urgency.as_deref() {
        None | Some("") => Some(Urgency::Normal),
        Some(raw) => errors.check("urgency", Urgency::parse(raw)),
    };
    let received_at = errors.check(
        "received_at",
        parse_received_at(input.received_at.as_deref(), now),
    );
    let referrer = input.referrer.clone().unwrap_or_default();
    let referrer_name = errors.check(
        "referrer.name",
        optional_text(referrer.name.as_deref(), 120),
    );
    let referrer_organisation = errors.check(
        "referrer.organisation",
        optional_text(referrer.organisation.as_deref(), 120),
    );
    let referrer_contact = errors.check(
        "referrer.contact",
        optional_text(referrer.contact.as_deref(), 200),
    );
    let target = match (&input.household_id, &input.household) {
        (Some(_), Some(_)) => {
            errors.add("household", FieldError::NotAllowed);
            None
        }
        (Some(id), None) if !id.trim().is_empty() => Some(Target::Existing(id.trim().to_owned())),
        (_, Some(h)) => parse_new_household(&mut errors, h, today).map(Target::New),
        _ => {
            errors.add("household", FieldError::Required);
            None
        }
    };
    errors.clone().into_result()?;
    match (
        route,
        question,
        urgency,
        received_at,
        referrer_name,
        referrer_organisation,
        referrer_contact,
        target,
    ) {
        (
            Some(route),
            Some(question),
            Some(urgency),
            Some(received_at),
            Some(rn),
            Some(ro),
            Some(rc),
            Some(target),
        ) => Ok(Registration {
            route,
            referrer_name: rn,
            referrer_organisation: ro,
            referrer_contact: rc,
            question,
            urgency,
            received_at,
            target,
        }),
        _ => Err(errors),
    }
}

impl App {
    /// Feedback for the referrer of a registration: received, contact made, closed — status
    /// only, and only when the household agreed and an outside party referred.
    pub async fn referrer_feedback(
        &self,
        actor: &Actor,
        registration_id: &str,
    ) -> AppResult<Vec<FeedbackEvent>> {
        let facts = {
            let mut conn = self.store().reader().await?;
            residents::feedback_facts(&mut conn, registration_id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        self.authorize_read(
            actor,
            &facts.household_id,
            Action::Read,
            "read_referrer_feedback",
        )
        .await?;
        let external = Route::parse(&facts.route).is_ok_and(Route::has_external_referrer);
        if facts.feedback_consent != 1 || !external {
            return Ok(Vec::new());
        }
        let mut events = vec![FeedbackEvent {
            event: "received".into(),
            at: crate::micros_to_datetime(facts.received_at),
            follow_up: None,
        }];
        if let Some(at) = facts
            .first_contact
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(12, 0, 0))
        {
            events.push(FeedbackEvent {
                event: "contact_made".into(),
                at: at.and_utc(),
                follow_up: None,
            });
        }
        if let Some(closed) = facts.closed_at {
            // The referrer hears whether support goes on elsewhere, never why it ended.
            let follow_up = facts
                .close_reason
                .as_deref()
                .and_then(|r| spil_domain::trajectory::CloseReason::parse(r).ok())
                .is_some_and(spil_domain::trajectory::CloseReason::with_follow_up);
            events.push(FeedbackEvent {
                event: "closed".into(),
                follow_up: Some(follow_up),
                at: crate::micros_to_datetime(closed),
            });
        }
        Ok(events)
    }

    /// A known person may join a new household only when the professional may see one of the
    /// households the person lives in now; returns the person's given name.
    async fn linkable_person(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        person_id: &str,
        index: usize,
    ) -> AppResult<String> {
        let path = format!("members[{index}].person_id");
        let person = residents::person(conn, person_id).await?.ok_or_else(|| {
            AppError::invalid_field(
                &path,
                FieldError::Unknown {
                    allowed: "an existing person",
                },
            )
        })?;
        for household_id in residents::current_households_of(conn, person_id).await? {
            if self
                .decision(conn, actor, &household_id, Action::Read)
                .await?
                .is_allowed()
            {
                return Ok(person.given_name);
            }
        }
        Err(AppError::invalid_field(&path, FieldError::NotAllowed))
    }

    /// Possible duplicates of the members of a new household, for the professional to look at
    /// before registering. Household ids are given only where the caller may open them.
    pub async fn possible_duplicates(
        &self,
        actor: &Actor,
        input: &RegistrationInput,
    ) -> AppResult<Vec<DuplicateView>> {
        if !may_register(actor) {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        }
        let Some(household) = &input.household else {
            return Ok(Vec::new());
        };
        let mut errors = FieldErrors::new();
        let members: Vec<Member> = household
            .members
            .iter()
            .take(MAX_MEMBERS)
            .enumerate()
            .filter_map(|(i, m)| parse_member(&mut errors, &format!("members[{i}]"), m, today()))
            .collect();
        self.duplicates_of(actor, &members).await
    }

    /// An identity look-up at the front door: rate-limited per account (in the database, so
    /// every server counts alike), logged with its purpose before anything is read, limited to
    /// the caller's municipality, and detailed only for matches in households the caller may
    /// open.
    async fn duplicates_of(
        &self,
        actor: &Actor,
        members: &[Member],
    ) -> AppResult<Vec<DuplicateView>> {
        let new: Vec<(usize, &NewPerson)> = members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match &m.person {
                Person::New(p) => Some((i, p.as_ref())),
                Person::Existing(_) => None,
            })
            .collect();
        if new.is_empty() {
            return Ok(Vec::new());
        }
        if !decide(
            actor,
            &Subject::FrontDoor,
            Action::Read,
            Purpose::DuplicateCheck,
        )
        .is_allowed()
        {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        }
        self.count_lookup(actor).await?;
        self.log_access(crate::gate::lookup_entry(actor, new.len()))
            .await?;
        let mut conn = self.store().reader().await?;
        let mut found = Vec::new();
        for (index, m) in new {
            // Only among the persons of the municipalities the caller serves.
            let mut candidates = Vec::new();
            for municipality_id in &actor.municipalities {
                candidates.extend(
                    residents::duplicate_candidates(
                        &mut conn,
                        municipality_id,
                        m.bsn.as_ref().map(Bsn::as_str),
                        &m.family_name,
                        &m.birth_date.to_string(),
                    )
                    .await?,
                );
            }
            for c in candidates {
                let visible = match &c.household_id {
                    Some(hid) => {
                        matches!(self.decision(&mut conn, actor, hid, Action::Read).await, Ok(d) if d.is_allowed())
                    }
                    None => false,
                };
                let matched_on = if c.matched_on_bsn() {
                    "bsn"
                } else {
                    "name_and_birth_date"
                };
                found.push(if visible {
                    DuplicateView {
                        member_index: index,
                        matched_on: matched_on.to_owned(),
                        visible,
                        household_id: c.household_id.clone(),
                        person_id: Some(c.person_id),
                        given_name: Some(c.given_name),
                        family_name: Some(c.family_name),
                        birth_date: Some(c.birth_date),
                    }
                } else {
                    DuplicateView {
                        member_index: index,
                        matched_on: matched_on.to_owned(),
                        visible,
                        household_id: None,
                        person_id: None,
                        given_name: None,
                        family_name: None,
                        birth_date: None,
                    }
                });
            }
        }
        Ok(found)
    }

    /// Count one identity look-up of the account; past the limit per minute: 429.
    async fn count_lookup(&self, actor: &Actor) -> AppResult<()> {
        const MINUTE: i64 = 60_000_000;
        let now = crate::now_micros();
        let mut tx = self.store().begin().await?;
        let key = format!("lookup:account:{}", actor.user_id);
        let count = spil_store::throttles::hit(&mut tx, &key, now, MINUTE).await?;
        spil_store::commit(tx).await?;
        if count > self.config().limits.lookups_per_minute {
            if count == self.config().limits.lookups_per_minute + 1 {
                tracing::warn!(user = %actor.username, "identity look-ups rate-limited");
            }
            return Err(AppError::TooManyRequests {
                code: "too_many_lookups",
                retry_after: 60,
            });
        }
        Ok(())
    }

    /// Register a question or worry. Creates the household with its members, or attaches to an
    /// existing one; opens a trajectory when none is open; journals both. All or nothing.
    pub async fn register(
        &self,
        actor: &Actor,
        input: &RegistrationInput,
    ) -> AppResult<RegistrationCreated> {
        if !may_register(actor) {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        }
        let now = Utc::now();
        let registration = parse(input, now)?;
        let Some(team_id) = actor.team_id.as_deref() else {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        };
        let now_us = now.timestamp_micros();
        // Look-ups that need no lock happen before the write transaction, which keeps the
        // single SQLite writer (and PostgreSQL's row locks) busy as briefly as possible.
        let (duplicates, area) = match &registration.target {
            Target::New(household) => {
                // The controller follows the address: the municipality comes from the
                // postcode, and the registering team must serve it.
                let area = {
                    let mut conn = self.store().reader().await?;
                    let area =
                        crate::organisations::area_of(&mut conn, &household.postcode).await?;
                    if !org::team_serves(&mut conn, team_id, &area.municipality_id).await? {
                        return Err(AppError::invalid_field(
                            "household.address.postcode",
                            FieldError::NotServed,
                        ));
                    }
                    area
                };
                let duplicates = self.duplicates_of(actor, &household.members).await?;
                (duplicates, Some(area))
            }
            Target::Existing(_) => (Vec::new(), None),
        };
        let tx = self.store().begin().await?;

        let (mut tx, household_id, duplicates, created, person_ids) = match &registration.target {
            Target::Existing(id) => {
                let (tx, _) = self.authorize_write(tx, actor, id, Action::Write).await?;
                (tx, id.clone(), duplicates, None, Vec::new())
            }
            Target::New(household) => {
                let mut tx = tx;
                let id = new_id();
                let area = area.ok_or(AppError::NotFound)?;
                residents::insert_household(
                    &mut tx,
                    &residents::NewHousehold {
                        id: &id,
                        municipality_id: &area.municipality_id,
                        intake_team_id: team_id,
                        street: &household.street,
                        house_number: &household.house_number,
                        postcode: household.postcode.as_str(),
                        city: &household.city,
                        // The table's buurt where it has one; else what the form said.
                        buurt_code: area
                            .buurt_code
                            .as_deref()
                            .or(household.buurt_code.as_ref().map(BuurtCode::as_str)),
                        wijk_code: area.wijk_code.as_deref(),
                        created_at: now_us,
                    },
                )
                .await?;
                let valid_from = now.date_naive().format("%Y-%m-%d").to_string();
                let mut names = Vec::new();
                let mut placed: Vec<(String, Relation, bool, NaiveDate)> = Vec::new();
                // One BSN is one person, unless confirmed (and then on the record).
                let mut errors = FieldErrors::new();
                let mut confirmed = Vec::new();
                for (i, m) in household.members.iter().enumerate() {
                    if let Person::New(p) = &m.person {
                        let (Some(bsn), confirm_bsn_known) = (&p.bsn, &p.confirm_bsn_known) else {
                            continue;
                        };
                        if residents::bsn_known(&mut tx, bsn.as_str()).await? {
                            if *confirm_bsn_known {
                                confirmed.push(i);
                            } else {
                                errors.add(format!("members[{i}].bsn"), FieldError::BsnKnown);
                            }
                        }
                    }
                }
                errors.into_result()?;
                for i in &confirmed {
                    access_log::insert(&mut tx, &[crate::gate::confirmation_entry(actor, &id, *i)])
                        .await?;
                }
                for (i, m) in household.members.iter().enumerate() {
                    let (person_id, name) = match &m.person {
                        Person::New(p) => {
                            let person_id = new_id();
                            insert_new_person(&mut tx, &person_id, p, now_us).await?;
                            let name = format!(
                                "{} ({})",
                                p.given_name,
                                p.birth_date.age_on(now.date_naive())
                            );
                            placed.push((
                                person_id.clone(),
                                m.relation,
                                m.parental_authority,
                                p.birth_date.date(),
                            ));
                            (person_id, name)
                        }
                        Person::Existing(person_id) => {
                            let name = self.linkable_person(&mut tx, actor, person_id, i).await?;
                            let birth = residents::person(&mut tx, person_id)
                                .await?
                                .and_then(|p| {
                                    NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d").ok()
                                })
                                .unwrap_or_default();
                            placed.push((
                                person_id.clone(),
                                m.relation,
                                m.parental_authority,
                                birth,
                            ));
                            (
                                person_id.clone(),
                                format!("{name} (ook lid van een ander huishouden)"),
                            )
                        }
                    };
                    residents::insert_member(
                        &mut tx,
                        &id,
                        &person_id,
                        m.relation.key(),
                        m.parental_authority,
                        &valid_from,
                    )
                    .await?;
                    names.push(name);
                }
                // Each parent is related to each child of the household; gezag per pair, as
                // the form said it for the parent (and only over a minor).
                let today = now.date_naive();
                for (child, _, _, child_birth) in placed.iter().filter(|p| p.1 == Relation::Child) {
                    for (parent, _, authority, _) in
                        placed.iter().filter(|p| p.1 == Relation::Parent)
                    {
                        let gezag = *authority && relation::is_minor_on(*child_birth, today);
                        spil_store::relations::insert(
                            &mut tx,
                            &spil_store::relations::NewRelation {
                                id: &new_id(),
                                person_id: child,
                                kind: RelationKind::Ouder.key(),
                                to_person_id: Some(parent),
                                to_organisation_id: None,
                                gezag,
                                valid_from: &valid_from,
                                valid_to: None,
                                created_at: now_us,
                                created_by: &actor.user_id,
                            },
                        )
                        .await?;
                    }
                }
                let created = (
                    format!(
                        "Huishouden vastgelegd: {} {}, {}; leden: {}",
                        household.street,
                        household.house_number,
                        household.city,
                        names.join(", ")
                    ),
                    serde_json::json!({ "members": household.members.len(), "possible_duplicates": duplicates.len(), "bsn_known_confirmed": confirmed }),
                );
                let person_ids = placed.into_iter().map(|p| p.0).collect();
                (tx, id, duplicates, Some(created), person_ids)
            }
        };

        let mut journal = Entries::household(&actor.user_id, &household_id);
        if let Some((summary, payload)) = created {
            journal.add("household.created", summary, payload);
        }
        let trajectory_id = match trajectories::open(&mut tx, &household_id).await? {
            Some(t) => t.id,
            None => {
                let id = new_id();
                trajectories::insert(
                    &mut tx,
                    &id,
                    &household_id,
                    TrajectoryStatus::Registered.key(),
                    now_us,
                )
                .await?;
                journal.add(
                    "trajectory.opened",
                    "Traject geopend; wacht op een regisseur",
                    serde_json::json!({ "trajectory_id": id }),
                );
                id
            }
        };

        let registration_id = new_id();
        residents::insert_registration(
            &mut tx,
            &residents::NewRegistration {
                id: &registration_id,
                household_id: &household_id,
                trajectory_id: &trajectory_id,
                route: registration.route.key(),
                referrer_name: registration.referrer_name.as_deref(),
                referrer_organisation: registration.referrer_organisation.as_deref(),
                referrer_contact: registration.referrer_contact.as_deref(),
                question: &registration.question,
                urgency: registration.urgency.key(),
                received_at: registration.received_at,
                registered_by: &actor.user_id,
                created_at: now_us,
                feedback_consent: input.feedback_consent.unwrap_or(false),
            },
        )
        .await?;
        let via = match (
            &registration.referrer_organisation,
            &registration.referrer_name,
        ) {
            (Some(org), _) => format!("{} ({org})", registration.route.label()),
            (None, Some(name)) => format!("{} ({name})", registration.route.label()),
            _ => registration.route.label().to_owned(),
        };
        journal.add(
            "registration.created",
            format!(
                "Aanmelding via {via}, urgentie {}: {}",
                registration.urgency.label().to_lowercase(),
                registration.question
            ),
            serde_json::json!({
                "registration_id": registration_id,
                "route": registration.route.key(),
                "urgency": registration.urgency.key(),
                "feedback_consent": input.feedback_consent.unwrap_or(false),
            }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(RegistrationCreated {
            registration_id,
            household_id,
            trajectory_id,
            possible_duplicates: duplicates,
            person_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn member(bsn: Option<&str>) -> MemberInput {
        MemberInput {
            given_name: "Ingrid".into(),
            family_name: "Jansen".into(),
            birth_date: "1983-04-02".into(),
            bsn: bsn.map(str::to_owned),
            relation: "parent".into(),
            ..MemberInput::default()
        }
    }

    fn input(members: Vec<MemberInput>) -> RegistrationInput {
        RegistrationInput {
            route: "self".into(),
            question: "Wij hebben schulden".into(),
            household: Some(NewHouseholdInput {
                address: AddressInput {
                    street: "Markt".into(),
                    house_number: "1".into(),
                    postcode: "7121AB".into(),
                    city: "Aalten".into(),
                    buurt_code: None,
                },
                members,
            }),
            ..RegistrationInput::default()
        }
    }

    #[test]
    fn a_valid_registration_parses() {
        let parsed = parse(&input(vec![member(Some("111222333"))]), now());
        assert!(matches!(
            parsed,
            Ok(Registration {
                target: Target::New(_),
                urgency: Urgency::Normal,
                ..
            })
        ));
    }

    #[test]
    fn field_errors_name_the_member_and_field() {
        let Err(errors) = parse(&input(vec![member(None), member(Some("123456789"))]), now())
        else {
            panic!("invalid BSN accepted");
        };
        assert_eq!(
            errors.0.get("members[1].bsn"),
            Some(&FieldError::BsnInvalid)
        );
        assert_eq!(errors.0.len(), 1);
    }

    #[test]
    fn a_household_needs_members_and_a_question() {
        let mut bad = input(vec![]);
        bad.question = "  ".into();
        bad.route = "brief".into();
        let Err(errors) = parse(&bad, now()) else {
            panic!("accepted");
        };
        assert_eq!(errors.0.get("household.members"), Some(&FieldError::Empty));
        assert_eq!(errors.0.get("question"), Some(&FieldError::Required));
        assert!(matches!(
            errors.0.get("route"),
            Some(FieldError::Unknown { .. })
        ));
    }

    #[test]
    fn exactly_one_of_household_id_and_household() {
        let mut both = input(vec![member(None)]);
        both.household_id = Some("x".into());
        assert!(parse(&both, now())
            .is_err_and(|e| e.0.get("household") == Some(&FieldError::NotAllowed)));
        let mut neither = input(vec![]);
        neither.household = None;
        assert!(parse(&neither, now())
            .is_err_and(|e| e.0.get("household") == Some(&FieldError::Required)));
    }

    #[test]
    fn the_same_bsn_twice_is_refused() {
        let result = parse(
            &input(vec![member(Some("111222333")), member(Some("111222333"))]),
            now(),
        );
        assert!(result.is_err_and(|e| e.0.get("members[1].bsn") == Some(&FieldError::NotAllowed)));
    }

    #[test]
    fn received_at_cannot_lie_in_the_future() {
        assert!(parse_received_at(Some("2026-11-23"), now()).is_ok());
        assert!(parse_received_at(Some("2026-11-22T08:00:00+01:00"), now()).is_ok());
        assert_eq!(
            parse_received_at(Some("2026-11-24"), now()),
            Err(FieldError::DateInFuture)
        );
        assert_eq!(
            parse_received_at(Some("2026-11-23T11:00:00Z"), now()),
            Err(FieldError::DateInFuture)
        );
        assert_eq!(
            parse_received_at(Some("gisteren"), now()),
            Err(FieldError::DateInvalid)
        );
    }
}
