"""Shared helpers for the reader tests: the real FY2021 report and variants of it written to tmp files."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dxstudy.report.reader import parse_report

ROOT = Path(__file__).resolve().parents[1]
FY2021 = ROOT / "data" / "raw" / "FY2021" / "report.md"


@lru_cache(maxsize=1)
def fy2021():
    """The FY2021 report read once per test session (reading only; coding tables not needed here)."""
    return parse_report(FY2021)


def report_lines() -> list[str]:
    return FY2021.read_text(encoding="utf-8").split("\n")


def write_variant(tmp_path: Path, lines: list[str], name: str = "report.md") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def line_index(lines: list[str], text: str) -> int:
    """0-based index of the first line whose text (stripped of '#' and spaces) is ``text``."""
    for i, line in enumerate(lines):
        if re.sub(r"^#+\s*", "", line).strip() == text:
            return i
    raise AssertionError(f"no line {text!r} in the report")
