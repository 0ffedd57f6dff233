-- Store schema, version 9: teams and assignment (issue 21). Portable SQL (SQLite and
-- PostgreSQL), idempotent (IF NOT EXISTS). Timestamps are ISO-8601 UTC text.
-- An agent's availability, toggled in the app (online / away).
CREATE TABLE IF NOT EXISTS agent_status (
    name TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The team an item falls under and the agent it is assigned to (the owner in claims);
-- version grows on each change, so a reassignment is one compare-and-set.
CREATE TABLE IF NOT EXISTS assignments (
    post_id TEXT PRIMARY KEY REFERENCES queue_items (post_id),
    team TEXT,
    agent TEXT,
    assigned_at TEXT,
    reassignments INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_team ON assignments (team, agent);
CREATE INDEX IF NOT EXISTS assignments_agent ON assignments (agent, assigned_at);

-- Leases of periodic passes (the assignment pass): one holder at a time across processes.
CREATE TABLE IF NOT EXISTS desk_leases (
    name TEXT PRIMARY KEY,
    holder TEXT,
    until_ts DOUBLE PRECISION NOT NULL DEFAULT 0
);

-- Round-robin position per team.
CREATE TABLE IF NOT EXISTS desk_rotation (
    team TEXT PRIMARY KEY,
    last_agent TEXT,
    updated_at TEXT NOT NULL
);
