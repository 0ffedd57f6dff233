-- Store schema, version 3: outbound incident updates (issue 8). Portable SQL (SQLite and
-- PostgreSQL), idempotent (IF NOT EXISTS). Timestamps are ISO-8601 UTC text; *_ts columns are
-- epoch seconds of the delivery clock (retry times, rate windows, send leases).
-- One status post per (channel, incident event, language); states: draft, approved, sending
-- (leased by one worker), published, failed, rejected, skipped.
CREATE TABLE IF NOT EXISTS outbound_posts (
    outbound_id TEXT PRIMARY KEY,
    incident_key TEXT NOT NULL REFERENCES incidents (incident_key),
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    event_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ts DOUBLE PRECISION NOT NULL DEFAULT 0,
    lease_ts DOUBLE PRECISION,
    approved_ts DOUBLE PRECISION,
    platform_post_id TEXT,
    platform_url TEXT,
    published_at TEXT,
    http_status INTEGER,
    error TEXT,
    response_body TEXT,
    UNIQUE (channel, event_id, lang)
);
CREATE INDEX IF NOT EXISTS outbound_posts_due ON outbound_posts (state, next_ts);
CREATE INDEX IF NOT EXISTS outbound_posts_incident ON outbound_posts (incident_key, created_at);

-- One personal reply per author, incident and kind ('status', then 'resolved'): the UNIQUE
-- constraint is the rule, so a burst or two workers can never plan or send a second one.
-- States: pending, sending (leased), published, failed, skipped (reason says why).
CREATE TABLE IF NOT EXISTS outbound_replies (
    reply_id TEXT PRIMARY KEY,
    incident_key TEXT NOT NULL REFERENCES incidents (incident_key),
    kind TEXT NOT NULL,
    author_platform TEXT NOT NULL,
    author_key TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    post_id TEXT NOT NULL,
    post_at TEXT NOT NULL,
    channel TEXT,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ts DOUBLE PRECISION NOT NULL DEFAULT 0,
    lease_ts DOUBLE PRECISION,
    attempt_ts DOUBLE PRECISION,
    platform_ref TEXT,
    sent_at TEXT,
    http_status INTEGER,
    error TEXT,
    UNIQUE (incident_key, author_platform, author_key, kind)
);
CREATE INDEX IF NOT EXISTS outbound_replies_due ON outbound_replies (state, next_ts);
CREATE INDEX IF NOT EXISTS outbound_replies_rate ON outbound_replies (channel, attempt_ts);
