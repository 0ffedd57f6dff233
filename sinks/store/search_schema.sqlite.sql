-- Store schema, version 7 on SQLite (issue 21): full-text search over post texts.
-- post_search holds each post's text (from decision_json) and language; post_fts is an FTS5
-- external-content index over it. Triggers keep both in sync with posts (insert, text update,
-- delete: erasure included); the last statement backfills posts stored before this version.
CREATE TABLE IF NOT EXISTS post_search (
    rid INTEGER PRIMARY KEY,
    post_id TEXT NOT NULL UNIQUE,
    lang TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS post_fts USING fts5(
    body, content='post_search', content_rowid='rid',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS post_search_ai AFTER INSERT ON post_search BEGIN
    INSERT INTO post_fts (rowid, body) VALUES (new.rid, new.body);
END;
CREATE TRIGGER IF NOT EXISTS post_search_ad AFTER DELETE ON post_search BEGIN
    INSERT INTO post_fts (post_fts, rowid, body) VALUES ('delete', old.rid, old.body);
END;
CREATE TRIGGER IF NOT EXISTS post_search_au AFTER UPDATE ON post_search BEGIN
    INSERT INTO post_fts (post_fts, rowid, body) VALUES ('delete', old.rid, old.body);
    INSERT INTO post_fts (rowid, body) VALUES (new.rid, new.body);
END;
CREATE TRIGGER IF NOT EXISTS posts_search_ai AFTER INSERT ON posts BEGIN
    INSERT INTO post_search (post_id, lang, body) VALUES (new.post_id, new.lang,
        CASE WHEN json_valid(new.decision_json)
             THEN COALESCE(json_extract(new.decision_json, '$.post.text'), '') ELSE '' END)
    ON CONFLICT (post_id) DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS posts_search_au AFTER UPDATE OF decision_json, lang ON posts BEGIN
    UPDATE post_search SET lang = new.lang, body =
        CASE WHEN json_valid(new.decision_json)
             THEN COALESCE(json_extract(new.decision_json, '$.post.text'), '') ELSE '' END
    WHERE post_id = new.post_id;
END;
CREATE TRIGGER IF NOT EXISTS posts_search_ad AFTER DELETE ON posts BEGIN
    DELETE FROM post_search WHERE post_id = old.post_id;
END;
INSERT INTO post_search (post_id, lang, body)
    SELECT post_id, lang, CASE WHEN json_valid(decision_json)
        THEN COALESCE(json_extract(decision_json, '$.post.text'), '') ELSE '' END
    FROM posts WHERE true ORDER BY created_at
    ON CONFLICT (post_id) DO NOTHING;
