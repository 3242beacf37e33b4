# Where each layer of a fiscal year lives: data/<layer>/FY<year>/ and outputs/FY<year>/.
# The only module that builds these paths; everything else asks it.
"""Paths of the data layers (see docs/data-model.md).

``data_dir`` is the data folder of a project (``data/`` in a checkout); ``out_dir`` the outputs
folder (``outputs/``). A fiscal year's folder is named ``FY2021`` in every layer.
"""
from __future__ import annotations

import re
from pathlib import Path

from dxstudy.inputs import InputError

#: Layers under the data folder.
LAYERS = ("raw", "processed", "overrides", "external", "reference")

_YEAR_DIR = re.compile(r"^FY(\d{4})$")

#: The source checkout this package runs from (holds ``data/`` in a development install).
PROJECT_DIR = Path(__file__).resolve().parents[1]


def year_dir_name(fiscal_year: int) -> str:
    """``FY2021`` for 2021: the name of a fiscal year's folder in every layer."""
    return f"FY{int(fiscal_year)}"


def fiscal_year_of_dir(path: str | Path) -> int | None:
    """2021 for a folder named ``FY2021``; None for any other name."""
    m = _YEAR_DIR.match(Path(path).name)
    return int(m.group(1)) if m else None


def layer_dir(layer: str, fiscal_year: int, data_dir: str | Path = "data") -> Path:
    """``<data_dir>/<layer>/FY<year>``."""
    if layer not in LAYERS:
        raise InputError(f"data layer: expected one of {', '.join(LAYERS)}, found {layer!r}")
    return Path(data_dir) / layer / year_dir_name(fiscal_year)


def raw_dir(fiscal_year: int, data_dir: str | Path = "data") -> Path:
    """``<data_dir>/raw/FY<year>``: the year's inputs as delivered (never modified)."""
    return layer_dir("raw", fiscal_year, data_dir)


def processed_dir(fiscal_year: int, data_dir: str | Path = "data") -> Path:
    """``<data_dir>/processed/FY<year>``: the year's tables (regenerable)."""
    return layer_dir("processed", fiscal_year, data_dir)


def overrides_dir(fiscal_year: int, data_dir: str | Path = "data") -> Path:
    """``<data_dir>/overrides/FY<year>``: an analyst's decisions on coded rows."""
    return layer_dir("overrides", fiscal_year, data_dir)


def outputs_dir(fiscal_year: int, out_dir: str | Path = "outputs") -> Path:
    """``<out_dir>/FY<year>``: the year's executed notebooks and HTML reports."""
    return Path(out_dir) / year_dir_name(fiscal_year)


def external_file(name: str, data_dir: str | Path | None = None) -> Path:
    """``<data_dir>/external/<name>`` when it exists, else the copy in the source checkout."""
    if data_dir is not None:
        candidate = Path(data_dir) / "external" / name
        if candidate.exists():
            return candidate
    return PROJECT_DIR / "data" / "external" / name


def data_dir_of(year_dir: str | Path) -> Path | None:
    """The data folder of ``<data_dir>/<layer>/FY<year>``; None when the path is not laid out so."""
    year_dir = Path(year_dir)
    if fiscal_year_of_dir(year_dir) is None or year_dir.parent.name not in LAYERS:
        return None
    return year_dir.parent.parent


def processed_years(data_dir: str | Path = "data") -> list[int]:
    """Fiscal years that have a folder ``<data_dir>/processed/FY<year>/``, ascending."""
    base = Path(data_dir) / "processed"
    if not base.is_dir():
        return []
    return sorted(year for p in base.iterdir() if p.is_dir() and (year := fiscal_year_of_dir(p)) is not None)
