"""``webcare knowledge export``: FAQ candidates from answered questions as Markdown or CSV.

Registered on the ``webcare`` group by :mod:`webcare.cli.main` when it is imported; the grouping
(scikit-learn) is imported only when the command runs. It reads an existing store only.
"""

from __future__ import annotations

from pathlib import Path

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, open_app, read_config


def register(main: click.Group) -> None:
    """Add ``webcare knowledge`` to the group (once, at import of webcare.cli.main)."""

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
    @CONFIG_OPTION
    @STORE_OPTION
    def knowledge_export(fmt: str, output_path: Path | None, min_count: int | None,
                         config_path, store_path) -> None:
        """Write one section (md) or row (csv) per FAQ candidate, the most asked first."""
        from webcare.knowledge.export import candidates, csv_text, markdown

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
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
