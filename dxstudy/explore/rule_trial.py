# Trying a challenge-code rule (KH Coder syntax) before it goes into the rules: which sentences it
# catches and misses compared with the rules in force, coded by the very pipeline the batch runs.
"""Rule trial for the exploration notebook.

A rule is a KH Coder block, a heading and a condition::

    ＊budget 予算・財源・費用
    予算 or 財源 or 費用 or コスト

:func:`try_rule` codes the year's statements twice — with the rules in force and with the rule
put into a scratch copy of them (replacing the code of the same id, or added at the end) — through
``dxstudy.coding.code_statements``, so what it lists is what the next batch gives once
:func:`save_rule` writes the rule into ``challenge_codes.txt``.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from dxstudy.coding import code_statements
from dxstudy.coding.khcoder import parse_rules
from dxstudy.coding.rulesets import DEFAULT_RULES_DIR, check_words
from dxstudy.errors import DxstudyError

CODES_FILE = "challenge_codes.txt"
TRIAL_COLUMNS = ["result", "statement_id", "section", "municipality_code", "municipality", "theme",
                 "aspect", "text"]
#: result values, in display order.
BOTH, NEW, LOST = "一致", "新たに該当", "該当しなくなる"

_HEADING = re.compile(r"^[＊*]\s*(\S+)", re.M)


class RuleTrialError(DxstudyError, ValueError):
    """A rule that cannot be tried or saved (no heading, or a syntax error naming the line)."""


def _code_id(rule: str) -> str:
    m = _HEADING.search(rule)
    if m is None:
        raise RuleTrialError("規則の1行目に見出し（例：＊budget 予算・財源・費用）を書いてください。"
                             f"見つかった内容：{rule.strip().splitlines()[0] if rule.strip() else '（空）'}")
    return m.group(1)


def _blocks(text: str) -> list[tuple[str | None, list[str]]]:
    """The rule file as (code id or None for the leading comments, its lines)."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        m = _HEADING.match(line.strip())
        if m:
            blocks.append((m.group(1), []))
        blocks[-1][1].append(line)
    return blocks


def with_rule(rules_text: str, rule: str) -> str:
    """The text of a rule file with ``rule`` in place of the code of the same id (at its place), or
    added at the end; checked with the KH Coder parser (RuleTrialError naming the line)."""
    code_id = _code_id(rule)
    new_lines = rule.strip("\n").splitlines()
    blocks = _blocks(rules_text)
    if any(cid == code_id for cid, _ in blocks):
        blocks = [(cid, new_lines + [""] if cid == code_id else lines) for cid, lines in blocks]
    else:
        blocks[-1][1].extend(["", *new_lines])
    text = "\n".join(line for _, lines in blocks for line in lines).rstrip("\n") + "\n"
    try:
        for code in parse_rules(text, path=CODES_FILE):
            check_words(code.condition, CODES_FILE, code.line)
    except DxstudyError as exc:
        raise RuleTrialError(f"規則を読めません：{exc}") from exc
    return text


def _coded(statements: pd.DataFrame, fiscal_year: int, rules_dir: Path, code_id: str) -> pd.DataFrame:
    challenges = code_statements(statements, fiscal_year=fiscal_year, rules_dir=rules_dir)["challenges"]
    return challenges[challenges["code"] == code_id]


def try_rule(rule: str, statements: pd.DataFrame, *, fiscal_year: int | None = None,
             rules_dir: str | Path | None = None) -> pd.DataFrame:
    """What ``rule`` catches among the year's statements, against the rules in force (``rules_dir``,
    default the package's): one row per sentence either coding gives the code to, with ``result``
    一致 (both), 新たに該当 (only the tried rule) or 該当しなくなる (only the rules in force), then
    ``statement_id``, ``section``, ``municipality_code``, ``municipality``, ``theme``, ``aspect``,
    ``text``. Rows in report order."""
    base = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    code_id = _code_id(rule)
    year = int(fiscal_year if fiscal_year is not None else statements["fiscal_year"].iloc[0])
    current = _coded(statements, year, base, code_id)
    with tempfile.TemporaryDirectory(prefix="dxstudy-rule-") as scratch:
        trial_dir = Path(scratch) / "rules"
        shutil.copytree(base, trial_dir)
        path = trial_dir / CODES_FILE
        path.write_text(with_rule(path.read_text(encoding="utf-8"), rule), encoding="utf-8")
        trial = _coded(statements, year, trial_dir, code_id)
    now, then = set(trial["statement_id"]), set(current["statement_id"])
    rows = statements[statements["statement_id"].isin(now | then)].copy()
    rows["result"] = [BOTH if s in now and s in then else NEW if s in now else LOST
                      for s in rows["statement_id"]]
    return rows[TRIAL_COLUMNS].reset_index(drop=True)


def save_rule(rule: str, rules_dir: str | Path | None = None) -> Path:
    """Write ``rule`` into ``challenge_codes.txt`` of ``rules_dir`` (default the package's rules):
    in place of the code of the same id, or at the end. The file is replaced whole, and only when
    the result parses. Returns the file's path."""
    path = (Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR) / CODES_FILE
    text = with_rule(path.read_text(encoding="utf-8"), rule)
    fd, tmp = tempfile.mkstemp(prefix=f".{CODES_FILE}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
