# Parser for coding rules in (a documented subset of) KH Coder's syntax: ＊code headings and
# conditions of words, 'strings', <＊code> references, and/or/not and parentheses.
"""KH Coder coding rules.

A rule file holds codes; each code starts with a heading line and is followed by its condition,
which may span several lines::

    # comment lines start with '#'
    ＊training 研修・育成の体系
    研修 or 育成 or '人材育成'

Grammar of the subset (``docs/coding.md`` explains it for analysts)::

    heading   := ('＊' | '*') CODE_ID [ whitespace LABEL ]
    condition := or_expr
    or_expr   := and_expr ( 'or' and_expr )*
    and_expr  := not_expr ( 'and' not_expr )*
    not_expr  := 'not' not_expr | primary
    primary   := '(' or_expr ')' | atom
    atom      := "'" TEXT "'"            -- a string searched in the sentence text
               | '<＊' CODE_ID '>'        -- another code defined above
               | WORD [ '-->' POS ]       -- a word matched on SudachiPy tokens (optionally its POS)

``not`` binds tighter than ``and``, which binds tighter than ``or`` (as in KH Coder, whose
conditions become SQL). Lines are NFKC-normalized before parsing, like the statements' text, so
full-width letters, parentheses and the full-width asterisk are accepted.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from dxstudy.coding.errors import RuleSyntaxError
from dxstudy.errors import read_text_or_error

OPERATORS = {"and", "or", "not"}


@dataclass(frozen=True)
class Word:
    """A word matched on tokens (normalized, dictionary or surface form, or a mode-A part)."""
    word: str
    pos: str | None = None


@dataclass(frozen=True)
class String:
    """A literal string searched in the sentence text."""
    text: str


@dataclass(frozen=True)
class CodeRef:
    """A reference to a code defined earlier in the same file."""
    code_id: str


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class And:
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    operands: tuple["Node", ...]


Node = Union[Word, String, CodeRef, Not, And, Or]


@dataclass(frozen=True)
class Code:
    """One code of a rule file: id, label, parsed condition, its source text and heading line."""
    code_id: str
    label: str
    condition: Node
    source: str
    line: int


@dataclass(frozen=True)
class _Tok:
    kind: str  # 'lparen' | 'rparen' | 'op' | 'string' | 'code' | 'word'
    value: str
    line: int


_TOKEN_RE = re.compile(r"""\s*(?:
      (?P<lparen>\()
    | (?P<rparen>\))
    | '(?P<string>[^']*)'
    | (?P<badquote>'[^']*$)
    | <\*(?P<code>[^>\s]+)>
    | (?P<word>[^\s()']+)
)""", re.VERBOSE)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _lex(text: str, line: int, path: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise RuleSyntaxError(path, line, "a word, 'string', <*code>, and/or/not or a parenthesis",
                                  repr(text[pos:].strip()))
        pos = m.end()
        if m.group("lparen"):
            tokens.append(_Tok("lparen", "(", line))
        elif m.group("rparen"):
            tokens.append(_Tok("rparen", ")", line))
        elif m.group("string") is not None:
            if m.group("string") == "":
                raise RuleSyntaxError(path, line, "a non-empty 'string'", "''")
            tokens.append(_Tok("string", m.group("string"), line))
        elif m.group("badquote"):
            raise RuleSyntaxError(path, line, "a closing quote (') on the same line",
                                  repr(m.group("badquote")))
        elif m.group("code"):
            tokens.append(_Tok("code", m.group("code"), line))
        elif m.group("word"):
            word = m.group("word")
            kind = "op" if word.lower() in OPERATORS else "word"
            tokens.append(_Tok(kind, word.lower() if kind == "op" else word, line))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok], path: str, last_line: int, known_codes: set[str]):
        self.tokens = tokens
        self.i = 0
        self.path = path
        self.last_line = last_line
        self.known_codes = known_codes

    def _peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _error(self, expected: str) -> RuleSyntaxError:
        tok = self._peek()
        if tok is None:
            return RuleSyntaxError(self.path, self.last_line, expected, "the end of the condition")
        return RuleSyntaxError(self.path, tok.line, expected, repr(tok.value))

    def parse(self) -> Node:
        if not self.tokens:
            raise RuleSyntaxError(self.path, self.last_line, "a condition under the heading",
                                  "nothing")
        node = self._or()
        if self._peek() is not None:
            raise self._error("'and', 'or' or the end of the condition")
        return node

    def _is_op(self, name: str) -> bool:
        tok = self._peek()
        return tok is not None and tok.kind == "op" and tok.value == name

    def _chain(self, op: str, operand, node_type) -> Node:
        """``operand (op operand)*`` as one ``node_type`` node (the operand alone when single)."""
        operands = [operand()]
        while self._is_op(op):
            self.i += 1
            operands.append(operand())
        return operands[0] if len(operands) == 1 else node_type(tuple(operands))

    def _or(self) -> Node:
        return self._chain("or", self._and, Or)

    def _and(self) -> Node:
        return self._chain("and", self._not, And)

    def _not(self) -> Node:
        if self._is_op("not"):
            self.i += 1
            return Not(self._not())
        return self._primary()

    def _primary(self) -> Node:
        tok = self._peek()
        expected = "a word, 'string', <*code>, 'not' or '('"
        if tok is None or tok.kind in ("op", "rparen"):
            raise self._error(expected)
        self.i += 1
        if tok.kind == "lparen":
            node = self._or()
            if self._peek() is None or self._peek().kind != "rparen":
                raise self._error("')' closing the '(' of line %d" % tok.line)
            self.i += 1
            return node
        if tok.kind == "string":
            return String(_nfkc(tok.value))
        if tok.kind == "code":
            if tok.value not in self.known_codes:
                raise RuleSyntaxError(self.path, tok.line, "a code defined above this one",
                                      f"<*{tok.value}>")
            return CodeRef(tok.value)
        word, _, pos = tok.value.partition("-->")
        if not word or ("-->" in tok.value and not pos):
            raise RuleSyntaxError(self.path, tok.line, "WORD or WORD-->POS", repr(tok.value))
        return Word(word, pos or None)


def parse_condition(text: str, *, path: str | Path = "<condition>", line: int = 1,
                    known_codes: set[str] | None = None) -> Node:
    """Parse one condition (possibly several lines) into a tree of Word/String/CodeRef/Not/And/Or."""
    tokens: list[_Tok] = []
    lines = _nfkc(text).split("\n")
    for offset, line_text in enumerate(lines):
        tokens.extend(_lex(line_text, line + offset, str(path)))
    last_line = line + len(lines) - 1
    return _Parser(tokens, str(path), last_line, known_codes or set()).parse()


_HEADING_RE = re.compile(r"^\*\s*(?P<id>\S+)(?:\s+(?P<label>.+?))?\s*$")


def parse_rules(text: str, path: str | Path = "<rules>") -> list[Code]:
    """Parse a KH Coder coding-rule file into codes, in file order.

    Raises RuleSyntaxError naming ``path`` and the line for: a condition before the first heading,
    a heading without an id, a duplicate code id, a code without a condition, unbalanced
    parentheses, a missing or extra operand, an unterminated quote, or a reference to an undefined
    code.
    """
    path = str(path)
    codes: list[Code] = []
    known: set[str] = set()
    current: tuple[str, str, int] | None = None
    body: list[tuple[int, str]] = []

    def finish() -> None:
        if current is None:
            return
        code_id, label, head_line = current
        if not body:
            raise RuleSyntaxError(path, head_line, f"a condition under ＊{code_id}",
                                  "the next heading or the end of the file")
        first = body[0][0]
        # keep line numbers: pad skipped comment/blank lines with empty lines
        lines_by_no = dict(body)
        joined = "\n".join(lines_by_no.get(n, "") for n in range(first, body[-1][0] + 1))
        node = parse_condition(joined, path=path, line=first, known_codes=known)
        codes.append(Code(code_id, label, node, " ".join(t.strip() for _, t in body), head_line))
        known.add(code_id)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = _nfkc(raw).strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            finish()
            m = _HEADING_RE.match(line)
            if m is None:
                raise RuleSyntaxError(path, number, "a heading '＊code_id label'", repr(raw.strip()))
            code_id = m.group("id")
            if code_id in known or (current is not None and current[0] == code_id):
                raise RuleSyntaxError(path, number, "a code id not used above", repr(code_id))
            current = (code_id, (m.group("label") or code_id).strip(), number)
            body = []
            continue
        if current is None:
            raise RuleSyntaxError(path, number, "a heading '＊code_id label' before any condition",
                                  repr(raw.strip()))
        body.append((number, line))
    finish()
    return codes


def read_rules(path: str | Path) -> list[Code]:
    """Read and parse a KH Coder coding-rule file (UTF-8, with or without BOM)."""
    path = Path(path)
    return parse_rules(read_text_or_error(path, "a coding-rule file", RuleSyntaxError), path)


def atoms(node: Node) -> list[Node]:
    """The leaves (Word, String, CodeRef) of a condition, in order."""
    if isinstance(node, (Word, String, CodeRef)):
        return [node]
    if isinstance(node, Not):
        return atoms(node.operand)
    out: list[Node] = []
    for operand in node.operands:
        out.extend(atoms(operand))
    return out


def to_khcoder(codes: list[Code]) -> str:
    """Write codes back as a KH Coder rule file (spaces around parentheses, as KH Coder needs)."""
    def show(node: Node, parent: int = 0) -> str:
        if isinstance(node, Word):
            return node.word + (f"-->{node.pos}" if node.pos else "")
        if isinstance(node, String):
            return f"'{node.text}'"
        if isinstance(node, CodeRef):
            return f"<＊{node.code_id}>"
        if isinstance(node, Not):
            return "not " + show(node.operand, 3)
        level, sep = (2, " and ") if isinstance(node, And) else (1, " or ")
        text = sep.join(show(o, level) for o in node.operands)
        return f"( {text} )" if parent > level else text

    parts = []
    for code in codes:
        parts.append(f"＊{code.code_id} {code.label}\n{show(code.condition)}\n")
    return "\n".join(parts)
