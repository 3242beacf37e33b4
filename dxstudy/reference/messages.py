# The message catalogue: every user-facing message by key, Japanese text with named fields and an
# English form for logs, read from reference/messages_ja.csv (rules as data, not strings in code).
"""Message catalogue.

``message("survey.csv_returned", file="114651_松伏町_FY2022.csv")`` gives the Japanese text;
``message(key, lang="en", ...)`` the English form for logs. An unknown key or a missing field is a
``KeyError`` naming the key, so a typo fails in tests rather than showing a broken sentence.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def catalogue() -> dict[str, dict[str, str]]:
    """Key -> {"ja": text, "en": text}, from reference/messages_ja.csv."""
    path = resources.files("dxstudy").joinpath("reference", "messages_ja.csv")
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        return {row["key"]: {"ja": row["ja"], "en": row["en"]} for row in csv.DictReader(fh)}


def message(key: str, lang: str = "ja", **fields: object) -> str:
    """The catalogue's text for *key* in *lang* ("ja" or "en"), its named fields filled in."""
    entry = catalogue().get(key)
    if entry is None:
        raise KeyError(f"message key {key!r} is not in reference/messages_ja.csv")
    text = entry[lang] or entry["ja"]
    try:
        return text.format(**fields)
    except KeyError as missing:
        raise KeyError(f"message {key!r}: field {missing} not given") from None
