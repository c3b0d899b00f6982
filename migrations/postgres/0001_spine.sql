-- Spil's spine: organisation, accounts, sessions, residents, households, the front door,
-- trajectories with their team, the hash-chained journal and the access log.
-- Times are microseconds since the Unix epoch (BIGINT); dates are ISO text (YYYY-MM-DD);
-- flags are 0/1 integers, so the same SQL runs on SQLite and PostgreSQL.

CREATE TABLE regions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    id TEXT PRIMARY KEY,
    region_id TEXT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    cbs_code TEXT NOT NULL UNIQUE
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    name TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    municipality_id TEXT REFERENCES municipalities(id),
    team_id TEXT REFERENCES teams(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_team ON users(team_id);

-- One table for browser sessions and API tokens; only a SHA-256 of the secret is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    family_name_key TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    bsn TEXT,
    phone TEXT,
    email TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_bsn ON persons(bsn);
CREATE INDEX persons_name_birth ON persons(family_name_key, birth_date);

CREATE TABLE households (
    id TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    intake_team_id TEXT NOT NULL REFERENCES teams(id),
    street TEXT NOT NULL,
    house_number TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    buurt_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX households_team ON households(intake_team_id);

CREATE TABLE household_members (
    household_id TEXT NOT NULL REFERENCES households(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    relation TEXT NOT NULL,
    parental_authority BIGINT NOT NULL DEFAULT 0,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    PRIMARY KEY (household_id, person_id, valid_from)
);
CREATE INDEX household_members_person ON household_members(person_id);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    trajectory_id TEXT NOT NULL,
    route TEXT NOT NULL,
    referrer_name TEXT,
    referrer_organisation TEXT,
    referrer_contact TEXT,
    question TEXT NOT NULL,
    urgency TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX registrations_household ON registrations(household_id);

CREATE TABLE trajectories (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    status TEXT NOT NULL,
    regisseur_id TEXT REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT
);
-- At most one open trajectory per household.
CREATE UNIQUE INDEX trajectories_one_open ON trajectories(household_id) WHERE closed_at IS NULL;
CREATE INDEX trajectories_regisseur ON trajectories(regisseur_id) WHERE closed_at IS NULL;

CREATE TABLE trajectory_team (
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (trajectory_id, user_id)
);
CREATE INDEX trajectory_team_user ON trajectory_team(user_id);

CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    reason TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_user_household ON break_glass(user_id, household_id);

-- Append-only. Each stream (a household, or 'system') is a hash chain; journal_heads holds
-- each chain's last number and hash, so that removing the newest entries is detected too.
CREATE TABLE journal (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream TEXT NOT NULL,
    stream_seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT,
    household_id TEXT,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream, stream_seq)
);

CREATE TABLE journal_heads (
    stream TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE access_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT,
    household_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    basis TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX access_log_household ON access_log(household_id, at);
CREATE INDEX access_log_outcome ON access_log(outcome, at);
