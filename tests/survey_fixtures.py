# Test data for the survey tests: a tmp data dir laid out like data/ with FY2021 built from the real
# report, FY2022 templates marked テスト用データ, and respondent edits made through openpyxl.
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

from dxstudy.survey import layout as lo

REPO = Path(__file__).resolve().parent.parent
RAW_FY2021 = REPO / "data" / "raw" / "FY2021"
#: Marks every workbook made by these tests (in _meta and in the sheet titles); never shipped.
TEST_LABEL = "テスト用データ"
CODES = ["112216", "112224", "112348", "112372", "112437", "114651"]
NAMES = dict(zip(CODES, ["草加市", "越谷市", "八潮市", "三郷市", "吉川市", "松伏町"]))

_cache: dict[str, Path] = {}


def base_data(factory) -> Path:
    """A data dir with data/raw/FY2021 copied and data/processed/FY2021 built by build_processed
    (plus the coding tables, while the coding layer is not yet a registered deriver). Built once per
    session; tests copy it before writing into it."""
    if "base" not in _cache:
        from dxstudy.coding import code_statements
        from dxstudy.paths import processed_dir
        from dxstudy.tables.build import build_processed
        from dxstudy.tables.store import read_tables, write_tables

        data = factory.mktemp("survey_base") / "data"
        shutil.copytree(RAW_FY2021, data / "raw" / "FY2021")
        build_processed(2021, data)
        tables = read_tables(processed_dir(2021, data))
        if "stages" not in tables:
            tables.update(code_statements(tables["statements"], fiscal_year=2021))
            write_tables(tables, processed_dir(2021, data))
        _cache["base"] = data
    return _cache["base"]


def data_copy(factory, tmp_path: Path) -> Path:
    """A private copy of the base data dir (FY2021 raw and processed) under ``tmp_path``."""
    target = tmp_path / "data"
    shutil.copytree(base_data(factory), target)
    return target


def templates(factory) -> Path:
    """The six FY2022 templates written from the base data (once per session)."""
    if "templates" not in _cache:
        from dxstudy.survey.template import write_templates

        out = factory.mktemp("survey_templates")
        write_templates(2022, out, base_data(factory), test_label=TEST_LABEL)
        _cache["templates"] = out
    return _cache["templates"]


def template_path(factory, code: str) -> Path:
    return templates(factory) / lo.file_name(code, NAMES[code], 2022)


def edit(path: Path, change: Callable) -> Path:
    """Open a workbook with openpyxl, let ``change(wb)`` edit it as a respondent would, save it."""
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    wb.close()
    return path


def answer_stages(wb, stages: dict[str, int] | None = None) -> None:
    """Choose a stage from the drop-down list on every theme sheet (by typing the label)."""
    choices = lo.stage_choices()
    for sheet in lo.answer_sheets():
        if sheet.theme in lo.STAGE_THEMES:
            stage = (stages or {}).get(sheet.theme, 1)
            wb[sheet.name][sheet.field("stage").cell] = choices[stage]


def answered(factory, code: str) -> Path:
    """A completed workbook of one member: the template with every stage chosen (once per session)."""
    key = f"answered-{code}"
    if key not in _cache:
        out = factory.mktemp(f"answered_{code}") / template_path(factory, code).name
        shutil.copyfile(template_path(factory, code), out)
        edit(out, answer_stages)
        _cache[key] = out
    return _cache[key]


def returned_dir(factory, tmp_path: Path, codes: list[str], name: str = "returned") -> Path:
    """A directory of completed workbooks for ``codes`` (fresh copies a test may break)."""
    d = tmp_path / name
    d.mkdir()
    for code in codes:
        shutil.copyfile(answered(factory, code), d / answered(factory, code).name)
    return d


def sheet_name(theme: str) -> str:
    return lo.sheet_for(theme).name


def snapshot(data: Path) -> list[tuple]:
    """Every file under data/ with size, mtime and hash: proves a failed run wrote nothing."""
    out = []
    for p in sorted(data.rglob("*")):
        if p.is_file():
            st = p.stat()
            out.append((str(p.relative_to(data)), st.st_size, st.st_mtime_ns,
                        hashlib.sha256(p.read_bytes()).hexdigest()))
        else:
            out.append((str(p.relative_to(data)), "dir"))
    return out
