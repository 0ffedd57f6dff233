-- Store schema, version 5: the incident correlator's state (burst windows, seasonal baseline,
-- open incidents), one row per scope: 'local' for the in-process runner, '<decisions topic>/<partition>'
-- for a Kafka sink worker. Written with each flush's incident events, read when the sink is built.
CREATE TABLE IF NOT EXISTS incident_state (
    scope TEXT PRIMARY KEY,
    state_json TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
