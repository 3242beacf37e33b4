# The single entry point of the coding layer: statements → stages, challenges, technologies (and
# their detail tables). Each distinct sentence is tokenized once and shared by every rule.
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from dxstudy.coding.challenges import code_challenges
from dxstudy.coding.matcher import TextIndex, first_match, words_of
from dxstudy.coding.overrides import apply_overrides, read_overrides
from dxstudy.coding.rulesets import RuleSet, load_rules
from dxstudy.coding.stages import code_stages
from dxstudy.coding.technologies import code_technologies
from dxstudy.inputs import InputError

REQUIRED_COLUMNS = ["statement_id", "section", "theme", "aspect", "municipality_code",
                    "municipality", "kind", "text", "line_start", "paragraph_id"]

#: The tables code_statements returns, in this order.
TABLES = ["stages", "stage_details", "stage_sentences", "challenges", "technologies",
          "technology_mentions"]


def _all_conditions(rules: RuleSet) -> list:
    conditions = [r.condition for r in rules.stage_rules]
    conditions += [d.condition for dims in rules.dimensions.values() for d in dims]
    conditions += [c.condition for c in rules.codes]
    conditions += [t.condition for t in rules.technologies]
    conditions += [r.condition for r in rules.status_rules]
    conditions += [c for c in (rules.generic_terms, rules.challenges_also) if c is not None]
    return conditions


def code_statements(statements: pd.DataFrame, *, fiscal_year: int,
                    rules_dir: Path | None = None,
                    overrides_path: Path | None = None) -> dict[str, pd.DataFrame]:
    """Code a fiscal year's statements.

    ``statements`` is the table of ``dxstudy.read_report`` (rows of other fiscal years are
    ignored; a table without any row of ``fiscal_year`` is an InputError). ``rules_dir`` replaces the package's rules (dxstudy/rules/) with an analyst's copy;
    ``overrides_path`` is a stage-override CSV (see ``default_overrides_path``); None means no
    overrides.

    Returns, each with a fixed column order and every row carrying ``statement_id`` and
    ``evidence`` (the sentence):

    * ``stages`` — one row per municipality × theme (awareness, talent, telework, planning);
    * ``stage_details`` — one row per municipality × theme × dimension (talent: hiring, training);
    * ``stage_sentences`` — every status sentence with the stage rule it meets;
    * ``challenges`` — one row per 課題 sentence × challenge code;
    * ``technologies`` — one row per municipality × technology × status;
    * ``technology_mentions`` — every sentence × technology it mentions.

    Raises RuleSyntaxError for a bad rule file and OverrideError for a bad override row, each
    naming the file and line.
    """
    rules = load_rules(rules_dir)
    missing = [c for c in REQUIRED_COLUMNS if c not in statements.columns]
    if missing:
        raise InputError("statements: expected the columns " + ", ".join(REQUIRED_COLUMNS)
                         + ", found no " + ", ".join(missing))
    if "fiscal_year" in statements.columns and len(statements):
        years = sorted(set(int(y) for y in statements["fiscal_year"]))
        if fiscal_year not in years:
            raise InputError(f"statements are of fiscal year {', '.join(map(str, years))}, "
                             f"not {fiscal_year}")
        statements = statements[statements["fiscal_year"] == fiscal_year]
    statements = statements.reset_index(drop=True)
    overrides = read_overrides(overrides_path, statements) if overrides_path is not None else None

    codes, uniques = pd.factorize(statements["text"].astype(str))
    text_ids = np.asarray(codes, dtype=int)
    index = TextIndex(list(uniques), words_of(_all_conditions(rules)))

    tables = code_stages(statements, index, text_ids, rules, fiscal_year)
    if overrides is not None:
        tables["stages"] = apply_overrides(tables["stages"], overrides, statements, rules.scale)
    tables["challenges"] = code_challenges(statements, index, text_ids, rules, fiscal_year)
    tables.update(code_technologies(statements, index, text_ids, rules, fiscal_year))
    return {name: tables[name] for name in TABLES}


def explain_sentence(text: str, *, rules_dir: Path | None = None) -> dict:
    """What the rules make of one sentence — for an analyst checking or editing the rules.

    Returns ``stage_rule`` and ``stage`` (the first stage rule it meets, or None), ``dimensions``
    (theme → dimensions it belongs to), ``codes`` (challenge code ids), ``technologies``
    (technology ids it mentions) and ``technology_rule`` / ``technology_status`` (the status rule
    it meets; "mentioned"/"in_use" when none)."""
    rules = load_rules(rules_dir)
    text = unicodedata.normalize("NFKC", text)
    index = TextIndex([text], words_of(_all_conditions(rules)))
    k = int(first_match([index.evaluate(r.condition) for r in rules.stage_rules], 1)[0])
    code_masks: dict = {}
    codes = []
    for code in rules.codes:
        code_masks[code.code_id] = index.evaluate(code.condition, code_masks)
        if code_masks[code.code_id][0]:
            codes.append(code.code_id)
    s = int(first_match([index.evaluate(r.condition) for r in rules.status_rules], 1)[0])
    return {
        "stage_rule": rules.stage_rules[k].rule_id if k >= 0 else None,
        "stage": rules.stage_rules[k].stage if k >= 0 else None,
        "dimensions": {theme: [d.dimension for d in dims if index.evaluate(d.condition)[0]]
                       for theme, dims in rules.dimensions.items()},
        "codes": codes,
        "technologies": [t.technology for t in rules.technologies if index.evaluate(t.condition)[0]],
        "technology_rule": rules.status_rules[s].rule_id if s >= 0 else "mentioned",
        "technology_status": rules.status_rules[s].status if s >= 0 else "in_use",
    }
