-- Store schema, version 2: the webcare app (issue 6). Portable SQL (SQLite and PostgreSQL),
-- idempotent (IF NOT EXISTS). Timestamps are ISO-8601 UTC text; ids are random hex text so no
-- engine-specific serial type is needed. Secrets are stored only as hashes.
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    label TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name);

CREATE TABLE IF NOT EXISTS claims (
    post_id TEXT PRIMARY KEY REFERENCES queue_items (post_id),
    owner TEXT,
    claimed_at TEXT
);

CREATE TABLE IF NOT EXISTS audit (
    audit_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    post_id TEXT,
    before_json TEXT,
    after_json TEXT,
    detail_json TEXT
);
CREATE INDEX IF NOT EXISTS audit_post ON audit (post_id, at);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);

CREATE TABLE IF NOT EXISTS notes (
    note_id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES queue_items (post_id),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_post ON notes (post_id, at);

CREATE TABLE IF NOT EXISTS relabels (
    relabel_id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (post_id),
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    urgency TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS relabels_post ON relabels (post_id, at);

CREATE TABLE IF NOT EXISTS replies (
    reply_id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES queue_items (post_id),
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    mode TEXT NOT NULL,
    platform_ref TEXT
);
CREATE INDEX IF NOT EXISTS replies_post ON replies (post_id, at);
