# The metric rules (dxstudy/rules/metrics.csv: topic, counter, clause… → a stable metric id) and the
# non-quantity rules (non_quantities.csv), read and compiled once; the catalogue of metric ids.
"""Rules of :mod:`dxstudy.extract.metrics` (how they match is described there)."""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from dxstudy.errors import FileContentError


@dataclass(frozen=True)
class MetricRule:
    """One row of ``metrics.csv`` with its regular expressions compiled."""

    order: int
    metric: str
    label_ja: str
    unit: str
    topic: re.Pattern | None
    requires: re.Pattern | None
    clause: re.Pattern | None
    exclude_clause: re.Pattern | None
    scope: str
    themes: frozenset[str]
    qualifier: str
    value: float | None
    description: str


def _compile(pattern: str) -> re.Pattern | None:
    return re.compile(pattern) if pattern.strip() else None


def _read_rules_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("dxstudy").joinpath("rules", name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=None)
def load_metric_rules() -> tuple[MetricRule, ...]:
    """The metric rules shipped in ``dxstudy/rules/metrics.csv`` (compiled once)."""
    rules = []
    for order, row in enumerate(_read_rules_csv("metrics.csv")):
        scope = row["scope"].strip() or "sentence"
        if scope not in ("sentence", "paragraph"):
            raise FileContentError("dxstudy/rules/metrics.csv", order + 2, "scope sentence or paragraph",
                                   repr(scope))
        rules.append(MetricRule(
            order=order, metric=row["metric"].strip(), label_ja=row["label_ja"].strip(),
            unit=unicodedata.normalize("NFKC", row["unit"].strip()), topic=_compile(row["topic"]),
            requires=_compile(row["requires"]), clause=_compile(row["clause"]),
            exclude_clause=_compile(row["exclude_clause"]), scope=scope,
            themes=frozenset(t for t in row["themes"].split(";") if t.strip()),
            qualifier=row["qualifier"].strip(),
            value=float(row["value"]) if row["value"].strip() else None,
            description=row["description"].strip(),
        ))
    return tuple(rules)


@lru_cache(maxsize=None)
def load_non_quantity_rules() -> tuple[tuple[re.Pattern, str], ...]:
    """``(pattern, reason)`` pairs of ``dxstudy/rules/non_quantities.csv``."""
    return tuple((re.compile(r["pattern"]), r["reason"]) for r in _read_rules_csv("non_quantities.csv"))


def metric_catalog() -> pd.DataFrame:
    """One row per metric id: ``metric``, ``label_ja``, ``unit``, ``description`` (first rule's)."""
    seen: dict[str, MetricRule] = {}
    for rule in load_metric_rules():
        seen.setdefault(rule.metric, rule)
    return pd.DataFrame([{"metric": r.metric, "label_ja": r.label_ja, "unit": r.unit,
                          "description": r.description} for r in seen.values()])
