-- Store schema, version 4: engagement and threads per post (issue 8: engagement, knowledge).
-- Portable SQL (SQLite and PostgreSQL), idempotent (IF NOT EXISTS). Filled by both stores in
-- the batch transaction (sinks/store/post_facts.py); posts stored before this version are
-- backfilled from posts.decision_json when the migration is applied.
CREATE TABLE IF NOT EXISTS post_engagement (
    post_id TEXT PRIMARY KEY REFERENCES posts (post_id),
    followers INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    shares INTEGER NOT NULL,
    replies INTEGER NOT NULL,
    quotes INTEGER NOT NULL
);

-- thread_key: how replies on the platform point at this post ("<platform>:<id>");
-- reply_to_key: the parent's thread_key; conversation_key: the thread root's.
CREATE TABLE IF NOT EXISTS post_threads (
    post_id TEXT PRIMARY KEY REFERENCES posts (post_id),
    thread_key TEXT NOT NULL,
    reply_to_key TEXT,
    conversation_key TEXT
);
CREATE INDEX IF NOT EXISTS post_threads_reply_to ON post_threads (reply_to_key);
CREATE INDEX IF NOT EXISTS post_threads_key ON post_threads (thread_key);
