-- The broad intake, life-domain assessments and triage on versioned regional policy.

-- Every policy text that was ever active, by version (a hash of its content).
CREATE TABLE policies (
    version TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

-- One broad intake per trajectory, for all domains at once; its content is a JSON document
-- (per person the four intake questions, the network, the explanatory analysis).
CREATE TABLE intakes (
    trajectory_id TEXT PRIMARY KEY REFERENCES trajectories(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    content TEXT NOT NULL,
    safety_level TEXT NOT NULL,
    network_size BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX intakes_household ON intakes(household_id);

-- Every assessment is kept, so scores over time show whether things improve.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    assessed_on TEXT NOT NULL,
    scores TEXT NOT NULL,
    strengths TEXT,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX assessments_household ON assessments(household_id, assessed_on);

-- A proposal and, once the professional decides, the decision; deviations are what the
-- region learns from.
CREATE TABLE triages (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    policy_version TEXT NOT NULL REFERENCES policies(version),
    proposed_level TEXT NOT NULL,
    proposed_route TEXT NOT NULL,
    reasons TEXT NOT NULL,
    decided_level TEXT,
    decided_route TEXT,
    deviation_reason TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX triages_trajectory ON triages(trajectory_id, created_at);
CREATE INDEX triages_decided ON triages(decided_at);
