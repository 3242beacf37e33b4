# Renders the run's index.html: the landing page of a batch run that links every report with its
# status (Japanese, offline, the reports' stylesheet inlined).
"""The run's ``index.html`` (moved out of :mod:`dxstudy.render.html_export`)."""

from __future__ import annotations

from typing import Any

from dxstudy.render.html_export import CSS_PATH, TEMPLATES_DIR, fiscal_year_label

__all__ = ["render_index"]


def _index_environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )


def render_index(run: dict[str, Any]) -> str:
    """The run's ``index.html`` (Japanese, offline, same CSS as the reports).

    ``run`` is the run manifest (the content of ``run.json``): ``fiscal_year``, ``status``,
    ``started_at``, ``duration_s``, ``inputs`` (path, sha256), ``tables`` (paths), ``rules_version``,
    ``dxstudy_version``, ``jobs``, and ``reports``: one dict per notebook run with ``name``,
    ``title``, ``notebook``, ``parameters``, ``status`` ("ok" | "failed"), ``html``, ``ipynb``,
    ``duration_s`` and ``error``.
    """
    from datetime import datetime

    template = _index_environment().get_template("run_index.html.j2")
    try:
        started = datetime.fromisoformat(run["started_at"]).strftime("%Y-%m-%d %H:%M:%S %z")
    except (KeyError, TypeError, ValueError):
        started = str(run.get("started_at", ""))
    return template.render(
        run=run,
        started=started,
        css=CSS_PATH.read_text(encoding="utf-8"),
        fiscal_year_label=fiscal_year_label(run["fiscal_year"]),
    )
