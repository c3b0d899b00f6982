//! What the use cases take and give: plain data with serde and an OpenAPI schema, shared
//! by the JSON API and the HTML pages.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------- input ----------

/// Most repeated rows (persons, network) a form may send.
pub const MAX_FORM_ROWS: usize = 30;

/// A registration at the front door. Required text fields default to empty so that a missing
/// field is reported per field (`required`) instead of as malformed JSON.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// One of: self, network, huisarts, jeugdarts, medisch_specialist, school, jgz, veilig_thuis,
    /// politie, woningcorporatie, outreach, other.
    #[serde(default)]
    pub route: String,
    pub referrer: Option<ReferrerInput>,
    /// The question or worry, in the resident's own words.
    #[serde(default)]
    pub question: String,
    /// normal (default), soon or urgent.
    pub urgency: Option<String>,
    /// When it came in: RFC 3339 or YYYY-MM-DD; default now.
    pub received_at: Option<String>,
    /// The household agreed that the referrer gets feedback (received, contact made, closed).
    pub feedback_consent: Option<bool>,
    /// Attach to this existing household …
    pub household_id: Option<String>,
    /// … or create this new one.
    pub household: Option<NewHouseholdInput>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferrerInput {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHouseholdInput {
    #[serde(default)]
    pub address: AddressInput,
    #[serde(default)]
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub house_number: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    /// CBS neighbourhood code: BU and 8 digits.
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// A person Spil knows already (for example a child who also lives with the other
    /// parent); then only `relation` and `parental_authority` are read.
    pub person_id: Option<String>,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    /// YYYY-MM-DD, from 1900 up to today.
    #[serde(default)]
    pub birth_date: String,
    /// Optional; checked with the elfproef.
    pub bsn: Option<String>,
    /// parent, child, partner or other.
    #[serde(default)]
    pub relation: String,
    pub parental_authority: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// One BSN is one person: a new person whose BSN Spil knows already is refused
    /// (`bsn_known`) unless the professional confirms it is a separate record; the
    /// confirmation is journalled and logged.
    pub confirm_bsn_known: Option<bool>,
    /// iStandaarden gender code: 0 unknown, 1 male, 2 female.
    pub gender: Option<String>,
    /// Voorvoegsel: `van`, `de`, `van der`.
    pub name_prefix: Option<String>,
    /// Initials: `B.J.`.
    pub initials: Option<String>,
    /// A language other than Dutch to talk in.
    pub language: Option<String>,
    /// An interpreter is needed.
    pub interpreter: Option<bool>,
    /// A pace that needs attention: lvb or nah.
    pub pace: Option<String>,
    /// How to communicate, in the team's words.
    pub communication_note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    /// Username of the regisseur (vast aanspreekpunt).
    #[serde(default)]
    pub regisseur: String,
    #[serde(default)]
    pub members: Vec<TeamMemberInput>,
    /// The team revision this change started from (`trajectory.team_revision` of the file);
    /// an older one gets 409 `concurrent_change`.
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMemberInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub role: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// registered, exploring, plan, support, waakvlam or closed.
    #[serde(default)]
    pub status: String,
    /// Why the trajectory closes; required with `closed`: goals_reached, referred_on,
    /// moved_away, resident_ended, no_contact or deceased.
    pub close_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassInput {
    /// Why access is needed now; kept and shown to the privacy officer.
    #[serde(default)]
    pub reason: String,
}

// ---------- output ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationCreated {
    pub registration_id: String,
    pub household_id: String,
    pub trajectory_id: String,
    /// Known persons that may be the same as a registered member; never merged automatically.
    pub possible_duplicates: Vec<DuplicateView>,
    /// The members' person ids in the order of the request (empty when the question is
    /// registered for an existing household).
    pub person_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateView {
    /// Index of the member in the request.
    pub member_index: usize,
    /// `bsn` or `name_and_birth_date`.
    pub matched_on: String,
    /// Whether the caller may open the household of the match. Only then are the person's id,
    /// names, birth date and household given; otherwise only that a match exists.
    pub visible: bool,
    pub person_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub birth_date: Option<String>,
    /// The person's current household, when the caller may see it.
    pub household_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressView {
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub person_id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub age: u32,
    pub relation: String,
    pub parental_authority: bool,
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Why the membership ended: moved_out, deceased or other.
    pub end_reason: Option<String>,
    /// iStandaarden code: 0 unknown, 1 male, 2 female.
    pub gender: String,
    pub name_prefix: Option<String>,
    /// How to talk with this person.
    pub communication: CommunicationNeedsView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunicationNeedsView {
    pub language: Option<String>,
    pub interpreter: bool,
    /// lvb or nah.
    pub pace: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferrerView {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationView {
    pub id: String,
    pub route: String,
    pub referrer: Option<ReferrerView>,
    pub question: String,
    pub urgency: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub registered_by: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamMemberView {
    pub username: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrajectoryView {
    pub id: String,
    pub status: String,
    /// Username of the regisseur, as `PUT …/team` takes it; null while the household waits.
    pub regisseur: Option<String>,
    /// The regisseur's name, for display.
    pub regisseur_name: Option<String>,
    pub team: Vec<TeamMemberView>,
    /// Send it back with `PUT …/team`.
    pub team_revision: i64,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdView {
    pub id: String,
    pub address: AddressView,
    pub municipality: String,
    pub intake_team: String,
    pub members: Vec<MemberView>,
    /// Newest first.
    pub registrations: Vec<RegistrationView>,
    pub trajectory: Option<TrajectoryView>,
    /// On what basis the caller sees this household (regisseur, team_member, coordinator,
    /// intake_queue, break_glass).
    pub access: String,
    /// What the caller may do with this household, as the gate decided.
    pub permissions: PermissionsView,
    /// The controller: the municipality of the address (its id; `municipality` is its name).
    pub municipality_id: String,
    /// The CBS wijk of the address, where the region's postcode table has it.
    pub wijk_code: Option<String>,
    /// Send it back with `PUT …/address`.
    pub revision: i64,
    /// Every trajectory of the household, newest first; earlier ones stay readable.
    pub trajectories: Vec<TrajectorySummaryView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrajectorySummaryView {
    pub id: String,
    pub status: String,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why it closed.
    pub close_reason: Option<String>,
}

/// Everything the household page shows, read in one gate pass.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub household: HouseholdView,
    pub journal: Vec<JournalEntryView>,
    pub assessments: Vec<crate::intake::AssessmentView>,
    pub intake: Option<crate::intake::IntakeView>,
    pub plan: Option<crate::plan::PlanView>,
}

/// What the caller may do with a household, each decided by the access rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PermissionsView {
    pub read: bool,
    /// Add to the file: registrations, contacts, intake, plan, members, a move.
    pub write: bool,
    /// Name the regisseur and the household team.
    pub manage_team: bool,
    /// Move the trajectory on, close it.
    pub change_status: bool,
    /// Ask for emergency access (only where there is no other access).
    pub break_glass: bool,
    /// See who looked at the file.
    pub read_access_log: bool,
}

impl From<spil_domain::access::Permissions> for PermissionsView {
    fn from(p: spil_domain::access::Permissions) -> Self {
        PermissionsView {
            read: p.read,
            write: p.write,
            manage_team: p.manage_team,
            change_status: p.change_status,
            break_glass: p.break_glass,
            read_access_log: p.read_access_log,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdSummary {
    /// What the intake says about safety (zorgen, onveilig, acuut_onveilig); the list is
    /// ordered safety first.
    pub safety_level: Option<String>,
    pub id: String,
    pub address: String,
    pub names: Option<String>,
    pub status: Option<String>,
    pub regisseur: Option<String>,
    /// The caller's role in the household team; null when it waits in the intake queue.
    pub my_role: Option<String>,
    pub last_registration_at: Option<chrono::DateTime<chrono::Utc>>,
    pub urgency: Option<String>,
    /// Whole days since the last registration, for those waiting without a regisseur.
    pub waiting_days: Option<i64>,
    /// The open trajectory's team revision: send it with `PUT …/team` to assign a regisseur.
    pub team_revision: i64,
}

/// One professional of the coordinator's teams and the households they carry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseloadView {
    pub username: String,
    pub display_name: String,
    /// Open households where they are regisseur.
    pub as_regisseur: i64,
    /// Open households where they are on the team without being regisseur.
    pub as_member: i64,
    /// Of those as regisseur: urgent or unsafe.
    pub urgent_or_unsafe: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JournalEntryView {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: Option<String>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub summary: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogView {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub username: Option<String>,
    pub household_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub basis: String,
    pub reason: Option<String>,
}

/// One step of a referral, as the referrer may hear it: a status and a date, nothing more.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackEvent {
    /// received, contact_made or closed.
    pub event: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// With `closed`: whether support goes on elsewhere (never why it ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<bool>,
}
