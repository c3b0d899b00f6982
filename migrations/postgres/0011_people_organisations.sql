-- People, organisations and one gate (issue 10): organisations and kinds of principal, teams
-- serving several municipalities, the controller from the postcode, persons as they are,
-- relations with gezag per adult–child pair, composition history, person-level facts, and
-- plans, intakes and keep-alive contact that belong to a trajectory.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- For an organisation of kind 'municipality': which one it is.
    municipality_id TEXT REFERENCES municipalities(id),
    agb TEXT,
    kvk TEXT,
    oin TEXT,
    brin TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organisations_agb ON organisations(agb) WHERE agb IS NOT NULL;
CREATE UNIQUE INDEX organisations_oin ON organisations(oin) WHERE oin IS NOT NULL;
CREATE UNIQUE INDEX organisations_brin ON organisations(brin) WHERE brin IS NOT NULL;
CREATE INDEX organisations_kvk ON organisations(kvk);

-- A team serves one or more municipalities of its region (a central front door, shared teams).
CREATE TABLE team_municipalities (
    team_id TEXT NOT NULL REFERENCES teams(id),
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    PRIMARY KEY (team_id, municipality_id)
);
CREATE INDEX team_municipalities_municipality ON team_municipalities(municipality_id);
INSERT INTO team_municipalities (team_id, municipality_id) SELECT id, municipality_id FROM teams;

-- Accounts are principals of a kind: professional, partner, resident or service.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'professional';
ALTER TABLE users ADD COLUMN organisation_id TEXT REFERENCES organisations(id);
ALTER TABLE users ADD COLUMN person_id TEXT REFERENCES persons(id);
ALTER TABLE users ADD COLUMN registration_register TEXT;
ALTER TABLE users ADD COLUMN registration_number TEXT;
ALTER TABLE users ADD COLUMN registration_valid_to TEXT;

-- A professional works in one or more teams; users.team_id is the team they register for.
CREATE TABLE user_teams (
    user_id TEXT NOT NULL REFERENCES users(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    PRIMARY KEY (user_id, team_id)
);
CREATE INDEX user_teams_team ON user_teams(team_id);
INSERT INTO user_teams (user_id, team_id) SELECT id, team_id FROM users WHERE team_id IS NOT NULL;

-- The region's postcode table: a PC6 ('7121 AB') or a PC4 ('7121') to its municipality,
-- with the CBS wijk and buurt where the table has them. The controller follows the address.
CREATE TABLE postcode_areas (
    postcode TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    wijk_code TEXT,
    buurt_code TEXT
);

ALTER TABLE households ADD COLUMN wijk_code TEXT;
ALTER TABLE households ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- Every move of a household: the controller and the front-door team before and after.
CREATE TABLE household_moves (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    moved_on TEXT NOT NULL,
    from_municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    to_municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    from_team_id TEXT NOT NULL REFERENCES teams(id),
    to_team_id TEXT NOT NULL REFERENCES teams(id),
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX household_moves_household ON household_moves(household_id, moved_on);
CREATE INDEX household_moves_from_team ON household_moves(from_team_id, moved_on);

-- Persons as they are: gender (iStandaarden COD046), voorvoegsel, initials, communication needs.
ALTER TABLE persons ADD COLUMN gender TEXT NOT NULL DEFAULT '0';
ALTER TABLE persons ADD COLUMN name_prefix TEXT;
ALTER TABLE persons ADD COLUMN initials TEXT;
ALTER TABLE persons ADD COLUMN language TEXT;
ALTER TABLE persons ADD COLUMN interpreter BIGINT NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN pace TEXT;
ALTER TABLE persons ADD COLUMN communication_note TEXT;

-- Relations: "to_* is the <kind> of person_id", with gezag per adult–child pair.
CREATE TABLE person_relations (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    to_person_id TEXT REFERENCES persons(id),
    to_organisation_id TEXT REFERENCES organisations(id),
    gezag BIGINT NOT NULL DEFAULT 0,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id)
);
CREATE INDEX person_relations_person ON person_relations(person_id, valid_from);
CREATE INDEX person_relations_to_person ON person_relations(to_person_id);
-- Gezag was one yes/no per member: each parent with it held it over each child of the household.
INSERT INTO person_relations (id, person_id, kind, to_person_id, gezag, valid_from, created_at)
    SELECT 'legacy-' || c.household_id || '-' || a.person_id || '-' || c.person_id, c.person_id, 'ouder', a.person_id, 1,
           c.valid_from, 0
    FROM household_members a JOIN household_members c
      ON c.household_id = a.household_id AND c.relation = 'child' AND c.person_id <> a.person_id
    WHERE a.parental_authority = 1 AND a.relation = 'parent' AND a.valid_to IS NULL AND c.valid_to IS NULL;

-- Ending a membership says why (moved out, deceased, ...).
ALTER TABLE household_members ADD COLUMN end_reason TEXT;

-- Closing a trajectory says why; the referrer's feedback follows from it.
ALTER TABLE trajectories ADD COLUMN close_reason TEXT;

-- Person-level facts.
CREATE INDEX assessments_person ON assessments(person_id, assessed_on);
ALTER TABLE plan_goals ADD COLUMN person_id TEXT REFERENCES persons(id);
CREATE TABLE contact_persons (
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (contact_id, person_id)
);
CREATE INDEX contact_persons_person ON contact_persons(person_id);

-- The persons an access was about, so that "who looked at X" is one indexed read.
ALTER TABLE access_log ADD COLUMN persons TEXT;
CREATE TABLE access_log_persons (
    person_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT,
    household_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    basis TEXT NOT NULL,
    purpose TEXT
);
CREATE INDEX access_log_persons_person ON access_log_persons(person_id, at);

-- A plan belongs to a trajectory: a new trajectory starts a fresh plan; earlier ones stay.
CREATE TABLE plans_by_trajectory (
    trajectory_id TEXT PRIMARY KEY REFERENCES trajectories(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    version BIGINT NOT NULL,
    started_on TEXT NOT NULL,
    agreed_version BIGINT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    revision BIGINT NOT NULL DEFAULT 1,
    agreed_revision BIGINT
);
INSERT INTO plans_by_trajectory (trajectory_id, household_id, version, started_on, agreed_version, updated_at, updated_by, revision, agreed_revision)
    SELECT (SELECT t.id FROM trajectories t WHERE t.household_id = p.household_id ORDER BY t.opened_at DESC, t.id DESC LIMIT 1),
           p.household_id, p.version, p.started_on, p.agreed_version, p.updated_at, p.updated_by, p.revision, p.agreed_revision
    FROM plans p;
CREATE INDEX plans_by_trajectory_household ON plans_by_trajectory(household_id);

CREATE TABLE plan_versions_by_trajectory (
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    created_on TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (trajectory_id, version)
);
INSERT INTO plan_versions_by_trajectory (trajectory_id, version, content, created_on, saved_at, saved_by)
    SELECT p.trajectory_id, v.version, v.content, v.created_on, v.saved_at, v.saved_by
    FROM plan_versions v JOIN plans_by_trajectory p ON p.household_id = v.household_id;

CREATE TABLE plan_agreements_by_trajectory (
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    version BIGINT NOT NULL,
    agreed_on TEXT NOT NULL,
    how TEXT NOT NULL,
    by_person_id TEXT NOT NULL REFERENCES persons(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    revision BIGINT,
    PRIMARY KEY (trajectory_id, version)
);
INSERT INTO plan_agreements_by_trajectory (trajectory_id, version, agreed_on, how, by_person_id, recorded_by, recorded_at, revision)
    SELECT p.trajectory_id, a.version, a.agreed_on, a.how, a.by_person_id, a.recorded_by, a.recorded_at, a.revision
    FROM plan_agreements a JOIN plans_by_trajectory p ON p.household_id = a.household_id;

CREATE TABLE plan_revisions_by_trajectory (
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    revision BIGINT NOT NULL,
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (trajectory_id, revision)
);
INSERT INTO plan_revisions_by_trajectory (trajectory_id, revision, version, content, saved_at, saved_by)
    SELECT p.trajectory_id, r.revision, r.version, r.content, r.saved_at, r.saved_by
    FROM plan_revisions r JOIN plans_by_trajectory p ON p.household_id = r.household_id;

DROP TABLE plan_revisions;
DROP TABLE plan_agreements;
DROP TABLE plan_versions;
DROP TABLE plans;
ALTER TABLE plans_by_trajectory RENAME TO plans;
ALTER TABLE plan_versions_by_trajectory RENAME TO plan_versions;
ALTER TABLE plan_agreements_by_trajectory RENAME TO plan_agreements;
ALTER TABLE plan_revisions_by_trajectory RENAME TO plan_revisions;

ALTER TABLE plan_goals ADD COLUMN trajectory_id TEXT REFERENCES trajectories(id);
UPDATE plan_goals SET trajectory_id = (SELECT p.trajectory_id FROM plans p WHERE p.household_id = plan_goals.household_id);
CREATE INDEX plan_goals_trajectory ON plan_goals(trajectory_id, next_evaluation_on);
ALTER TABLE evaluations ADD COLUMN trajectory_id TEXT REFERENCES trajectories(id);
UPDATE evaluations SET trajectory_id = (SELECT g.trajectory_id FROM plan_goals g WHERE g.id = evaluations.goal_id);
CREATE INDEX evaluations_trajectory ON evaluations(trajectory_id, evaluated_on);
