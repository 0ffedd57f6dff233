-- Store schema, version 7 on PostgreSQL (issue 21): full-text search over post texts.
-- post_search holds each post's text (from decision_json), language and a tsvector built with
-- the post's language ('simple' when unknown or mixed) plus 'simple' (exact words), under a GIN
-- index. A trigger keeps it in sync with posts (insert, text update, delete: erasure
-- included); the last statement backfills posts stored before this version.
CREATE OR REPLACE FUNCTION webcare_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE lower(split_part(coalesce(lang, ''), '-', 1))
        WHEN 'en' THEN 'english'::regconfig WHEN 'nl' THEN 'dutch'::regconfig
        WHEN 'de' THEN 'german'::regconfig WHEN 'fr' THEN 'french'::regconfig
        WHEN 'es' THEN 'spanish'::regconfig WHEN 'it' THEN 'italian'::regconfig
        WHEN 'pt' THEN 'portuguese'::regconfig WHEN 'sv' THEN 'swedish'::regconfig
        WHEN 'da' THEN 'danish'::regconfig WHEN 'no' THEN 'norwegian'::regconfig
        WHEN 'nb' THEN 'norwegian'::regconfig WHEN 'fi' THEN 'finnish'::regconfig
        ELSE 'simple'::regconfig END
$fn$;

CREATE OR REPLACE FUNCTION webcare_post_text(decision text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    -- json (not jsonb) keeps the text; a \u0000 escape or a lone surrogate cannot become
    -- PostgreSQL text, so it is replaced first, and anything else unreadable indexes as ''.
    RETURN coalesce((replace(decision, '\u0000', '\ufffd')::json) -> 'post' ->> 'text', '');
EXCEPTION WHEN others THEN
    RETURN '';
END
$fn$;

CREATE TABLE IF NOT EXISTS post_search (
    post_id TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        to_tsvector(webcare_ts_config(lang), body) || to_tsvector('simple'::regconfig, body)
    ) STORED
);
CREATE INDEX IF NOT EXISTS post_search_tsv ON post_search USING GIN (tsv);

CREATE OR REPLACE FUNCTION webcare_post_search_sync() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM post_search WHERE post_id = OLD.post_id;
        RETURN OLD;
    END IF;
    INSERT INTO post_search (post_id, lang, body)
        VALUES (NEW.post_id, NEW.lang, webcare_post_text(NEW.decision_json))
        ON CONFLICT (post_id) DO UPDATE SET lang = EXCLUDED.lang, body = EXCLUDED.body;
    RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS posts_search_sync ON posts;
CREATE TRIGGER posts_search_sync AFTER INSERT OR DELETE OR UPDATE OF decision_json, lang
    ON posts FOR EACH ROW EXECUTE FUNCTION webcare_post_search_sync();

INSERT INTO post_search (post_id, lang, body)
    SELECT post_id, lang, webcare_post_text(decision_json) FROM posts
    ON CONFLICT (post_id) DO NOTHING;
