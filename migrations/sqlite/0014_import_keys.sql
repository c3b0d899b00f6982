-- Bulk import from a previous system (issue 11): which rows of the old system were imported
-- as what, so a second run of the same files changes nothing.
CREATE TABLE import_keys (
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    spil_id TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (kind, source_id)
);
