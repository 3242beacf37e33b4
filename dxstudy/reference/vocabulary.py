# The coding vocabulary a respondent chooses from: the stage scale, the technologies and the
# technology statuses with their Japanese labels, read from the package's rule files (dxstudy/rules/).
"""Labels of the coding rules, without the rules.

The survey's drop-downs and checks need the words of the coding layer (``0 未着手`` … ``3 実施中``,
the technology list, 利用中/試行/検討) but not its conditions; reading them here keeps the survey
reader ahead of the coding stage. The coding layer (:func:`dxstudy.coding.load_rules`) reads and
checks the same files.
"""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

import yaml


def _rules_text(name: str) -> str:
    return resources.files("dxstudy").joinpath("rules", name).read_text(encoding="utf-8-sig")


@lru_cache(maxsize=None)
def stage_scale() -> dict[int, str]:
    """Stage → label (``{0: "未着手", 1: "検討中", 2: "試行・一部実施", 3: "実施中"}``), from
    ``stage_rules.yaml``."""
    scale = yaml.safe_load(_rules_text("stage_rules.yaml"))["scale"]
    return {int(stage): str(label) for stage, label in scale.items()}


@lru_cache(maxsize=None)
def technologies() -> tuple[tuple[str, str], ...]:
    """``(technology id, label_ja)`` of every technology of ``technologies.csv``, in file order."""
    rows = csv.DictReader(io.StringIO(_rules_text("technologies.csv")))
    return tuple((row["technology"].strip(), row["label_ja"].strip()) for row in rows)


@lru_cache(maxsize=None)
def technology_status_labels() -> dict[str, str]:
    """Technology status id → label (``in_use`` → 利用中 …), from ``technology_status.yaml``."""
    statuses = yaml.safe_load(_rules_text("technology_status.yaml"))["statuses"]
    return {str(status): str(label) for status, label in statuses.items()}
