-- Contacts with a household and the minutes spent (basishulp time).
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    kind TEXT NOT NULL,
    contact_date TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    participants TEXT NOT NULL,
    note TEXT NOT NULL,
    sensitive BIGINT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX contacts_household ON contacts(household_id, contact_date);
CREATE INDEX contacts_team_date ON contacts(team_id, contact_date);
