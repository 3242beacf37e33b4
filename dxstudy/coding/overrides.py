# Analyst overrides of maturity stages (data/overrides/FY…/stages.csv): checked line by line,
# then applied over the rule-based stages and marked source=override.
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from dxstudy.coding.errors import OverrideError
from dxstudy.errors import read_text_or_error
from dxstudy.paths import overrides_dir
from dxstudy.coding.rulesets import STAGE_THEMES

REQUIRED = ["municipality_code", "theme", "stage", "reason"]
OPTIONAL = ["statement_id", "discontinued"]
OVERRIDE_COLUMNS = ["line", *REQUIRED, *OPTIONAL]

_TRUE = {"true", "1", "yes", "y", "はい"}
_FALSE = {"false", "0", "no", "n", "いいえ", ""}


def default_overrides_path(fiscal_year: int, data_dir: str | Path = "data") -> Path:
    """Where the overrides of a fiscal year live: ``<data_dir>/overrides/FY<year>/stages.csv``."""
    return overrides_dir(fiscal_year, data_dir) / "stages.csv"


def read_overrides(path: str | Path, statements: pd.DataFrame) -> pd.DataFrame:
    """Read and check an override file against the statements being coded.

    Columns: ``municipality_code`` (a municipality of this report), ``theme`` (awareness, talent,
    telework or planning), ``stage`` (0–3), ``reason`` (the analyst's reading, required) and
    optionally ``statement_id`` (the sentence the judgement rests on, a status sentence of that
    municipality) and ``discontinued`` (true/false). Returns the rows with their file ``line``.

    Raises OverrideError naming the file and line of the first bad row.
    """
    path = Path(path)
    text = read_text_or_error(path, "an override file", OverrideError)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise OverrideError(path, 1, "the columns " + ",".join(REQUIRED),
                            "header " + (",".join(header) or "(empty file)"))
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise OverrideError(path, 1, "only the columns " + ",".join(REQUIRED + OPTIONAL),
                            "unknown column " + ", ".join(unknown))
    municipal = statements[statements["municipality_code"] != ""]
    known_codes = sorted(set(municipal["municipality_code"]))
    ids = dict(zip(statements["statement_id"], statements["municipality_code"]))
    rows, seen = [], {}
    for raw in reader:
        line = reader.line_num
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        code = row["municipality_code"]
        if code not in known_codes:
            shown = ", ".join(known_codes[:8]) + (", …" if len(known_codes) > 8 else "")
            raise OverrideError(path, line, f"a municipality_code of this report ({shown})",
                                repr(code))
        theme = row["theme"]
        if theme not in STAGE_THEMES:
            raise OverrideError(path, line, "a theme among " + ", ".join(STAGE_THEMES), repr(theme))
        if not re.fullmatch(r"[0-3]", row["stage"]):
            raise OverrideError(path, line, "a stage 0, 1, 2 or 3", repr(row["stage"]))
        if not row["reason"]:
            raise OverrideError(path, line, "a reason (the analyst's reading of the sentence)",
                                "an empty cell")
        if (code, theme) in seen:
            raise OverrideError(path, line, f"one override per municipality and theme "
                                f"(line {seen[(code, theme)]} already overrides {code} {theme})",
                                "a second one")
        seen[(code, theme)] = line
        sid = row.get("statement_id", "")
        if sid and ids.get(sid) != code:
            found = "no such statement" if sid not in ids else f"a statement of {ids[sid] or 'the region'}"
            raise OverrideError(path, line, f"a statement_id of municipality {code}",
                                f"{sid} ({found})")
        flag = row.get("discontinued", "").lower()
        if flag not in _TRUE | _FALSE:
            raise OverrideError(path, line, "discontinued true or false", repr(row["discontinued"]))
        rows.append({"line": line, "municipality_code": code, "theme": theme,
                     "stage": int(row["stage"]), "reason": row["reason"], "statement_id": sid,
                     "discontinued": flag in _TRUE})
    return pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)


def apply_overrides(stages: pd.DataFrame, overrides: pd.DataFrame, statements: pd.DataFrame,
                    scale: dict[int, str]) -> pd.DataFrame:
    """Replace the rule-based stage of each overridden municipality × theme.

    The row gets ``source`` = "override", ``rule`` = "override", the analyst's ``reason`` in
    ``note``, and — when the override names one — the sentence it rests on as evidence
    (otherwise the sentence the rules had quoted stays)."""
    if overrides.empty:
        return stages
    out = stages.copy()
    texts = dict(zip(statements["statement_id"], statements["text"]))
    for o in overrides.itertuples(index=False):
        hit = (out["municipality_code"] == o.municipality_code) & (out["theme"] == o.theme)
        out.loc[hit, "stage"] = o.stage
        out.loc[hit, "stage_label"] = scale[o.stage]
        out.loc[hit, "discontinued"] = bool(o.discontinued)
        out.loc[hit, "source"] = "override"
        out.loc[hit, "rule"] = "override"
        out.loc[hit, "note"] = o.reason
        if o.statement_id:
            out.loc[hit, "statement_id"] = o.statement_id
            out.loc[hit, "evidence"] = texts[o.statement_id]
            out.loc[hit, "dimension"] = ""
    return out
