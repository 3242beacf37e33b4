"""Synthetic members and reports for tests and scale benchmarks: clearly fake municipalities with valid
codes, and reports of the FY2021 shape whose member texts are real FY2021 sentences recombined.
"""
from __future__ import annotations

import random
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dxstudy import reference
from dxstudy.errors import DxstudyError

#: The real FY2021 report in a source checkout: the pool of sentences the generator recombines.
FY2021_REPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "FY2021" / "report.md"
#: Marks every synthetic report in its first title line (and so in ``document.title``).
SYNTHETIC_MARK = "【合成データ】"
#: Prefecture digits of synthetic codes: 99, 98, … 90. No prefecture has these numbers (01–47), so a
#: synthetic code never collides with, or passes for, a real 全国地方公共団体コード.
SYNTHETIC_PREFECTURES = tuple(range(99, 89, -1))
MAX_MEMBERS = len(SYNTHETIC_PREFECTURES) * 999

_KINDS = {"city": ("架空市", "Fictional City"), "town": ("試験町", "Test Town")}
_WEEKDAYS_JA = "月火水木金土日"
_MEETINGS = [((7, 30), "・ 部会長の選出 ・ 調査研究テーマの選定"),
             ((8, 27), "・ 調査研究テーマの選定（追加） ・ 各市町の取組みに関する情報共有"),
             ((10, 7), "・ 各市町の現状と課題に関する情報共有"),
             ((11, 11), "・ 報告書に関する協議")]


def synthetic_municipalities(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` fake members in the shape of ``reference.municipalities()``.

    Columns: ``code`` (6 digits as text; prefecture digits 99, 98, … then a running number and a
    correct check digit), ``name_ja`` (``架空市001`` for a city, ``試験町002`` for a town; the number is
    the member's order, so names are unique), ``name_en`` (``Fictional City 1``), ``kind`` (city |
    town, about three cities to two towns, drawn with ``seed``), ``order`` (1..n, the order of the
    report's sections).
    """
    if not 1 <= n <= MAX_MEMBERS:
        raise DxstudyError(f"synthetic_municipalities: expected 1 to {MAX_MEMBERS} members, found {n}")
    rng = random.Random(seed)
    width = max(3, len(str(n)))
    real = set(reference.municipalities()["code"])
    rows = []
    for i in range(n):
        prefecture, number = SYNTHETIC_PREFECTURES[i // 999], i % 999 + 1
        first_five = f"{prefecture:02d}{number:03d}"
        code = first_five + str(reference.check_digit(first_five))
        assert code not in real
        kind = "town" if rng.random() < 0.4 else "city"
        ja, en = _KINDS[kind]
        rows.append({"code": code, "name_ja": f"{ja}{i + 1:0{width}d}", "name_en": f"{en} {i + 1}",
                     "kind": kind, "order": i + 1})
    return pd.DataFrame(rows, columns=["code", "name_ja", "name_en", "kind", "order"]).astype(
        {"order": "int64"})


# -- the pool of real sentences -------------------------------------------------------------------

@lru_cache(maxsize=4)
def _source(source: str) -> tuple[list[str], pd.DataFrame]:
    from dxstudy.report.reader import parse_report

    path = Path(source)
    if not path.is_file():
        raise DxstudyError(f"{path}: expected the FY2021 report (the sentences synthetic reports are made "
                           "of), found no such file; pass source= the path of a report")
    report = parse_report(path)
    return path.read_text(encoding="utf-8").split("\n"), report.statements


def _pools(statements: pd.DataFrame) -> dict[tuple[str, str, bool], list[str]]:
    """Sentences (raw text, as written) by (theme, aspect, whether a member wrote it); captions apart."""
    pools: dict[tuple[str, str, bool], list[str]] = {}
    for row in statements.itertuples(index=False):
        if row.kind not in ("sentence", "caption"):
            continue
        key = ((row.theme, row.aspect, row.municipality_code != "") if row.kind == "sentence"
               else ("caption", "", row.municipality_code != ""))
        pools.setdefault(key, []).append(row.text_raw)
    return pools


def _between(lines: list[str], start: str, end: str | None) -> list[str]:
    """Raw lines from the heading ``start`` up to (not including) the heading ``end``."""
    def index(title: str, after: int = 0) -> int:
        for i in range(after, len(lines)):
            if re.sub(r"^#+\s*", "", lines[i]).strip() == title:
                return i
        raise DxstudyError(f"synthetic report source: expected a line '{title}', found none")
    i = index(start)
    return lines[i:index(end, i + 1) if end else len(lines)]


# -- the report -----------------------------------------------------------------------------------

def _era(year: int) -> str:
    return f"令和{year - 2018}年" if year >= 2019 else f"平成{year - 1988}年"


def _region_name(members: pd.DataFrame) -> str:
    counts = members["kind"].value_counts()
    return "".join(f"{counts[k]}{label}" for k, label in (("city", "市"), ("town", "町"), ("village", "村"))
                   if counts.get(k, 0))


class _Writer:
    def __init__(self, members: pd.DataFrame, fiscal_year: int, seed: int, source: str):
        self.lines: list[str] = []
        self.rng = random.Random(seed)
        self.members = list(zip(members["code"].astype(str), members["name_ja"]))
        self.region = _region_name(members)
        self.real_names = list(reference.municipalities()["name_ja"])
        self.fiscal_year = fiscal_year
        self.raw, statements = _source(source)
        self.pools = _pools(statements)
        self.themes = reference.themes().sort_values("chapter").to_dict("records")
        self.aspects = reference.aspects().to_dict("records")

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def localize(self, text: str, name: str = "") -> str:
        """Real names → the member's name (or 当該市町); 5市1町 → this group's count."""
        for real in self.real_names:
            text = text.replace(real, name or "当該市町")
        return text.replace("5市1町", self.region)

    def paragraphs(self, key: tuple[str, str, bool], name: str, n_min: int, n_max: int) -> None:
        pool = self.pools.get(key) or self.pools[(key[0], key[1], not key[2])]
        for _ in range(self.rng.randint(n_min, n_max)):
            k = min(len(pool), self.rng.randint(1, 3))
            self.emit(self.localize("".join(self.rng.sample(pool, k)), name), "")
        captions = self.pools.get(("caption", "", True), [])
        if captions and self.rng.random() < 0.05:
            self.emit("", "", self.localize(self.rng.choice(captions), name), "")

    def title(self) -> None:
        era = _era(self.fiscal_year)
        self.emit("", "", f"{SYNTHETIC_MARK}{era}度  ", "DX（デジタルトランスフォーメーション）に関する  ",
                  "調査研究", "", "報告書", "", "架空都市連絡調整会議（合成データ）", "",
                  f"{_era(self.fiscal_year + 1)}2月", "")

    def toc(self) -> None:
        page = 4
        self.emit("本調査研究の概要.....\t1", "<b>第1部 テーマ別 現状と課題</b>\t")
        for theme in self.themes:
            self.emit(f"第{theme['chapter']}章 {theme['label_ja']}.....\t{page}")
            if theme["has_aspects"]:
                for i, aspect in enumerate(self.aspects, start=1):
                    self.emit(f"{theme['chapter']}.{i} {aspect['label_ja']}.....\t{page}")
                    page += 1 + len(self.members) // 4
            else:
                for i, (_, name) in enumerate(self.members, start=1):
                    self.emit(f"{theme['chapter']}.{i} {name}.....\t{page + i // 4}")
                page += 1 + len(self.members) // 4
        self.emit("<b>第2部 結論</b>\t", f"結論.....\t{page + 1}", "",
                  f"※本報告書の内容は、{_era(self.fiscal_year)}11月末時点のものである。", "")

    def overview(self) -> None:
        for line in _between(self.raw, "本調査研究の概要", "第1部 テーマ別 現状と課題"):
            if re.match(r"^第\d+回\t", line):
                continue
            self.emit(self.localize(line))
            if line.startswith("回\t開催日"):
                for number, ((month, day), agenda) in enumerate(_MEETINGS, start=1):
                    when = date(self.fiscal_year, month, day)
                    self.emit(f"第{number}回\t{_era(when.year)}{month}月{day}日（{_WEEKDAYS_JA[when.weekday()]}）"
                              f"\t{agenda}")

    def chapters(self) -> None:
        self.emit("# 第1部 テーマ別 現状と課題", "")
        for theme in self.themes:
            chapter = theme["chapter"]
            self.emit(f"## 第{chapter}章 {theme['label_ja']}", "")
            if not theme["has_aspects"]:
                self.paragraphs((theme["theme"], "", False), "", 1, 1)
                for i, (_, name) in enumerate(self.members, start=1):
                    self.emit(f"### {chapter}.{i} {name}", "")
                    self.paragraphs((theme["theme"], "", True), name, 1, 3)
                continue
            for a, aspect in enumerate(self.aspects, start=1):
                self.emit(f"### {chapter}.{a} {aspect['label_ja']}", "")
                self.paragraphs((theme["theme"], aspect["aspect"], False), "", 1, 2)
                for i, (_, name) in enumerate(self.members, start=1):
                    self.emit(f"#### {chapter}.{a}.{i} {name}", "")
                    self.paragraphs((theme["theme"], aspect["aspect"], True), name, 1, 3)

    def ending(self) -> None:
        for line in _between(self.raw, "第2部 結論", "令和3年度"):
            self.emit(self.localize(line))
        self.emit(f"{SYNTHETIC_MARK}{_era(self.fiscal_year)}度  ",
                  "DX（デジタルトランスフォーメーション）に関する調査研究 報告書", "",
                  f"{_era(self.fiscal_year + 1)}2月", "", "架空都市連絡調整会議（合成データ）  ",
                  "事務局：架空市001総合政策部政策課内  ", "住所 架空県架空市一丁目1番1号  ", "電話 000-000-0000")


def synthetic_report(members: pd.DataFrame, fiscal_year: int = 2021, seed: int = 0, *,
                     source: str | Path = FY2021_REPORT) -> str:
    """The text of a report of the FY2021 shape for ``members`` (a municipalities table).

    Title page marked ``【合成データ】``, table of contents, overview with the meetings table (dates in
    ``fiscal_year`` with correct weekdays), chapters 1–4 with 現状/課題 each with a region-wide summary
    and one section per member, chapter 5 with one section per member, 結論, 提言 and the colophon.
    Each member section holds 1–3 paragraphs of 1–3 sentences drawn (with ``seed``) from what real
    members wrote on the same theme and aspect in ``source`` (the FY2021 report), real member names
    replaced by the member's name and 5市1町 by this group's count. Dates inside sentences stay as
    written in FY2021. Same arguments → same text.
    """
    writer = _Writer(members, int(fiscal_year), seed, str(source))
    writer.title()
    writer.toc()
    writer.overview()
    writer.chapters()
    writer.ending()
    return "\n".join(writer.lines) + "\n"


def write_synthetic_report(path: str | Path, members: pd.DataFrame, fiscal_year: int = 2021,
                           seed: int = 0, *, source: str | Path = FY2021_REPORT) -> Path:
    """Write ``synthetic_report(...)`` to ``path`` as UTF-8 (creating parent directories); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(synthetic_report(members, fiscal_year, seed, source=source), encoding="utf-8")
    return path


def write_synthetic_data_dir(data_dir: str | Path, n: int, fiscal_year: int = 2021, seed: int = 0, *,
                             source: str | Path = FY2021_REPORT) -> pd.DataFrame:
    """Lay out a data directory for a synthetic working group of ``n`` members: its members in
    ``reference/municipalities.csv`` (read by ``reference.municipalities(data_dir)``) and its report
    in ``raw/FY{fiscal_year}/report.md``, so that ``dxstudy run``/``build_processed`` read it like a
    real year. Returns the members table."""
    data_dir = Path(data_dir)
    members = synthetic_municipalities(n, seed)
    (data_dir / "reference").mkdir(parents=True, exist_ok=True)
    members.to_csv(data_dir / "reference" / "municipalities.csv", index=False, encoding="utf-8")
    write_synthetic_report(data_dir / "raw" / f"FY{fiscal_year}" / "report.md", members, fiscal_year, seed,
                           source=source)
    return members
