# Saving an analyst's selection for colleagues who work in Excel: .xlsx or UTF-8-with-BOM CSV, with
# text that a spreadsheet would run as a formula neutralized, written whole or not at all.
"""Export of a selection (any DataFrame) to Excel or CSV."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from dxstudy.errors import DxstudyError
from dxstudy.tables.cellsafe import neutralize_frame

SUFFIXES = (".xlsx", ".csv")


class ExportError(DxstudyError, ValueError):
    """An export path with a suffix other than .xlsx or .csv."""


def export_selection(frame: pd.DataFrame, path: str | Path, *, sheet: str = "選択") -> Path:
    """Write ``frame`` to ``path`` (.xlsx: one sheet named ``sheet``; .csv: UTF-8 with BOM, which
    Excel opens in Japanese) and return the path. Cells such as ``=1+2`` are written as ``'=1+2``
    (formula injection, as in every table dxstudy writes). The file appears whole or not at all;
    an existing file of that name is replaced."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"{path}: 保存先の拡張子は .xlsx か .csv にしてください（指定された拡張子：{path.suffix or 'なし'}）")
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = neutralize_frame(frame)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            safe.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            safe.to_excel(tmp, index=False, sheet_name=sheet[:31])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
