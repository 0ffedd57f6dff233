-- Store schema, version 8 (issue 21): what people did with dead letters. One row per dead
-- letter someone reprocessed or discarded (the dead_letters row itself keeps the latest
-- stage and reason: a reprocess that fails again rewrites them there).
CREATE TABLE IF NOT EXISTS dead_letter_states (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    post_id TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_occurred ON dead_letters (occurred_at);
