"""The one scrubber for free text that leaves a conversation (a worker's note copied into a
referral, an export, a log line). Plain functions, no state but compiled patterns.

    scrub("bel me op 06-12345678") == "bel me op [telefoon]"
    scrub("ref 1234567 onbekend") is None            # fails closed

Order: NFKC normalisation (and every script's digits to 0-9, invisible characters removed),
then patterns, validated with python-stdnum where a check digit exists (BSN: elfproef, IBAN:
mod 97); what looks like one but fails validation is still removed, under a vaguer label.
Then names and places from a small list shipped in bot/needs/names_nl.yml, names after
cues ("mijn naam is", "mevrouw"), and names not on any list: a word after a relation word
("mijn zoon Kevin", "buurvrouw anja", "mn ex ahmed") or a capitalised word mid-sentence ("ik en
Kevin") that is not a known Dutch word. Known Dutch words are the residents' own words the
assistant is trained on (nlu/*.yml), the assistant's texts (domain.yml), the directory and a short
list in names_nl.yml (`ordinary_words`); never a listed name. So "mijn zoon woont bij me" stays,
and an unknown capitalised word goes (a brand or creditor too: removing too much is the safe
side). A run of ten or more digits ("dossiernr 20234455667788") is a [nummer]. deduce was measured and
not used: docs/benchmarks.md.

Fail closed: if a run of five or more digits (also with single separators between them) or an
@ survives, the text is dropped: `scrub` returns None, `scrub_or_placeholder` a placeholder."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, partial
from pathlib import Path

from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from bot.config import PROJECT_ROOT
from bot.yamlfile import read_yaml

DROPPED = "[tekst verwijderd]"
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
SEP = r"[ \t.\-/]"  # what residents put between digit groups

MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
          "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
# Street names: a strong suffix is a street also without a number, a weak one only with one.
STRONG_SUFFIX = "straat|str|laan|plein|gracht|kade|singel|dreef|steeg|plantsoen|boulevard|straatweg"
WEAK_SUFFIX = "weg|dijk|hof|park|pad|markt|erf|baan|veld|ring|wal|haven|burcht|dam|poort|akker|hoeve|kamp|zijde"
PARTICLES = r"(?:van|de|der|den|het|ter|ten|'t|op|in|la|le|el|al|von)"
STREET = r"(?:\b(?:[A-Z][\w'.-]*|" + PARTICLES + r")\s+){0,3}\b[\w'-]+?"
HOUSE_NUMBER = r"\s*(?:nr\.?|nummer)?\s*\d+(?:\s?[a-zA-Z]\b|\s?-?\s?(?:hs|bis|[IVX]{1,3}|\d+)\b)?"

# Licence plates (kentekens): the Dutch side codes, X = letter, 9 = digit.
SIDE_CODES = ["XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9",
              "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9"]


def _plate_pattern() -> str:
    shapes = []
    for code in SIDE_CODES:
        groups = ["".join("[A-Z]" if ch == "X" else r"\d" for ch in group) for group in code.split("-")]
        shapes.append(r"[\- ]?".join(groups))
    return r"(?<![\w-])(?:" + "|".join(shapes) + r")(?![\w-])"


def _cue_pattern() -> str:
    return (r"(?i:mijn naam is|ik heet|heet|naam:|genaamd|mevrouw|meneer|mevr\.?|dhr\.?|mw\.?|mr\.?|"
            r"de heer|familie|fam\.?)")


PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("e-mail", re.compile(r"[\w.+%-]+\s*(?:@|\(at\)|\[at\]|\{at\}|\s+at\s+)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\spunt\s)\s*[\w-]+)+",
                          re.IGNORECASE)),
    ("link", re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|be|de|info|io|me|app)\b(?:/\S*)?",
                        re.IGNORECASE)),
    ("account", re.compile(r"@\w[\w.]*")),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?:[ .-]?[A-Z0-9]{4}){2,7}(?:[ .-]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)),
    ("telefoon", re.compile(r"(?<![\w+])(?:(?:\+|00)\s?31\s?(?:\(0\)\s?)?[\-.]?\s?|\(?0)\d(?:\)?" + SEP + r"{0,2}\d){8}(?!\d)")),
    ("datum", re.compile(r"\b\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(?:\d{4}|\d{2})\b|\b\d{1,2}\s+(?:" + MONTHS +
                         r")\.?\s+(?:\d{4}|'\d{2})\b|\b(?:" + MONTHS + r")\.?\s+(?:\d{4}|'\d{2})\b",
                         re.IGNORECASE)),
    ("datum", re.compile(r"(?i:geboren|geb\.|geboortedatum|geboortejaar|jarig)\s*(?:op|in|:)?\s*\d[\w ./-]{0,20}")),
    ("BSN", re.compile(r"(?<!\d)\d(?:" + SEP + r"?\d){7,8}(?!\d)")),
    ("nummer", re.compile(r"(?<!\d)\d(?:" + SEP + r"?\d){9,}(?!\d)")),  # a dossier, client or case number
    ("postcode", re.compile(r"\b[1-9]\d{3}\s?(?!sa\b|sd\b|ss\b)[A-Za-z]{2}\b")),
    ("kenteken", re.compile(_plate_pattern())),
    ("kenteken", re.compile(r"(?<![\w-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]{1,3}-[A-Za-z0-9]{2,3}-[A-Za-z0-9]{1,3}(?![\w-])")),
    ("adres", re.compile(STREET + r"(?i:" + STRONG_SUFFIX + r")\b\.?(?:" + HOUSE_NUMBER + r")?")),
    ("adres", re.compile(STREET + r"(?i:" + WEAK_SUFFIX + r")\b" + HOUSE_NUMBER)),
    ("adres", re.compile(r"\b(?i:huisnummer|huisnr\.?|nummer|nr\.?)\s*\d+(?:\s?[a-z]\b)?")),
    ("bedrag", re.compile(r"(?:€|eur\b|euro\b)\s*\d[\d.,]*(?:-|—)?|\b\d[\d.,]*\s*(?:€|euro\b|eur\b)", re.IGNORECASE)),
]

# A word right after one of these is a name when it is not a known Dutch word ("mijn zoon Kevin",
# "buurvrouw anja", "mn ex ahmed"); "mijn zoon woont" keeps its verb.
RELATIONS = ("zoon|dochter|kind|kindje|zoontje|dochtertje|kleinzoon|kleindochter|kleinkind|man|vrouw|ex|partner|"
             "vriend|vriendin|vriendje|vriendinnetje|verloofde|echtgenoot|echtgenote|broer|broertje|zus|zusje|"
             "moeder|vader|mama|papa|mam|pap|ma|pa|stiefvader|stiefmoeder|stiefzoon|stiefdochter|halfbroer|halfzus|"
             "schoonmoeder|schoonvader|schoonma|schoonpa|schoonmam|schoonzus|schoonbroer|schoonzoon|schoondochter|"
             "zwager|pleegkind|pleegzoon|pleegdochter|"
             "buurman|buurvrouw|buurjongen|buurmeisje|oom|tante|opa|oma|neef|neefje|nicht|nichtje|collega|baas|"
             "huisgenoot|huisbaas|begeleider|hulpverlener|mentor|juf|meester")
RELATION = re.compile(r"(?<![\w'-])(?i:" + RELATIONS + r"),?\s+((?:[^\W\d_][\w'-]*\s*){1,3})")
CAPITALISED = re.compile(r"(?<![\w'\[-])[A-ZÀ-ÖØ-Þ][\w'-]*")
LETTERS = re.compile(r"[^\W\d_]+")
SENTENCE_START = ".!?\n\"'(-*•"  # a capital after these (or at the start) is not a name by itself
LEXICON_SOURCES = ("nlu/*.yml", "domain.yml", "directory/*.yml")

POSTCODE_WORDS = {"en", "op", "in", "is", "te", "of", "al", "nu", "er", "ik", "je", "ze", "we", "om", "de", "na",
                  "zo", "at", "an", "as", "be", "da", "do", "ga", "ja", "me", "ne", "no", "ok", "pa", "ma"}


def normalise(text: str) -> str:
    """NFKC, every script's digits to 0-9, invisible characters out."""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not "0" <= ch <= "9" and unicodedata.digit(ch, None) is not None
                   else ch for ch in text)


@lru_cache(maxsize=1)
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = read_yaml(Path(__file__).with_name("names_nl.yml"))
    capitalized_only = set(data["capitalized_only"])

    def alternation(words: list[str]) -> tuple[str, str]:
        words = sorted(set(words), key=len, reverse=True)
        loose = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words if w not in capitalized_only)
        strict = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words if w in capitalized_only)
        return loose, strict

    def compiled(words: list[str], tail: str = "") -> re.Pattern[str]:
        loose, strict = alternation(words)
        parts = []
        if loose:
            parts.append(r"(?i:" + loose + ")")
        if strict:
            parts.append(strict)
        return re.compile(r"(?<![\w'-])(?:" + "|".join(parts) + r")" + tail + r"(?![\w-])")

    surname_tail = r"(?:\s+(?:" + PARTICLES + r"\s+){0,2}[A-Z][\w'-]+)?"
    names = compiled(data["first_names"] + data["surnames"], surname_tail)
    places = compiled(data["places"])
    cue = re.compile(r"(?<!\w)" + _cue_pattern() + r"\s+((?:" + PARTICLES + r"\s+){0,2}[\w'-]+(?:\s+(?:" + PARTICLES +
                     r"\s+){0,2}[A-Z][\w'-]+){0,2})")
    return names, places, cue


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-case Dutch words that are not names: the residents' words the assistant is trained
    on, its own texts, the directory, and names_nl.yml's `ordinary_words`; minus every listed name."""
    data = read_yaml(Path(__file__).with_name("names_nl.yml"))
    words: set[str] = {w.lower() for w in data.get("ordinary_words", [])}
    for pattern in LEXICON_SOURCES:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            words.update(w.lower() for w in LETTERS.findall(path.read_text(encoding="utf-8")))
    names = {w.lower() for name in data["first_names"] + data["surnames"] for w in LETTERS.findall(name)}
    return frozenset(words - (names - {"de", "van", "der", "den", "el"}))


def _known(word: str) -> bool:
    parts = LETTERS.findall(word.lower())
    return bool(parts) and all(part in known_words() for part in parts)


def _names_after_relations(text: str) -> str:
    """'mijn zoon Kevin woont' -> 'mijn zoon [naam] woont': up to three unknown words after a relation."""
    def replace(match: re.Match[str]) -> str:
        tail = match.group(1)
        words = re.findall(r"\S+\s*", tail)
        kept = 0
        for word in words:
            if _known(word) and word.strip().lower() not in ("de", "van", "der", "den", "el"):
                break
            kept += 1
        while kept and words[kept - 1].strip().lower() in ("de", "van", "der", "den", "el"):
            kept -= 1  # "buurvrouw anja van" : the particle only counts before a surname
        if not kept:
            return match.group(0)
        spacing = re.search(r"\s*$", words[kept - 1])
        rest = "".join(words[kept:])
        head = match.group(0)[: match.start(1) - match.start(0)]
        return head + "[naam]" + (spacing.group(0) if spacing else "") + rest
    return RELATION.sub(replace, text)


def _capitalised_names(text: str) -> str:
    """'ik en Kevin hebben schulden' -> 'ik en [naam] hebben schulden': a capitalised word mid-sentence
    that is not a known Dutch word (short all-capital words such as ING or GGZ stay)."""
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        before = text[: match.start()].rstrip(" \t")
        if not before or before[-1] in SENTENCE_START:
            return word
        if (word.isupper() and len(word) <= 3) or _known(word):
            return word
        return "[naam]"
    return CAPITALISED.sub(replace, text)


def _replace_numbers(label: str, match: re.Match[str]) -> str:
    found = match.group(0)
    if label == "BSN":
        return "[BSN]" if stdnum_bsn.is_valid(re.sub(r"\D", "", found)) else "[nummer]"
    if label == "IBAN":
        compact = re.sub(r"\s", "", found).upper()
        if stdnum_iban.is_valid(compact):
            return "[IBAN]"
        return "[rekeningnummer]" if sum(ch.isdigit() for ch in compact) >= 8 else found
    if label == "postcode":
        number, letters = found[:4], found[-2:]
        if " " in found and letters.islower() and letters in POSTCODE_WORDS and 1900 <= int(number) <= 2099:
            return found  # "in 2023 en 2024": a year and a word, not a postcode
    return f"[{label}]"


def scrub(text: str) -> str | None:
    """The text with identifying details replaced by [labels], or None when it must be dropped."""
    out = normalise(text)
    for label, pattern in PATTERNS:
        out = pattern.sub(partial(_replace_numbers, label), out)
    names, places, cue = _name_patterns()
    out = cue.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[naam]", out)
    out = names.sub("[naam]", out)
    out = places.sub("[plaats]", out)
    out = _names_after_relations(out)
    out = _capitalised_names(out)
    if re.search(r"\d(?:" + SEP + r"?\d){4,}", out) or "@" in out or "(at)" in out.lower():
        return None
    return out


def scrub_or_placeholder(text: str) -> str:
    result = scrub(text)
    return DROPPED if result is None else result
