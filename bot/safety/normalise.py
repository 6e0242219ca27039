"""Normalising a message before the crisis lexicon reads it.

Lower case, no accents, sentence ends as " . ", no other punctuation, stretched letters
collapsed ("braaaand"), then the lexicon's own whole-word rewrites of chat spelling
("mn" -> "mijn"). The patterns in bot/safety/lexicon/ are written for this form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

Rewrite = tuple[re.Pattern[str], str]

_QUOTES_RE = re.compile(r"[\u2018\u2019\u201a\u201b\u0060\u00b4]")
_PUNCT_RE = re.compile(r"[.!?;:,\n\r\t]+")
_NON_WORD_RE = re.compile(r"[^a-z0-9'. ]+")
_SPACES_RE = re.compile(r" +")
_STRETCHED_RE = re.compile(r"([a-z])\1{2,}")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def base(text: str) -> str:
    """Lower case Latin letters, digits, apostrophes and sentence ends, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = strip_accents(text)
    text = _QUOTES_RE.sub("'", text)
    text = _PUNCT_RE.sub(" . ", text)
    text = text.replace("-", " ").replace("/", " ")
    text = _NON_WORD_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def rewrite(text: str, rewrites: Sequence[Rewrite]) -> str:
    for pattern, replacement in rewrites:
        text = pattern.sub(replacement, text)
    text = text.replace("'", " ")
    return _SPACES_RE.sub(" ", text).strip()


def variants(text: str, rewrites: Sequence[Rewrite]) -> list[str]:
    """The normalised forms of a message: stretched letters collapsed to two, and to one."""
    plain = base(text)
    two = _STRETCHED_RE.sub(r"\1\1", plain)
    one = _STRETCHED_RE.sub(r"\1", plain)
    forms = [rewrite(two, rewrites)]
    if one != two:
        forms.append(rewrite(one, rewrites))
    return forms
