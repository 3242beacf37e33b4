# Loads the coding rules (dxstudy/rules/ or an analyst's copy) into checked objects, and stamps
# them with rules_version(): the version in coding.yaml plus a hash of every rule file's content.
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dxstudy.coding.errors import RuleSyntaxError
from dxstudy.coding.khcoder import Code, Node, Word, atoms, parse_condition, parse_rules
from dxstudy.coding.sudachi import analyze
from dxstudy.errors import read_text_or_error

#: The rules shipped inside the package.
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

MANIFEST = "coding.yaml"
STAGES_FILE = "stage_rules.yaml"
CODES_FILE = "challenge_codes.txt"
TECH_FILE = "technologies.csv"
TECH_STATUS_FILE = "technology_status.yaml"
STOPWORDS_FILE = "stopwords_ja.txt"

STAGE_THEMES = ("awareness", "talent", "telework", "planning")
TECH_STATUSES = ("in_use", "pilot", "considering", "absent")


@dataclass(frozen=True)
class StageRule:
    rule_id: str
    stage: int
    discontinued: bool
    description: str
    condition: Node


@dataclass(frozen=True)
class Dimension:
    theme: str
    dimension: str
    label: str
    condition: Node


@dataclass(frozen=True)
class Technology:
    technology: str
    label_ja: str
    label_en: str
    condition: Node


@dataclass(frozen=True)
class StatusRule:
    rule_id: str
    status: str
    description: str
    condition: Node


@dataclass
class RuleSet:
    """Every coding rule, parsed and checked. ``scope`` says which statements each step reads."""
    path: Path
    version: str
    scale: dict[int, str]
    dimensions: dict[str, list[Dimension]]
    stage_rules: list[StageRule]
    codes: list[Code]
    technologies: list[Technology]
    status_rules: list[StatusRule]
    status_labels: dict[str, str]
    inherit_within_paragraph: bool
    generic_terms: Node | None
    scope: dict
    stopwords: frozenset[str]
    challenges_also: Node | None = None
    conditions: list[Node] = field(default_factory=list)


# --- YAML with line numbers -------------------------------------------------------------------

class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records, for each mapping, the line of each key's value (1-based).

    Safe: plain YAML only — a tag such as ``!!python/object`` is refused (SafeLoader constructs no
    Python objects), and so is an alias (``*name``): rule files never need one, and nested aliases
    ("billion laughs") would expand exponentially when a condition is turned into text."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"a YAML alias (*{event.anchor}); rule files may not use aliases, write the "
                "value out", event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    lines = {}
    for key_node, value_node in node.value:
        line = value_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in (">", "|"):
            line += 1  # block scalars start on the line after the indicator
        lines[loader.construct_object(key_node)] = line
    mapping["__lines__"] = lines
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path) -> str:
    return read_text_or_error(path, "a coding rule file", RuleSyntaxError)


def _load_yaml(path: Path) -> dict:
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.constructor.ConstructorError as exc:  # e.g. !!python/object: never constructed
        mark = exc.problem_mark
        tag = re.search(r"tag '([^']*)'", str(exc.problem))
        found = f"the tag {tag.group(1).replace('tag:yaml.org,2002:', '!!')}" if tag else str(exc.problem)
        raise RuleSyntaxError(path, (mark.line + 1) if mark else 0,
                              "plain YAML (no tags such as !!python/object: rule files are data)", found) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise RuleSyntaxError(path, (mark.line + 1) if mark else 0, "valid YAML",
                              str(exc.problem)) from None
    if not isinstance(data, dict):
        raise RuleSyntaxError(path, 1, "a YAML mapping", type(data).__name__)
    return data


def _need(mapping: dict, key: str, path: Path, what: str):
    if key not in mapping or mapping[key] in (None, ""):
        raise RuleSyntaxError(path, mapping.get("__line__", 0), f"'{key}:' ({what})", "nothing")
    return mapping[key]


def _line_of(mapping: dict, key: str) -> int:
    return mapping.get("__lines__", {}).get(key, mapping.get("__line__", 0))


def _condition(mapping: dict, key: str, path: Path) -> Node:
    text = str(_need(mapping, key, path, "a condition in KH Coder syntax"))
    node = parse_condition(text, path=path, line=_line_of(mapping, key))
    check_words(node, path, _line_of(mapping, key))
    return node


def check_words(node: Node, path: str | Path, line: int) -> None:
    """Reject rule words that SudachiPy never produces as one token (a compound such as 業務範囲
    is two tokens, 業務 / 範囲): such a word could never match. Write it as a 'string' instead."""
    for atom in atoms(node):
        if isinstance(atom, Word):
            tokens = analyze(atom.word)
            if len(tokens) != 1:
                split = " / ".join(t.surface for t in tokens)
                raise RuleSyntaxError(
                    path, line,
                    "a word SudachiPy keeps as one token (write a compound as a 'string')",
                    f"{atom.word} (tokens: {split})")


# --- the individual files ---------------------------------------------------------------------

def _load_stages(path: Path) -> tuple[dict[int, str], dict[str, list[Dimension]], list[StageRule]]:
    data = _load_yaml(path)
    scale_raw = _need(data, "scale", path, "the stage labels 0–3")
    scale = {int(k): str(v) for k, v in scale_raw.items() if not str(k).startswith("__")}
    if sorted(scale) != [0, 1, 2, 3]:
        raise RuleSyntaxError(path, _line_of(data, "scale"), "labels for stages 0, 1, 2 and 3",
                              ", ".join(str(k) for k in sorted(scale)))
    dimensions: dict[str, list[Dimension]] = {}
    for theme, items in (data.get("dimensions") or {}).items():
        if theme.startswith("__"):
            continue
        if theme not in STAGE_THEMES:
            raise RuleSyntaxError(path, _line_of(data["dimensions"], theme),
                                  f"a theme among {', '.join(STAGE_THEMES)}", repr(theme))
        dimensions[theme] = [Dimension(theme, str(_need(d, "id", path, "a dimension id")),
                                       str(d.get("label", d["id"])), _condition(d, "condition", path))
                             for d in items]
    rules: list[StageRule] = []
    seen: set[str] = set()
    for item in _need(data, "rules", path, "the list of stage rules"):
        rule_id = str(_need(item, "id", path, "a rule id"))
        if rule_id in seen:
            raise RuleSyntaxError(path, item["__line__"], "a rule id not used above", repr(rule_id))
        seen.add(rule_id)
        stage = item.get("stage")
        if not isinstance(stage, int) or isinstance(stage, bool) or stage not in scale:
            raise RuleSyntaxError(path, _line_of(item, "stage"), "a stage 0, 1, 2 or 3", repr(stage))
        rules.append(StageRule(rule_id, stage, bool(item.get("discontinued", False)),
                               str(item.get("description", "")), _condition(item, "condition", path)))
    return scale, dimensions, rules


def _load_technologies(path: Path) -> list[Technology]:
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    expected = ["technology", "label_ja", "label_en", "condition"]
    if reader.fieldnames != expected:
        raise RuleSyntaxError(path, 1, "the header " + ",".join(expected),
                              ",".join(reader.fieldnames or []))
    out: list[Technology] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        tech = (row.get("technology") or "").strip()
        if not tech or tech in seen:
            raise RuleSyntaxError(path, line, "a new technology id", repr(tech))
        seen.add(tech)
        cond = (row.get("condition") or "").strip()
        if not cond:
            raise RuleSyntaxError(path, line, "a condition", "an empty cell")
        node = parse_condition(cond, path=path, line=line)
        check_words(node, path, line)
        out.append(Technology(tech, row["label_ja"].strip(), row["label_en"].strip(), node))
    return out


def _load_tech_status(path: Path):
    data = _load_yaml(path)
    labels = {k: str(v) for k, v in (data.get("statuses") or {}).items() if not k.startswith("__")}
    rules: list[StatusRule] = []
    for item in _need(data, "rules", path, "the list of status rules"):
        status = item.get("status")
        if status not in TECH_STATUSES:
            raise RuleSyntaxError(path, _line_of(item, "status"),
                                  "a status among " + ", ".join(TECH_STATUSES), repr(status))
        rules.append(StatusRule(str(_need(item, "id", path, "a rule id")), status,
                                str(item.get("description", "")), _condition(item, "condition", path)))
    generic = _condition(data, "generic_terms", path) if data.get("generic_terms") else None
    return labels, rules, bool(data.get("inherit_within_paragraph", False)), generic


def _load_stopwords(path: Path) -> frozenset[str]:
    words = set()
    for line in _read_text(path).splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return frozenset(words)


_CACHE: dict[tuple, RuleSet] = {}


def load_rules(rules_dir: str | Path | None = None) -> RuleSet:
    """Load and check every coding rule file of ``rules_dir`` (default: the package's rules).

    Raises RuleSyntaxError naming the file and line of the first problem. Loaded rules are
    cached until one of the files changes."""
    base = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    stamp = []
    for name in (MANIFEST, STAGES_FILE, CODES_FILE, TECH_FILE, TECH_STATUS_FILE, STOPWORDS_FILE):
        try:
            st = (base / name).stat()
            stamp.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((name, None, None))
    key = (str(base.resolve()), tuple(stamp))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _load_rules(base)
    return _CACHE[key]


def _load_rules(base: Path) -> RuleSet:
    manifest = _load_yaml(base / MANIFEST)
    version = str(_need(manifest, "version", base / MANIFEST, "the rules version"))
    scope = _need(manifest, "scope", base / MANIFEST, "which statements each step reads")
    scale, dimensions, stage_rules = _load_stages(base / STAGES_FILE)
    codes = parse_rules(_read_text(base / CODES_FILE), base / CODES_FILE)
    for code in codes:
        check_words(code.condition, base / CODES_FILE, code.line)
    technologies = _load_technologies(base / TECH_FILE)
    labels, status_rules, inherit, generic = _load_tech_status(base / TECH_STATUS_FILE)
    also = (scope.get("challenges") or {}).get("also") or {}
    also_node = _condition(also, "condition", base / MANIFEST) if also else None
    return RuleSet(
        path=base, version=version, scale=scale, dimensions=dimensions, stage_rules=stage_rules,
        codes=codes, technologies=technologies, status_rules=status_rules, status_labels=labels,
        inherit_within_paragraph=inherit, generic_terms=generic, scope=scope,
        stopwords=_load_stopwords(base / STOPWORDS_FILE), challenges_also=also_node)


def rules_version(rules_dir: str | Path | None = None) -> str:
    """The rules version stamped on every report: ``<version>+<sha256 prefix>``, e.g.
    ``2021.1+3f2a9c0d1b7e``. The hash covers the names and bytes of every file listed in
    coding.yaml, so any edit to any coding rule changes the stamp."""
    base = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    manifest = _load_yaml(base / MANIFEST)
    version = str(_need(manifest, "version", base / MANIFEST, "the rules version"))
    files = manifest.get("files") or [MANIFEST, STAGES_FILE, CODES_FILE, TECH_FILE,
                                      TECH_STATUS_FILE, STOPWORDS_FILE]
    digest = hashlib.sha256()
    for name in sorted(str(f) for f in files):
        try:
            content = (base / name).read_bytes()
        except FileNotFoundError:
            raise RuleSyntaxError(base / MANIFEST, _line_of(manifest, "files"),
                                  "files that exist next to coding.yaml", f"{name} missing") from None
        digest.update(name.encode() + b"\0" + content + b"\0")
    return f"{version}+{digest.hexdigest()[:12]}"
