-- Every member may agree to the plan (issue 11): both parents, a young person and a parent.
-- An agreement is now one per person per version instead of one per version.
CREATE TABLE plan_agreements_per_person (
    trajectory_id TEXT NOT NULL REFERENCES trajectories(id),
    version BIGINT NOT NULL,
    agreed_on TEXT NOT NULL,
    how TEXT NOT NULL,
    by_person_id TEXT NOT NULL REFERENCES persons(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    revision BIGINT,
    PRIMARY KEY (trajectory_id, version, by_person_id)
);
INSERT INTO plan_agreements_per_person (trajectory_id, version, agreed_on, how, by_person_id, recorded_by, recorded_at, revision)
    SELECT trajectory_id, version, agreed_on, how, by_person_id, recorded_by, recorded_at, revision FROM plan_agreements;
DROP TABLE plan_agreements;
ALTER TABLE plan_agreements_per_person RENAME TO plan_agreements;
