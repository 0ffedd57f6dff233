-- Store schema, version 6: the alert outbox (issue 21). One row per (alert, idempotency key):
-- an incident event, an SLA warning/breach, an unhealthy source or a dead-letter spike that one
-- configured alert delivers. state: pending (due at next_ts; a claim moves next_ts on by a
-- lease), sent, dead (gave up; `webcare alerts status`), folded (over the alert's max_per_hour:
-- summarised by the digest entry named in folded_into). Times are epoch seconds.
CREATE TABLE IF NOT EXISTS alert_outbox (
    entry_id TEXT PRIMARY KEY,
    alert TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    event_at TEXT NOT NULL,
    event_json TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    enqueued_ts DOUBLE PRECISION NOT NULL,
    next_ts DOUBLE PRECISION NOT NULL,
    folded_into TEXT,
    last_error TEXT,
    response_status INTEGER,
    sent_ts DOUBLE PRECISION,
    UNIQUE (alert, idempotency_key)
);
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (state, next_ts);
CREATE INDEX IF NOT EXISTS alert_outbox_rate ON alert_outbox (alert, enqueued_ts);
