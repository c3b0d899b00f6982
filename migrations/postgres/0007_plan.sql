-- One household plan. The content of each version is kept as written (JSON); the tables
-- beside it hold what the worklist asks about: agreement state, open goals and their dates.
CREATE TABLE plans (
    household_id TEXT PRIMARY KEY REFERENCES households(id),
    version BIGINT NOT NULL,
    started_on TEXT NOT NULL,
    agreed_version BIGINT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id)
);

CREATE TABLE plan_versions (
    household_id TEXT NOT NULL REFERENCES households(id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    created_on TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (household_id, version)
);

CREATE TABLE plan_agreements (
    household_id TEXT NOT NULL REFERENCES households(id),
    version BIGINT NOT NULL,
    agreed_on TEXT NOT NULL,
    how TEXT NOT NULL,
    by_person_id TEXT NOT NULL REFERENCES persons(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (household_id, version)
);

-- Goals of current plans (removed ones stay, evaluations point at them).
CREATE TABLE plan_goals (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    next_evaluation_on TEXT,
    removed BIGINT NOT NULL
);
CREATE INDEX plan_goals_household ON plan_goals(household_id, next_evaluation_on);

CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    goal_id TEXT NOT NULL REFERENCES plan_goals(id),
    evaluated_on TEXT NOT NULL,
    outcome TEXT NOT NULL,
    next_step TEXT NOT NULL,
    note TEXT NOT NULL,
    triage_id TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX evaluations_household ON evaluations(household_id, evaluated_on);
