-- Hardening after the outside security test.

-- Throttles and rate limits live in the database, so that several servers share them and a
-- limit cannot be dodged by landing on another instance. One row per key (an account's
-- sign-ins, an address's sign-ins, an account's identity look-ups).
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Background jobs run once per period across all servers: whoever holds a job's lease runs it.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_success BIGINT
);

-- The journal's entries commit to digests of their summary and payload, so that retention can
-- erase the content of an entry and keep its place in the chain. Entries written before this
-- migration have empty digests and are verified the old way.
ALTER TABLE journal ADD COLUMN summary_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN payload_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN erased_at BIGINT;

-- Signed checkpoints over every chain head. The signed line goes to a place outside the
-- database; the heads it covers are kept here (the newest few checkpoints).
CREATE TABLE journal_checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    streams BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    digest TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TABLE journal_checkpoint_heads (
    checkpoint_id BIGINT NOT NULL,
    stream TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (checkpoint_id, stream)
);

-- Every saved change of a plan is a revision; the agreement names the revision it covers.
ALTER TABLE plans ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN agreed_revision BIGINT;
ALTER TABLE plan_agreements ADD COLUMN revision BIGINT;
CREATE TABLE plan_revisions (
    household_id TEXT NOT NULL REFERENCES households(id),
    revision BIGINT NOT NULL,
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (household_id, revision)
);
INSERT INTO plan_revisions (household_id, revision, version, content, saved_at, saved_by)
    SELECT v.household_id, 1, v.version, v.content, v.saved_at, v.saved_by
    FROM plan_versions v JOIN plans p ON p.household_id = v.household_id AND p.version = v.version;

-- The team of a trajectory and the intake are edited by several people too.
ALTER TABLE trajectories ADD COLUMN team_revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE intakes ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- The privacy officer's list of break-the-glass grants, by period.
CREATE INDEX break_glass_granted ON break_glass(granted_at);

-- The purpose of an access, where the use case names one (identity look-ups at the front door).
ALTER TABLE access_log ADD COLUMN purpose TEXT;
