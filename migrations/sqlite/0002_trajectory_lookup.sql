-- Finding a household's latest trajectory (open or closed) must not scan the table: the
-- partial unique index of 0001 only serves queries that filter on closed_at IS NULL.
CREATE INDEX trajectories_household ON trajectories(household_id, opened_at);
