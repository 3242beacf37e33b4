"""Reading raw text files as delivered: encoding detection (UTF-8, UTF-8 with BOM, UTF-16 with BOM, CP932)
and line splitting that keeps 1-based line numbers identical to what an editor shows.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from dxstudy.errors import ReportFormatError

#: Refuse inputs larger than this (bytes): a report is a few hundred kilobytes at most.
MAX_INPUT_BYTES = 64 * 1024 * 1024

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class RawText:
    """The decoded lines of a raw file and how they were stored."""

    path: str
    lines: list[str]          # without line terminators; lines[0] is line 1
    encoding: str             # utf-8 | utf-8-sig | utf-16 | cp932
    newline: str              # LF | CRLF | CR | mixed | none
    sha256: str
    size: int


def _line_of_offset(body: bytes, offset: int, codec: str) -> int:
    """The 1-based line of byte ``offset`` of ``body``, whose bytes before ``offset`` decode with ``codec``.

    Lines are counted in the decoded text (LF, CRLF or CR, as ``split_lines`` does): counting 0x0a bytes
    would be wrong for UTF-16, where that byte is half of many characters (上 is 0x4e0a), and for CR files.
    """
    prefix = body[:offset].decode(codec, errors="replace")
    return len(_NEWLINE.findall(prefix)) + 1


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode report bytes, detecting the encoding; return (text, encoding name).

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised by their bytes; anything that is
    not valid UTF-8 is tried as CP932 (Shift_JIS as Windows writes it). Bytes valid in neither raise
    a ReportFormatError naming the line of the first undecodable byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
        codec = "utf-8"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body, codec = "utf-16", data, "utf-16"
    else:
        encoding, body, codec = "utf-8", data, "utf-8"
    try:
        return body.decode(codec), encoding
    except UnicodeDecodeError as utf_error:
        if codec == "utf-16":
            raise ReportFormatError(path, _line_of_offset(body, utf_error.start, codec),
                                    "UTF-16 text after a UTF-16 byte-order mark",
                                    f"invalid byte sequence at byte {utf_error.start}") from None
        if encoding == "utf-8":
            try:
                return data.decode("cp932"), "cp932"
            except UnicodeDecodeError:
                pass
        offset = utf_error.start + (3 if encoding == "utf-8-sig" else 0)
        raise ReportFormatError(
            path, _line_of_offset(body, utf_error.start, codec),
            "text encoded as UTF-8, UTF-8 with BOM or CP932 (Shift_JIS)",
            f"byte 0x{data[offset]:02x} at byte offset {offset} that is valid in none of them",
        ) from None


def _newline_style(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR only (not on form feeds or Unicode separators, which editors do not count)."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_raw_text(path: str | Path) -> RawText:
    """Read a raw text file, detect its encoding and newline style, split it into lines."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ReportFormatError(p, 0, "a readable report file", f"{exc.strerror or exc}") from None
    if size > MAX_INPUT_BYTES:
        raise ReportFormatError(p, 0, f"a report of at most {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
                                f"a file of {size / (1024 * 1024):.1f} MiB")
    data = p.read_bytes()
    text, encoding = decode_bytes(data, str(p))
    if not text.strip():           # after decoding: a lone byte-order mark or only spaces is empty too
        raise ReportFormatError(p, 1, "a report with text", "an empty file")
    return RawText(str(p), split_lines(text), encoding, _newline_style(text),
                   hashlib.sha256(data).hexdigest(), len(data))
