-- Entries written before entries were keyed (an empty summary digest) are re-chained once at
-- start. Finding them read every journal entry on every start (1.9 s at 7 million entries);
-- this partial index holds only those entries, so the check costs nothing once they are gone.
CREATE INDEX journal_legacy ON journal(stream) WHERE summary_digest = '';

-- Back-fills that run in the server at start (search terms for rows from before the search
-- index) record here that they are done, so later starts do not read every row to find none.
CREATE TABLE backfills (
    name TEXT PRIMARY KEY,
    done_at BIGINT NOT NULL
);
