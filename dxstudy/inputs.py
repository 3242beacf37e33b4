# Checks of what users hand to dxstudy — fiscal years, names that become output files, directories
# that get replaced — shared by the command line, the batch, the survey and the notebooks.
"""Input checks shared across dxstudy (see docs/reliability.md, "Inputs and paths").

* :func:`check_fiscal_year` — an ``int`` (or a string of digits) between :data:`FISCAL_YEAR_MIN`
  and :data:`FISCAL_YEAR_MAX`; anything else (``True``, ``2021.5``, ``"../2021"``) is refused.
  :func:`fiscal_year_arg` is the same for ``argparse`` (``type=fiscal_year_arg``).
* :func:`safe_name` / :func:`confined` — a name that becomes one file in an output directory (a
  report name, a workbook name): one path component, never ``..``, a separator, a hidden name or a
  NUL; ``confined(base, name)`` is the path, guaranteed inside ``base``.
* :func:`check_replaceable` — a directory that is about to be replaced whole holds nothing but
  the files dxstudy writes there (so ``--out`` pointing at someone's folder is refused, not wiped).
* :func:`replace_path` — the atomic rename that replaces it (``os.replace``), retried for a few
  seconds while Windows refuses because a file is open elsewhere (``tables.xlsx`` in Excel), then
  :class:`FileInUseError` in Japanese.

All raise :class:`InputError` (a ``DxstudyError`` and ``ValueError``) whose message says what was
expected and what was found.
"""
from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

from dxstudy.errors import DxstudyError

__all__ = ["FISCAL_YEAR_MIN", "FISCAL_YEAR_MAX", "InputError", "check_fiscal_year", "fiscal_year_arg",
           "safe_name", "confined", "check_replaceable", "FileInUseError", "replace_path"]

FISCAL_YEAR_MIN = 2000
FISCAL_YEAR_MAX = 2100
"""Fiscal years dxstudy accepts (the working group started in FY2021; 令和 years map into this range)."""

MAX_NAME_BYTES = 200
"""Longest output name (UTF-8 bytes, before the suffix): file systems allow 255 per component."""

#: How long a rename is retried while another program (Excel, a virus scanner) holds a file open.
REPLACE_RETRY_S = 5.0

_DIGITS = re.compile(r"^\s*[0-9]{1,6}\s*$")
_NAME_FORBIDDEN = re.compile(r"[/\\\x00-\x1f\x7f]")


class InputError(DxstudyError, ValueError):
    """A value given to dxstudy (argument, parameter, name) that it will not use."""


def check_fiscal_year(value, what: str = "fiscal year") -> int:
    """``value`` as an int fiscal year, or :class:`InputError`.

    Accepts an ``int`` (not ``bool``) or a string of ASCII digits (surrounding spaces allowed), in
    FISCAL_YEAR_MIN..FISCAL_YEAR_MAX. Refuses floats, booleans, signs, underscores and anything
    path-like, so a year can be put into a path (``FY2021``) safely. ``what`` starts the message."""
    lead = f"{what}: " if what else ""
    if isinstance(value, bool) or not isinstance(value, (int, str)) and not hasattr(value, "__index__"):
        raise InputError(f"{lead}expected a year such as 2021 (an integer from {FISCAL_YEAR_MIN} to "
                         f"{FISCAL_YEAR_MAX}), found {value!r} ({type(value).__name__})")
    if isinstance(value, str):
        if not _DIGITS.match(value):
            raise InputError(f"{lead}expected a year such as 2021 (digits only), found {value!r}")
        year = int(value)
    else:
        year = int(value.__index__()) if not isinstance(value, int) else value
    if not FISCAL_YEAR_MIN <= year <= FISCAL_YEAR_MAX:
        raise InputError(f"{lead}expected a year from {FISCAL_YEAR_MIN} to {FISCAL_YEAR_MAX}, found {year}")
    return year


def fiscal_year_arg(text: str) -> int:
    """``argparse`` type for ``--fiscal-year``: the message of :func:`check_fiscal_year` on error."""
    try:
        return check_fiscal_year(text, what="")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def safe_name(name: str, what: str = "output name") -> str:
    """``name`` if it can be one file name inside an output directory, else :class:`InputError`.

    Refused: empty, ``.``/``..`` or any name starting with ``.`` (hidden; the batch keeps its lock
    and temporary directories under such names), path separators (``/``, ``\\``), control
    characters and NUL, names over MAX_NAME_BYTES bytes."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{what}: expected a file name, found {name!r}")
    if name.startswith(".") or _NAME_FORBIDDEN.search(name):
        raise InputError(f"{what}: expected a plain file name (no path separators, no leading '.', no "
                         f"control characters), found {name!r}")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError(f"{what}: expected a name of at most {MAX_NAME_BYTES} bytes, found "
                         f"{len(name.encode('utf-8'))} bytes ({name[:40]!r}…)")
    return name


def confined(base: str | Path, name: str, suffix: str = "", what: str = "output name") -> Path:
    """``base / (name + suffix)``, after :func:`safe_name`; checked to resolve directly inside ``base``."""
    base = Path(base)
    path = base / (safe_name(name, what) + suffix)
    if path.resolve().parent != base.resolve():
        raise InputError(f"{what}: expected a file inside {base}, found {name + suffix!r} "
                         f"(resolves to {path.resolve()})")
    return path


def check_replaceable(directory: str | Path, suffixes: tuple[str, ...] = (".csv", ".xlsx"),
                      what: str = "output directory") -> None:
    """Refuse to replace ``directory`` whole when it holds anything dxstudy would not have written
    there: an entry that is not a file with one of ``suffixes`` (a subdirectory, a document).
    A missing or empty directory is fine."""
    directory = Path(directory)
    if not directory.exists():
        return
    if not directory.is_dir():
        raise InputError(f"{directory}: expected a directory for the {what}, found a file")
    foreign = sorted(p.name for p in directory.iterdir()
                     if not (p.is_file() and p.suffix.lower() in suffixes))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" (+{len(foreign) - 3} more)" if len(foreign) > 3 else "")
        raise InputError(f"{directory}: expected a directory of dxstudy tables ({', '.join(suffixes)}) that "
                         f"may be replaced whole, found other entries: {shown}; choose an empty or new "
                         "directory")


class FileInUseError(DxstudyError, OSError):
    """A folder could not be renamed because another program keeps a file in it open."""

    def __init__(self, src: Path, dst: Path, error: OSError, waited_s: float = REPLACE_RETRY_S):
        self.src, self.dst = Path(src), Path(dst)
        super().__init__(
            f"{src} を {dst} に置き換えられません：中のファイルが他のプログラム（Excel など）で開かれて"
            f"います（{waited_s:.0f} 秒待っても閉じられませんでした: {error}）。"
            f"ファイルを閉じてから、もう一度実行してください。"
        )


def replace_path(src: str | Path, dst: str | Path, retry_s: float = REPLACE_RETRY_S) -> None:
    """``os.replace(src, dst)`` (atomic), retried for ``retry_s`` seconds while Windows refuses
    because a file is held open (PermissionError, e.g. ``tables.xlsx`` open in Excel); then
    :class:`FileInUseError`."""
    deadline = time.monotonic() + retry_s
    delay = 0.05
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            if time.monotonic() >= deadline:
                raise FileInUseError(Path(src), Path(dst), exc, retry_s) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
