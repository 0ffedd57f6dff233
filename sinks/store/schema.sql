-- Store schema, version 1. Portable SQL: runs on SQLite (embedded default) and PostgreSQL.
-- Timestamps are ISO-8601 UTC text so ordering works as text on both engines.
-- Floats are DOUBLE PRECISION (8-byte on PostgreSQL; REAL affinity on SQLite).
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS posts (
    post_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    created_at TEXT NOT NULL,
    lang TEXT NOT NULL,
    brand TEXT,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    compound DOUBLE PRECISION NOT NULL,
    urgency TEXT NOT NULL,
    priority INTEGER NOT NULL,
    noise INTEGER NOT NULL,
    noise_reason TEXT,
    action TEXT NOT NULL,
    rule TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS posts_created ON posts (created_at);
CREATE INDEX IF NOT EXISTS posts_action ON posts (action, noise_reason);

CREATE TABLE IF NOT EXISTS queue_items (
    post_id TEXT PRIMARY KEY REFERENCES posts (post_id),
    status TEXT NOT NULL DEFAULT 'open',
    priority INTEGER NOT NULL,
    urgency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    incident_key TEXT,
    item_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_order ON queue_items (status, priority, created_at);

CREATE TABLE IF NOT EXISTS incidents (
    incident_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    urgency TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    post_count INTEGER NOT NULL,
    incident_json TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS incident_posts (
    incident_key TEXT NOT NULL REFERENCES incidents (incident_key),
    post_id TEXT NOT NULL REFERENCES posts (post_id),
    PRIMARY KEY (incident_key, post_id)
);

CREATE TABLE IF NOT EXISTS trends (
    bucket TEXT NOT NULL,
    topic TEXT NOT NULL,
    platform TEXT NOT NULL,
    lang TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    posts INTEGER NOT NULL,
    compound_sum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (bucket, topic, platform, lang, sentiment)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    fingerprint TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    error_type TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    source TEXT,
    line INTEGER,
    post_id TEXT,
    occurred_at TEXT NOT NULL,
    dead_letter_json TEXT NOT NULL
);
