-- A team's households by id alone, without reading each household's row: "Mijn huishoudens"
-- (the team's queue) and a search within the asker's reach start from a team's thousands of
-- households (at a million households: 19 ms → 7 ms for a team of 5,000).
DROP INDEX households_team;
CREATE INDEX households_team ON households(intake_team_id, id);
