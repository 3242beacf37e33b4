"""Walking a report line by line: which section, theme, aspect and municipality each line belongs to,
with the expected order of chapters, parts and municipality sections checked as it goes.

The result is a list of ``Block`` (paragraph lines, list items, table rows, figures) per ``Section``;
``report_reader`` turns blocks into tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dxstudy.errors import Problem, ReportFormatError
from dxstudy.report.headings import Line, classify
from dxstudy.text.normalize import compact


@dataclass
class Section:
    """A numbered place in the report that statements are attributed to."""

    section_id: str            # "3.1.2", "3.1", "5", "O.1", "C", "P.2"
    theme: str
    aspect: str
    municipality_code: str
    municipality: str
    title: str
    heading_line: int


@dataclass
class Block:
    """Consecutive content lines of one kind within a section (a paragraph, a list item, a table row...)."""

    kind: str                  # paragraph | list_item | table | figure
    section: Section
    lines: list[Line]
    gap_before: int            # blank lines before the block
    subheading: str = ""
    barrier_before: bool = False   # a heading stands between this block and the previous one


@dataclass
class Skeleton:
    """Everything the walk found: front matter, blocks in order, and what each line is."""

    front: list[Line] = field(default_factory=list)      # title page and notes before the body
    colophon: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    line_kinds: dict[int, str] = field(default_factory=dict)   # line -> blank|toc|heading|rule|figure
    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Walker:
    def __init__(self, path: str, lines: list[str], municipalities: pd.DataFrame,
                 themes: pd.DataFrame, aspects: pd.DataFrame, lenient: bool):
        self.path = path
        self.raw = lines
        self.lenient = lenient
        self.munis = list(zip(municipalities["code"].astype(str), municipalities["name_ja"]))
        self.muni_by_name = {compact(name): (code, name) for code, name in self.munis}
        self.themes = themes.sort_values("chapter").to_dict("records")
        self.aspects = aspects.to_dict("records")
        self.sk = Skeleton()
        self.section: Section | None = None
        self.subheading = ""
        self.barrier = True
        self.region = "front"          # front | toc | overview | part1 | part2 | colophon
        self.chapter_index = -1        # index into self.themes of the current chapter
        self.aspect_index = -1
        self.seen_munis: dict[str, None] = {}   # members with a section in this part (dict: O(1) lookup)
        self.muni_number = 0
        self.part_open = False         # a municipality part (aspect or chapter 5) is being filled
        self.proposal_count = 0
        self.seen_conclusion = False
        self.title_key = ""

    # -- problems -------------------------------------------------------------------------------
    def problem(self, line: int, expected: str, found: str) -> None:
        p = Problem(self.path, line, expected, found)
        self.sk.problems.append(p)
        if not self.lenient:
            raise ReportFormatError(self.path, line, expected, found, list(self.sk.problems))

    # -- helpers --------------------------------------------------------------------------------
    @property
    def theme(self) -> dict | None:
        return self.themes[self.chapter_index] if 0 <= self.chapter_index < len(self.themes) else None

    def open_section(self, section: Section) -> None:
        self.section = section
        self.sk.sections.append(section)
        self.subheading = ""
        self.barrier = True

    def close_municipality_part(self, line: int, found: str) -> None:
        """Check that the part just finished has every municipality."""
        if not self.part_open:
            return
        self.part_open = False
        if len(self.seen_munis) < len(self.munis):
            missing = [name for _, name in self.munis if name not in self.seen_munis]
            prefix = self.part_prefix()
            expected = (f"section {prefix}.{self.muni_number + 1} for {missing[0]}"
                        if self.muni_number < len(self.munis) else f"a section for {missing[0]} in {prefix}")
            if len(missing) > 1:
                expected += f" (missing: {'、'.join(missing)})"
            self.problem(line, expected, found)

    def part_prefix(self) -> str:
        theme = self.theme
        if theme is None:
            return "?"
        if self.aspect_index >= 0:
            return f"{theme['chapter']}.{self.aspect_index + 1}"
        return str(theme["chapter"])

    def start_municipality_part(self) -> None:
        self.seen_munis = {}
        self.muni_number = 0
        self.part_open = True

    def expect_all_chapters_done(self, line: int, found: str) -> None:
        self.close_municipality_part(line, found)
        theme = self.theme
        if theme is not None and theme["has_aspects"] and self.aspect_index < len(self.aspects) - 1:
            nxt = self.aspects[self.aspect_index + 1]
            self.problem(line, f"section {theme['chapter']}.{self.aspect_index + 2} {nxt['label_ja']}", found)
        if self.chapter_index < len(self.themes) - 1:
            nxt = self.themes[self.chapter_index + 1]
            self.problem(line, f"第{nxt['chapter']}章 {nxt['label_ja']}", found)
            self.chapter_index = len(self.themes) - 1

    # -- headings -------------------------------------------------------------------------------
    def on_heading(self, ln: Line) -> None:
        found = f"'{ln.text.strip()}'"
        if ln.level == "part":
            if ln.number_label != "1":
                self.expect_all_chapters_done(ln.number, found)
                self.region = "part2"
            else:
                self.region = "part1"
            self.subheading = ""
            self.barrier = True
            return
        if ln.level == "chapter":
            self.on_chapter(ln, found)
            return
        if ln.level == "section":
            self.on_numbered(ln, found)
            return
        if ln.level == "overview-number":
            self.open_section(Section(f"O.{ln.number_label}", "overview", "", "", "", ln.title, ln.number))
            return
        role = ln.role
        if role == "overview":
            self.region = "overview"
            self.open_section(Section("O", "overview", "", "", "", ln.title, ln.number))
        elif role == "conclusion":
            if self.region == "part1" or self.chapter_index >= 0:
                self.expect_all_chapters_done(ln.number, found)
            self.region = "part2"
            self.seen_conclusion = True
            self.open_section(Section("C", "conclusion", "", "", "", ln.title, ln.number))
        elif role == "proposals":
            self.region = "part2"
            self.open_section(Section("P", "proposal", "", "", "", ln.title, ln.number))
        elif role == "proposal_item" and self.section is not None and self.section.theme == "proposal":
            self.proposal_count += 1
            self.open_section(Section(f"P.{self.proposal_count}", "proposal", "", "", "",
                                      ln.title.lstrip("◆ "), ln.number))
        else:
            self.subheading = ln.title
            self.barrier = True

    def on_chapter(self, ln: Line, found: str) -> None:
        self.region = "part1"
        number = int(ln.number_label)
        self.close_municipality_part(ln.number, found)
        theme = self.theme
        if theme is not None and theme["has_aspects"] and self.aspect_index < len(self.aspects) - 1:
            nxt = self.aspects[self.aspect_index + 1]
            self.problem(ln.number, f"section {theme['chapter']}.{self.aspect_index + 2} {nxt['label_ja']}",
                         found)
        expected_index = self.chapter_index + 1
        chapters = [t["chapter"] for t in self.themes]
        if expected_index >= len(self.themes):
            self.problem(ln.number, "no further chapter (all themes have been read)", found)
            return
        nxt = self.themes[expected_index]
        if number != nxt["chapter"]:
            self.problem(ln.number, f"第{nxt['chapter']}章 {nxt['label_ja']}", found)
            if number in chapters:
                expected_index = chapters.index(number)
            else:
                return
        elif compact(ln.title) != compact(nxt["label_ja"]):
            self.problem(ln.number, f"第{nxt['chapter']}章 {nxt['label_ja']}", found)
        self.chapter_index = expected_index
        self.aspect_index = -1
        theme = self.theme
        self.open_section(Section(str(theme["chapter"]), theme["theme"], "", "", "", ln.title, ln.number))
        if not theme["has_aspects"]:
            self.start_municipality_part()

    def on_numbered(self, ln: Line, found: str) -> None:
        parts = ln.number_label.split(".")
        theme = self.theme
        if theme is None or self.region not in ("part1",):
            self.problem(ln.number, "a numbered section inside a chapter (第N章)", found)
            return
        if int(parts[0]) != theme["chapter"]:
            self.problem(ln.number, f"a section of chapter {theme['chapter']}", found)
            return
        if theme["has_aspects"] and len(parts) == 2:
            self.on_aspect(ln, int(parts[1]), found)
        elif (theme["has_aspects"] and len(parts) == 3 and self.aspect_index >= 0
              and int(parts[1]) == self.aspect_index + 1) or (not theme["has_aspects"] and len(parts) == 2):
            self.on_municipality(ln, int(parts[-1]), found)
        else:
            self.problem(ln.number, f"a section numbered {self.part_prefix()}.N", found)

    def on_aspect(self, ln: Line, number: int, found: str) -> None:
        theme = self.theme
        self.close_municipality_part(ln.number, found)
        expected = self.aspect_index + 1
        if expected >= len(self.aspects):
            self.problem(ln.number, f"no further part in chapter {theme['chapter']}", found)
            return
        label = self.aspects[expected]["label_ja"]
        if number != expected + 1 or compact(ln.title) != compact(label):
            self.problem(ln.number, f"section {theme['chapter']}.{expected + 1} {label}", found)
            by_label = [i for i, a in enumerate(self.aspects) if compact(a["label_ja"]) == compact(ln.title)]
            if not by_label:
                return
            expected = by_label[0]
        self.aspect_index = expected
        aspect = self.aspects[expected]["aspect"]
        self.open_section(Section(ln.number_label, theme["theme"], aspect, "", "", ln.title, ln.number))
        self.start_municipality_part()

    def on_municipality(self, ln: Line, number: int, found: str) -> None:
        theme = self.theme
        key = compact(ln.title)
        code, name = self.muni_by_name.get(key, ("", ""))
        prefix = self.part_prefix()
        if not code:
            known = "、".join(n for _, n in self.munis[:6]) + ("…" if len(self.munis) > 6 else "")
            self.problem(ln.number, f"a member municipality ({known})", found)
        elif name in self.seen_munis:
            self.problem(ln.number, f"each municipality once per part; {name} already has a section in {prefix}",
                         found)
        if number != self.muni_number + 1:
            nxt = self.muni_number + 1
            self.problem(ln.number, f"section {prefix}.{nxt} (sections in order, none missing)", found)
        self.muni_number = number
        if code and name not in self.seen_munis:
            self.seen_munis[name] = None
        aspect = self.aspects[self.aspect_index]["aspect"] if theme["has_aspects"] else ""
        self.open_section(Section(ln.number_label, theme["theme"], aspect, code, name, ln.title, ln.number))

    # -- the walk -------------------------------------------------------------------------------
    def add_block(self, kind: str, ln: Line, gap: int) -> None:
        if self.section is None:
            self.open_section(Section("O", "overview", "", "", "", "", ln.number))
            self.barrier = False
        last = self.sk.blocks[-1] if self.sk.blocks else None
        if (kind in ("paragraph", "table") and last is not None and last.kind == kind and gap == 0
                and not self.barrier and last.section is self.section):
            last.lines.append(ln)
            return
        self.sk.blocks.append(Block(kind, self.section, [ln], gap, self.subheading, self.barrier))
        self.barrier = False

    def run(self) -> Skeleton:
        lines = self.raw
        n = len(lines)
        toc_lines = self.find_toc()
        gap = 0
        for i in range(n):
            number = i + 1
            if number in toc_lines:
                self.sk.line_kinds[number] = "toc" if lines[i].strip() else "blank"
                if self.region == "front":
                    self.region = "toc"
                continue
            ln = classify(number, lines[i], in_overview=self.region == "overview")
            if ln.kind == "blank":
                self.sk.line_kinds[number] = "blank"
                gap += 1
                continue
            if self.region == "colophon":
                self.sk.colophon.append(ln)
                self.sk.line_kinds[number] = "document"
                continue
            if ln.kind == "rule":
                self.sk.line_kinds[number] = "rule"
                continue
            if ln.kind == "heading":
                self.sk.line_kinds[number] = "heading"
                if self.region in ("front", "toc") and not self.title_key:
                    self.title_key = self.front_title_key()
                self.on_heading(ln)
                gap = 0
                continue
            if self.region in ("front", "toc"):
                self.sk.front.append(ln)
                self.sk.line_kinds[number] = "document"
                gap = 0
                continue
            if (self.region == "part2" and self.title_key and ln.kind == "text"
                    and compact(ln.text) == self.title_key):
                self.region = "colophon"
                self.sk.colophon.append(ln)
                self.sk.line_kinds[number] = "document"
                continue
            if ln.kind == "figure":
                self.sk.line_kinds[number] = "figure"
                self.add_block("figure", ln, gap)
            elif ln.kind == "text":
                self.add_block("paragraph", ln, gap)
            elif ln.kind == "table":
                self.add_block("table", ln, gap)
            else:
                self.add_block("list_item", ln, gap)
            gap = 0
        last_line = n
        found = "the end of the file"
        if self.region in ("front", "toc", "overview", "part1"):
            self.expect_all_chapters_done(last_line, found)
        elif self.part_open:
            self.close_municipality_part(last_line, found)
        if not self.seen_conclusion:
            self.problem(last_line, "the conclusion (結論) after the last chapter", found)
        return self.sk

    def front_title_key(self) -> str:
        texts = [ln.text for ln in self.sk.front if ln.kind != "blank"]
        return compact(texts[0]) if texts else ""

    def find_toc(self) -> set[int]:
        """Lines of the table of contents: each run of non-blank lines holding two or more TOC lines."""
        from dxstudy.report.headings import is_toc_line
        from dxstudy.text.normalize import strip_inline_markup

        toc: set[int] = set()
        run: list[int] = []
        hits = 0
        for i, raw in enumerate(self.raw + [""]):
            if raw.strip():
                run.append(i + 1)
                hits += is_toc_line(strip_inline_markup(raw).strip())
                continue
            if hits >= 2:
                toc.update(run)
            run, hits = [], 0
        return toc


def walk(path: str, lines: list[str], municipalities: pd.DataFrame, themes: pd.DataFrame,
         aspects: pd.DataFrame, lenient: bool = False) -> Skeleton:
    """Walk the lines of a report into sections and blocks, checking its structure.

    Raises ReportFormatError at the first structural problem unless ``lenient``; then every problem
    is collected in ``Skeleton.problems`` and the walk goes on as best it can.
    """
    return _Walker(path, lines, municipalities, themes, aspects, lenient).run()
