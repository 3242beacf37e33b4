# Reference figures and rule tables read from files for the analyses: the national benchmarks
# (data/external/national_benchmarks.csv) and the joint actions (dxstudy/rules/joint_actions.csv).
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from dxstudy.errors import DxstudyError
from dxstudy.paths import external_file

BENCHMARK_COLUMNS = ["benchmark_id", "label_ja", "value", "unit", "numerator", "denominator", "population",
                     "as_of", "definition_ja", "source_ja", "source_url", "note_ja"]
"""Columns of national_benchmarks.csv (value, numerator and denominator are numbers; the last two
may be empty)."""

JOINT_ACTION_COLUMNS = ["code", "action_id", "action_ja", "description_ja"]
"""Columns of joint_actions.csv: a challenge code (or "stage_gap"), the action it calls for, and the
action's title and description (``{region}`` stands for e.g. "5市1町")."""


class ProposalDataError(DxstudyError):
    """A data file for the proposals (joint actions, national benchmarks) is malformed."""


def load_joint_actions(path: str | Path | None = None) -> pd.DataFrame:
    """The mapping challenge code -> kind of joint action (rules/joint_actions.csv, or ``path``).

    Columns: code (a challenge code, or "stage_gap": members at stage 3 and at 0-1 in one theme),
    action_id, action_ja, description_ja. ``{region}`` in the text is replaced by e.g. "5市1町".
    Raises ProposalDataError naming file and line for a missing column, value or a repeated code.
    """
    if path is None:
        with resources.files("dxstudy").joinpath("rules", "joint_actions.csv").open(encoding="utf-8-sig") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        where = "dxstudy/rules/joint_actions.csv"
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        where = str(path)
    missing = [c for c in JOINT_ACTION_COLUMNS if c not in df.columns]
    if missing:
        raise ProposalDataError(f"{where}, line 1: expected columns {JOINT_ACTION_COLUMNS}, found {list(df.columns)}")
    for i, row in df.iterrows():
        for col in ("code", "action_id", "action_ja"):
            if not row[col].strip():
                raise ProposalDataError(f"{where}, line {i + 2}: expected a value in column {col!r}, found ''")
    dup = df[df.duplicated("code", keep=False)]
    if len(dup):
        raise ProposalDataError(
            f"{where}, line {dup.index[1] + 2}: expected each code once, found {dup['code'].iloc[0]!r} again"
        )
    return df


def benchmarks_path(data_dir: str | Path | None = None) -> Path:
    """``<data_dir>/external/national_benchmarks.csv`` if it exists, else the project's copy."""
    return external_file("national_benchmarks.csv", data_dir)


def load_benchmarks(path: str | Path | None = None, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read the national benchmarks (data/external/national_benchmarks.csv); value as float.

    Raises ProposalDataError naming file and line for a missing column or a non-numeric value.
    """
    path = Path(path) if path is not None else benchmarks_path(data_dir)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in BENCHMARK_COLUMNS if c not in df.columns]
    if missing:
        raise ProposalDataError(f"{path}, line 1: expected columns {BENCHMARK_COLUMNS}, missing {missing}")
    for col in ("value", "numerator", "denominator"):
        for i, text in enumerate(df[col]):
            if col == "value" or text != "":
                try:
                    float(text)
                except ValueError:
                    raise ProposalDataError(
                        f"{path}, line {i + 2}: expected a number in column {col!r}, found {text!r}"
                    ) from None
    df["value"] = df["value"].astype(float)
    return df
