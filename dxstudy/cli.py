# The `dxstudy` command (also `python -m dxstudy`): `parse` a report into tables, `run` the fiscal-year
# batch, and the sub-commands registered by their modules; errors become one Japanese paragraph.
"""The ``dxstudy`` command line.

Exit status: 0 done; 1 done, with problems in the inputs or failed reports (see the summary);
2 stopped — a bad argument, an input dxstudy refuses (:class:`~dxstudy.errors.DxstudyError`), a file
that cannot be read or written, or a missing package — with one paragraph on stderr and no
traceback; 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from importlib import import_module
from pathlib import Path

from dxstudy.errors import DxstudyError
from dxstudy.inputs import fiscal_year_arg

#: Modules that add a sub-command: each has ``add_<name>_command(subparsers)``.
COMMAND_MODULES: list[tuple[str, str]] = [
    ("dxstudy.batch.command", "add_run_command"),
    ("dxstudy.survey.cli", "add_survey_command"),
]


def _summary(report, out_dir: Path) -> str:
    st = report.statements
    lines = [f"{report.path}: FY{report.fiscal_year}  →  {out_dir}",
             f"  sections: {st['section'].nunique()}   statements: {len(st)}   "
             f"meetings: {len(report.meetings)}"]
    per = st[st["municipality"] != ""].groupby("municipality", sort=False).size()
    region = int((st["municipality"] == "").sum())
    lines.append("  statements per municipality: " + "  ".join(f"{m} {n}" for m, n in per.items())
                 + f"  (region-wide {region})")
    for name in ("metrics", "events", "stages", "challenges", "technologies"):
        if name in report.tables:
            lines.append(f"  {name}: {len(report.tables[name])} rows")
    kinds = report.lines["kind"].value_counts()
    content = int(kinds.drop(labels=["blank", "heading", "toc", "rule", "figure"], errors="ignore").sum())
    unplaced = int(kinds.get("unplaced", 0))
    lines.append(f"  coverage: {content - unplaced}/{content} content lines placed "
                 f"({len(report.lines)} lines in the file)")
    for problem in report.problems:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines)


def _cmd_parse(args: argparse.Namespace) -> int:
    from dxstudy.report.reader import ReportWarning
    from dxstudy.tables.build import read_report
    from dxstudy.tables.store import write_tables

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReportWarning)
        report = read_report(args.path, args.fiscal_year, lenient=args.lenient)
    out_dir = Path(args.out)
    write_tables(report.tables, out_dir)
    print(_summary(report, out_dir))
    return 1 if report.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxstudy",
        description="Evidence-linked analysis of the DX working group reports of the 5市1町 "
                    "(草加市, 越谷市, 八潮市, 三郷市, 吉川市, 松伏町).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("parse", help="read a report file into tidy tables (CSV + tables.xlsx)",
                       description="Read a report (Markdown converted from PDF; UTF-8, UTF-8 with BOM or "
                                   "CP932) and write one CSV per table (UTF-8 with BOM, for Excel) and "
                                   "tables.xlsx with a sheet per table into OUT.")
    p.add_argument("path", type=Path, help="the report file, e.g. data/raw/FY2021/report.md")
    p.add_argument("--out", required=True, type=Path, help="directory for the tables (replaced whole)")
    p.add_argument("--fiscal-year", type=fiscal_year_arg, default=None,
                   help="fiscal year (default: from the title, 令和3年度 → 2021)")
    p.add_argument("--lenient", action="store_true",
                   help="collect structural problems and go on instead of stopping at the first one "
                        "(exit status 1 if there were any)")
    p.set_defaults(handler=_cmd_parse)
    for module, function in COMMAND_MODULES:
        getattr(import_module(module), function)(sub)
    return parser


#: Import names whose distribution (what ``pip install`` takes) has another name.
DISTRIBUTION_OF = {
    "yaml": "pyyaml", "zmq": "pyzmq", "matplotlib_fontja": "matplotlib-fontja",
    "sudachidict_core": "sudachidict-core", "jupyter_client": "jupyter-client",
}


def _one_paragraph(text: str) -> str:
    return " ".join(str(text).split())


def _missing_package(exc: ImportError) -> str:
    """The Japanese message for a package that is not installed, naming what to install."""
    module = (exc.name or "").split(".")[0]
    if not module or module == "dxstudy":
        return (f"dxstudy: error: dxstudy の一部を読み込めませんでした（{_one_paragraph(exc)}）。"
                f"dxstudy を入れ直してください: python -m pip install -e \".[test]\"")
    package = DISTRIBUTION_OF.get(module, module)
    if not isinstance(exc, ModuleNotFoundError):  # installed, but not a version dxstudy works with
        return (f"dxstudy: error: パッケージ {package} を読み込めませんでした（{_one_paragraph(exc)}）。"
                f"この環境で python -m pip install -U {package} を実行して、pyproject.toml の求める"
                f"版にしてください。")
    return (f"dxstudy: error: 必要なパッケージ {package} がインストールされていません"
            f"（{_one_paragraph(exc)}）。この環境で python -m pip install {package} を実行するか、"
            f"python -m pip install -e \".[test]\" で dxstudy の依存関係をまとめて入れてください。")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args) or 0)
    except DxstudyError as exc:
        print(f"dxstudy: error: 処理を中止しました。{_one_paragraph(exc)}", file=sys.stderr)
    except ImportError as exc:
        print(_missing_package(exc), file=sys.stderr)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"dxstudy: error: {where}ファイルを読み書きできませんでした"
              f"（{exc.strerror or _one_paragraph(exc)}）。", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
