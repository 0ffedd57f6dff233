"""``webcare dead-letters list|show|reprocess|discard`` and ``webcare search`` (issue 21).

Registered on the ``webcare`` group by :mod:`webcare.cli.main`; the app, store and stages are
imported inside the commands. Reprocess and discard act as a named user (``--as``, a lead or an
admin of ``webcare users``) and are audited under that name, as in the app; they call the same
functions as the app (:mod:`webcare.app.dead_letters`), with the stages built from the config
(:func:`webcare.app.dead_letters.build_stages`) and the pipeline's whole sink chain
(:func:`webcare.job.assembly.reprocess_stages`: the post joins its incident, tickets and
outbound as in the pipeline). ``webcare search`` searches the queue (or
every stored post with ``--posts``) with the app's query language and filters, and ``--csv``
writes the filtered queue as the app's spreadsheet-safe CSV (no text: the whole filtered queue).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, open_app, read_config

AS_OPTION = click.option("--as", "actor", required=True,
                         help="the lead or admin acting (a webcare user; audited)")


def _user(app, name: str):
    from webcare.app.service import User, allowed

    row = app.user(name)
    if row is None or row["disabled"]:
        raise click.ClickException(f"no active webcare user {name!r} (webcare users add)")
    user = User(row["name"], row["role"])
    if not allowed(user, "deadletters:manage"):
        raise click.ClickException(f"{name} is {user.role}: dead letters are for leads "
                                   "and admins")
    return user


def register(main: click.Group) -> None:
    """Add ``webcare dead-letters`` and ``webcare search`` to the group."""

    @main.group(name="dead-letters")
    def dead_letters_group() -> None:
        """What the pipeline could not handle: list, show, reprocess, discard (issue 21)."""

    @dead_letters_group.command(name="list")
    @click.option("--stage", default=None, help="only this stage (parse, classify, route, ...)")
    @click.option("--source", default=None, help="only this source")
    @click.option("--status", type=click.Choice(["open", "reprocessed", "discarded", "all"]),
                  default="open", show_default=True)
    @click.option("--limit", type=click.IntRange(1, 5000), default=200, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def dl_list(stage, source, status, limit, as_json, config_path, store_path) -> None:
        """Dead letters, newest first."""
        import orjson

        from sinks.store import dead_letters as rows

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            found = rows.list_rows(app.db, stage, source, None if status == "all" else status,
                                   limit)
        finally:
            app.store.close()
        if as_json:
            click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
            return
        if not found:
            click.echo("no dead letters")
        for r in found:
            reason = " ".join(r["reason"].split())[:80]
            click.echo(f"{r['fingerprint'][:16]}  {r['occurred_at'][:19]}  {r['stage']:9} "
                       f"{r['status']:11} {r['source'] or '-'}:{r['line'] or ''}  "
                       f"{r['error_type']}: {reason}")

    def _find(app, prefix: str) -> str:
        from sinks.store import dead_letters as rows

        if rows.get(app.db, prefix):
            return prefix
        matches = [r["fingerprint"] for r in rows.list_rows(app.db, status=None, limit=100000)
                   if r["fingerprint"].startswith(prefix)]
        if len(matches) != 1:
            raise click.ClickException(f"{'no' if not matches else 'more than one'} dead "
                                       f"letter starts with {prefix!r}")
        return matches[0]

    @dead_letters_group.command(name="show")
    @click.argument("fingerprint")
    @CONFIG_OPTION
    @STORE_OPTION
    def dl_show(fingerprint, config_path, store_path) -> None:
        """One dead letter (a fingerprint or its unique start) with its payload, as JSON."""
        import orjson

        from sinks.store import dead_letters as rows

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            found = rows.get(app.db, _find(app, fingerprint))
        finally:
            app.store.close()
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())

    @dead_letters_group.command(name="reprocess")
    @click.argument("fingerprint")
    @AS_OPTION
    @CONFIG_OPTION
    @STORE_OPTION
    def dl_reprocess(fingerprint, actor, config_path, store_path) -> None:
        """Run it through the configured classify and route stages and store it; exit 1
        when it fails again (it stays open with the new reason)."""
        from webcare.app import dead_letters as service
        from webcare.app.service import Conflict
        from webcare.job.assembly import reprocess_stages

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            user = _user(app, actor)
            out = service.reprocess(app, user, _find(app, fingerprint),
                                    reprocess_stages(config))
        except Conflict as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        if not out.ok:
            raise click.ClickException(f"failed again at {out.stage}: {out.reason}")
        click.echo(f"reprocessed: post {out.post_id} routed to {out.action}")

    @dead_letters_group.command(name="discard")
    @click.argument("fingerprint")
    @click.option("--reason", required=True, help="why it is discarded (audited)")
    @AS_OPTION
    @CONFIG_OPTION
    @STORE_OPTION
    def dl_discard(fingerprint, reason, actor, config_path, store_path) -> None:
        """Discard with a reason."""
        from webcare.app import dead_letters as service
        from webcare.app.service import Conflict

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            service.discard(app, _user(app, actor), _find(app, fingerprint), reason)
        except (Conflict, ValueError) as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        click.echo("discarded")

    @main.command(name="search")
    @click.argument("text", required=False, default="")
    @click.option("--topic", default=None)
    @click.option("--platform", default=None)
    @click.option("--lang", default=None)
    @click.option("--urgency", default=None)
    @click.option("--status", default=None, help="one queue status (default: open + claimed)")
    @click.option("--posts", "all_posts", is_flag=True,
                  help="every stored post (noise and ignored included), not only the queue")
    @click.option("--csv", "csv_path", default=None,
                  help="write the filtered queue as CSV to this file (- for stdout)")
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
    @CONFIG_OPTION
    @STORE_OPTION
    def search(text, topic, platform, lang, urgency, status, all_posts, csv_path, as_json,
               limit, config_path, store_path) -> None:
        """Full-text search of the queue: words, "a phrase", -word, OR (as in the app)."""
        import orjson

        from schemas import Decision
        from sinks.store import queue as queue_rows
        from sinks.store.search import BadSearch
        from webcare.app import queries
        from webcare.app import search as export

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        flt = queries.QueueFilter(topic, platform, lang, urgency, False,
                                  status if status in queries.STATUSES else None)
        flt.text = text.strip() or None
        try:
            if csv_path:
                at, _ = queries.clock(app, config.app)
                fetch = lambda offset: queries.queue(  # noqa: E731
                    app, config.app, flt, "", at, export.PAGE, offset=offset)
                chunks = export.csv_pages(fetch(0), fetch)
                if csv_path == "-":
                    for chunk in chunks:
                        sys.stdout.write(chunk)
                    return
                Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
                with open(csv_path, "w", encoding="utf-8", newline="") as handle:
                    handle.writelines(chunks)
                click.echo(f"queue written to {csv_path}", err=True)
                return
            if all_posts:
                filters = {k: v for k, v in (("topic", topic), ("platform", platform),
                                             ("lang", lang), ("urgency", urgency)) if v}
                rows = queue_rows.search_posts(app.db, text, filters, False, limit)
                found = [{**{k: r[k] for k in ("post_id", "platform", "lang", "topic",
                                               "action", "status", "created_at")},
                          "text": Decision.model_validate_json(r["decision_json"]).post.text}
                         for r in rows]
            else:
                at, _ = queries.clock(app, config.app)
                found = [{"post_id": r["item"].post_id, "status": r["item"].status,
                          "owner": r["owner"], "priority": r["item"].priority,
                          "urgency": r["item"].urgency, "topic": r["item"].topic,
                          "platform": r["item"].platform, "lang": r["item"].lang,
                          "text": r["item"].text}
                         for r in queries.queue(app, config.app, flt, "", at, limit)]
        except BadSearch as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        if as_json:
            click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
            return
        if not found:
            click.echo("nothing found")
        for r in found:
            words = " ".join(r["text"].split())[:80]
            click.echo(f"{r['post_id']:14} {r.get('status') or r.get('action'):10} "
                       f"{r['topic']:12} {r['lang']:4} {words}")
