-- Store schema, version 10 (issue 18): the item page's thread and the author's other items
-- found by index instead of scanning every post (a scan grew with the store: the item page
-- and /api/v1/items/{id} got slower every day).
CREATE INDEX IF NOT EXISTS post_threads_conversation ON post_threads (conversation_key);
CREATE INDEX IF NOT EXISTS posts_author ON posts (author_handle, platform);
