# Survey workbooks for the fiscal years after FY2021: pre-filled templates out, validated answers in,
# read into the same tidy tables as the report path.
"""dxstudy.survey — the yearly survey in Excel.

``write_templates(fiscal_year, out_dir, data_dir)`` writes one pre-filled workbook per member;
``ingest(src_dir, fiscal_year, data_dir)`` validates returned workbooks, copies them to
``data/raw/FY{year}/`` and writes ``data/processed/FY{year}/``; ``read_survey_dir`` is the raw
reader ``dxstudy.tables.build.build_processed`` uses for a year of workbooks. Problems are raised as
``SurveyValidationError`` listing every ``CellProblem`` (file, sheet, cell, expected, found). Each
name is imported from its module on first use, so reading a workbook does not load the intake.
"""
from __future__ import annotations

from importlib import import_module

#: Public name → the module that defines it.
_HOME = {
    "IngestResult": "dxstudy.survey.intake", "ingest": "dxstudy.survey.intake",
    "read_survey_dir": "dxstudy.survey.workbooks", "LAYOUT_VERSION": "dxstudy.survey.layout",
    "CellProblem": "dxstudy.survey.problems", "SurveyValidationError": "dxstudy.survey.problems",
    "TemplateResult": "dxstudy.survey.template", "write_templates": "dxstudy.survey.template",
    "load_all_years": "dxstudy.tables.years",
}

__all__ = list(_HOME)


def __getattr__(name: str):
    try:
        home = _HOME[name]
    except KeyError:
        raise AttributeError(f"module 'dxstudy.survey' has no attribute {name!r}") from None
    value = globals()[name] = getattr(import_module(home), name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
