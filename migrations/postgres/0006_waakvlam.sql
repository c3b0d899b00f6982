-- Keep-alive contact per trajectory: an interval and an end date.
CREATE TABLE waakvlam (
    trajectory_id TEXT PRIMARY KEY REFERENCES trajectories(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    interval_days BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    until TEXT NOT NULL,
    set_by TEXT NOT NULL REFERENCES users(id),
    set_at BIGINT NOT NULL
);
