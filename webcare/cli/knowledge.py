"""``webcare knowledge export``: FAQ candidates from answered questions as Markdown or CSV."""

from __future__ import annotations

from pathlib import Path

import click


def register(main: click.Group, config_option, store_option) -> None:
    @main.group()
    def knowledge() -> None:
        """FAQ candidates grouped from answered questions (issue 8)."""

    @knowledge.command(name="export")
    @click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md",
                  show_default=True)
    @click.option("--output", "output_path", default=None, type=click.Path(path_type=Path),
                  help="file to write (default: stdout)")
    @click.option("--min-count", type=click.IntRange(min=1), default=None,
                  help="questions a candidate needs (default: knowledge.min_count)")
    @config_option
    @store_option
    def knowledge_export(fmt: str, output_path: Path | None, min_count: int | None,
                         config_path, store_path) -> None:
        """Write one section (md) or row (csv) per FAQ candidate, the most asked first."""
        from webcare.cli.app import _app, _config
        from webcare.knowledge.export import candidates, csv_text, markdown

        config = _config(config_path, store_path)
        app = _app(config)
        try:
            found = candidates(app.db, config.knowledge, min_count=min_count)
        finally:
            app.store.close()
        text = markdown(found) if fmt == "md" else csv_text(found)
        if output_path is None:
            click.echo(text, nl=False)
            return
        output_path.parent.mkdir(parents=True, exist_ok=True)
        output_path.write_text(text, "utf-8", newline="")
        click.echo(f"{len(found)} FAQ candidate(s) written to {output_path}")
