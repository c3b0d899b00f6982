-- Basishulp minutes per team per day, kept up to date with every contact: reports per team
-- and per month over millions of contacts read a few thousand rows instead.
CREATE TABLE contact_minutes_daily (
    team_id TEXT NOT NULL REFERENCES teams(id),
    day TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    PRIMARY KEY (team_id, day)
);
INSERT INTO contact_minutes_daily (team_id, day, minutes, contacts)
SELECT team_id, contact_date, SUM(minutes), COUNT(*) FROM contacts GROUP BY team_id, contact_date;

-- Per household within one team: the index holds everything that report reads.
DROP INDEX contacts_team_date;
CREATE INDEX contacts_team_report ON contacts(team_id, contact_date, household_id, minutes);
