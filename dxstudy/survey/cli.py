# The ``dxstudy survey`` sub-commands: ``template`` (write pre-filled workbooks), ``check`` (validate
# returned ones, write nothing) and ``ingest`` (validate, copy to data/raw, write data/processed).
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxstudy.inputs import fiscal_year_arg
from dxstudy.survey.problems import SurveyValidationError


def _cmd_template(args: argparse.Namespace) -> int:
    from dxstudy.survey.template import write_templates

    members = [c.strip() for c in args.members.split(",")] if args.members else None
    result = write_templates(args.fiscal_year, args.out, args.data_dir, members=members, deadline=args.deadline,
                             as_of=args.as_of, contact=args.contact)
    if result.prefilled:
        print(f"FY{args.fiscal_year}: {len(result.paths)} workbook(s) pre-filled from FY{result.previous_fiscal_year} "
              f"→ {args.out}")
    else:
        print(f"FY{args.fiscal_year}: {len(result.paths)} EMPTY workbook(s) → {args.out} "
              f"(no processed tables of FY{result.previous_fiscal_year}: {result.reason})")
    for path in result.paths:
        print(f"  {path.name}")
    return 0


def _report(exc: SurveyValidationError) -> int:
    print(f"dxstudy: error: {exc}", file=sys.stderr)
    return 1


def _cmd_ingest(args: argparse.Namespace, check_only: bool = False) -> int:
    from dxstudy.survey.intake import ingest

    try:
        result = ingest(args.dir, args.fiscal_year, args.data_dir, lenient=args.lenient, check_only=check_only)
    except SurveyValidationError as exc:
        return _report(exc)
    if check_only:
        print(f"FY{args.fiscal_year}: {len(result.workbooks)} sound workbook(s); nothing written")
        if result.missing:
            print("  note: no workbook for " + ", ".join(result.missing))
        for p in result.rejected:
            print(f"  problem: {p}")
        return 1 if result.rejected else 0
    print(result.summary())
    return 1 if result.rejected else 0


def add_survey_command(subparsers) -> None:
    """Register ``dxstudy survey template|check|ingest`` (for dxstudy.cli.COMMAND_MODULES)."""
    p = subparsers.add_parser("survey", help="survey workbooks: write pre-filled templates, check and ingest answers",
                              description="The yearly survey in Excel (layout and validation rules: docs/survey.md).")
    sub = p.add_subparsers(dest="survey_command", metavar="SUBCOMMAND", required=True)

    t = sub.add_parser("template", help="write one pre-filled workbook per member",
                       description="Write 112224_越谷市_FY2022.xlsx etc. into OUT, pre-filled with the previous "
                                   "fiscal year's answers from DATA_DIR/processed/FY{year-1}/ (empty when missing).")
    t.add_argument("--fiscal-year", type=fiscal_year_arg, required=True, help="the fiscal year surveyed, e.g. 2022")
    t.add_argument("--out", type=Path, required=True, help="directory for the workbooks")
    t.add_argument("--data-dir", type=Path, default=Path("data"), help="data directory (default: data)")
    t.add_argument("--members", default="", help="comma-separated municipality codes (default: all six)")
    t.add_argument("--deadline", default="", help="回答期限 to write on the instructions sheet, e.g. 令和4年12月9日")
    t.add_argument("--as-of", default="", help="調査基準日 to write on the instructions sheet, e.g. 令和4年11月30日")
    t.add_argument("--contact", default=None,
                   help="問合せ先 (default: last year's secretariat and phone from the document table)")
    t.set_defaults(handler=_cmd_template)

    for name, helptext, check_only in (
            ("ingest", "validate returned workbooks, copy them to data/raw and write data/processed", False),
            ("check", "validate returned workbooks and report every problem; write nothing", True)):
        i = sub.add_parser(name, help=helptext,
                           description=helptext + ". Every problem names file, sheet and cell; any problem "
                                                  "means nothing is written (exit status 1) unless --lenient.")
        i.add_argument("dir", type=Path, help="directory of returned workbooks (*.xlsx)")
        i.add_argument("--fiscal-year", type=fiscal_year_arg, required=True, help="the fiscal year surveyed, e.g. 2022")
        i.add_argument("--data-dir", type=Path, default=Path("data"), help="data directory (default: data)")
        i.add_argument("--lenient", action="store_true",
                       help="write the sound workbooks and list the problems of the others (exit status 1)")
        i.set_defaults(handler=lambda a, c=check_only: _cmd_ingest(a, c))
