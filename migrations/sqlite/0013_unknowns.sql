-- Forms record only what was said (issue 11): a triage names the facts nobody had recorded
-- when it was proposed (a JSON array of keys: "scores", "safety"), so a proposal on an empty
-- intake is not mistaken for "light support". Older triages knew of no such list.
ALTER TABLE triages ADD COLUMN unknown TEXT NOT NULL DEFAULT '[]';
