"""Normalising a message before the crisis lexicon reads it.

Lower case, no accents, sentence ends as " . ", no other punctuation, stretched letters
collapsed ("braaaand"), then the lexicon's own whole-word rewrites of chat spelling
("mn" -> "mijn"). The patterns in bot/safety/lexicon/ are written for this form.

Dutch (`base`) keeps only Latin letters, as it always has. The other languages (`base_any`)
keep the letters of every script and fold what residents type in more than one way:
Turkish dotless i, Polish l with stroke, Arabic hamza forms of alef, ta marbuta, alef
maqsura and tatweel; apostrophes go ("don't" -> "dont", Ukrainian "б'є" -> "бє").
Their patterns pass through the same `fold`, so they may be written with accents.
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


_FOLD = str.maketrans({
    "ı": "i", "ł": "l", "ß": "ss",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None,
    "؟": "?", "،": ",", "؛": ";",
})
_KEEP_SHAPE = frozenset("\u0306\u0308")  # й and ї keep their marks: they are other letters
_PUNCT_ANY_RE = re.compile(r"[.!?;:,\n\r\t]+")
_NON_WORD_ANY_RE = re.compile(r"[^\w. ]+|_")
_STRETCHED_ANY_RE = re.compile(r"(\w)\1{2,}")


def fold(text: str) -> str:
    """Accents and variant letters folded, for every script; Cyrillic й and ї kept."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", text.translate(_FOLD)):
        cyrillic_shape = ch in _KEEP_SHAPE and kept and "\u0400" <= kept[-1] <= "\u04ff"
        if not unicodedata.combining(ch) or cyrillic_shape:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def base_any(text: str) -> str:
    """Lower-case letters of any script, digits and sentence ends, single spaces."""
    text = fold(unicodedata.normalize("NFKC", text).lower())
    text = _QUOTES_RE.sub("'", text).replace("'", "").replace("\u02bc", "")
    text = _PUNCT_ANY_RE.sub(" . ", text)
    text = _NON_WORD_ANY_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def variants_any(text: str) -> list[str]:
    """The forms the non-Dutch lexicons read: as written, and stretched letters collapsed."""
    plain = base_any(text)
    one = _STRETCHED_ANY_RE.sub(r"\1", plain)
    return [plain] if one == plain else [plain, one]


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
