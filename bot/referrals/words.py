"""How the call-back dialogue reads a resident's own words: yes, no, stop, a change, a withdrawal,
a question about the call back, a best time, a phone number. Chat spelling and common typos count
("jup", "nie meer gebelt worde", "intrekke", "snachts"). Texts come in `plain` (see `plain`).

Kept apart from the dialogue's steps (bot/referrals/dialogue.py) so the vocabulary can be read
and tested on its own (tests/referrals/test_dialogue_words.py).
"""

from __future__ import annotations

import re
import unicodedata


def plain(text: str) -> str:
    """Lower case, accents kept, punctuation and extra spaces gone: 'Ja hoor!!' -> 'ja hoor'."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s':/-]", " ", text)).strip()


YES = re.compile(r"^(ja+|jawel|jep|jup|yes|yep|ok|oke|okay|okee|oké|okido\w*|prima|goed|graag|zeker|is goed|"
                 r"doe ma+r|top|klopt|bel mij|bel me|stuur (het )?(maar )?door|stuur (het )?maar|akkoord)\b")
NO = re.compile(r"^(nee+|neen|neuh|nope|no|niet nodig|hoeft niet|liever niet|ik bel zelf|laat (maar )?zitten|"
                r"laat maar|toch niet|stop|stoppen|annuleer|annuleren)\b")
STOP = re.compile(r"^(stop|stoppen|toch niet|laat (maar )?zitten|laat maar|annuleer|annuleren)\b")
CHANGE = re.compile(r"^((iets|wat|even|nog iets) )?(aanpassen|anders|veranderen|wijzig|wijzigen|pas (het )?aan|klopt niet|niet goed)\b")
# Words that make up a short, clear yes ("ja", "ja hoor, klopt", "ok bel me maar"); anything more
# ("ok zonder nummer dan: boete cjib") is not a yes but something the resident wants said.
YES_WORDS = frozenset({
    "ja", "jawel", "jep", "jup", "yes", "yep", "ok", "oke", "okay", "okee", "oké", "prima", "goed", "graag",
    "zeker", "is", "doe", "maar", "klopt", "hoor", "bel", "mij", "me", "stuur", "het", "door", "akkoord", "dank",
    "je", "wel", "dankjewel", "bedankt", "top", "super", "fijn", "helemaal", "precies", "dat", "zo", "alles",
    "mar", "maa", "okido", "okidoki", "oki"})
# "bel me maar", "ja bel mij": a clear wish to be called while an offer is open, even when the
# assistant answered a question in between ("wat kost dat?" - "ok ja bel me maar").
CALL_ME = re.compile(r"\b(bel (me|mij)|bellen mag|mag bellen|terugbellen graag|graag terugbellen|wil gebeld worden)\b")

# Withdrawing an accepted call back, clearly: "trek (maar) in", "intrekke", "haal mijn nummer weg",
# "ze hoefen niet te bellen", "bel me niet", "niet bellen aub", "ik wil nie meer gebelt worde", "annuleer".
# Never "ik ben (nog) niet gebeld" (a complaint, answered with the status) nor "ik kan niet bellen".
_NOT = r"(niet|nie|niett|neit|niks|geen)"
WITHDRAW = re.compile(
    rf"\b{_NOT} (meer )?(ge)?bel[dt]\w* (te )?(worde?n?|wordt)\b"  # (ik wil) niet (meer) gebeld worden
    rf"|\b{_NOT} (meer )?(te )?bell?e?n?\b"  # niet bellen, nie belle, hoeven niet te bellen
    rf"|\b{_NOT} (\w+ )?(belletje|telefoontje|terugbelletje)s?\b"  # geen belletje (meer), geen telefoontje
    rf"|\bbel (me|mij|mn|ons) (maar )?(toch )?{_NOT}\b"  # bel me niet
    r"|\btre?k\w*\b(?: \S+){0,6} in$|\bintre?k\w*|\bin ?trekk?e?n?\b|\bterug ?trekk?e?n?\b"  # trek (het) in, intrekke
    r"|\b(haal|haalt|verwijder\w*|wis|wissen)\b.{0,30}\b(nummer|aanvraag|verzoek|gegevens|terugbel\w*)\b"
    r"|\b(nummer|aanvraag|verzoek|gegevens)\b.{0,20}\b(weg|wissen|verwijder\w*)\b"
    r"|\bhoe(ft|ven|fen|f|vt)\b.{0,15}\b(niet|nie) (meer )?(te )?bell?e?n\b"
    r"|^(annuleer\w*|annuleren|cancel\w*)\b")
NOT_WITHDRAW = re.compile(rf"\b(ben|word|werd|is|zijn)\b.{{0,12}}\b(nog )?{_NOT} (meer )?(ge)?bel[dt]\b"
                          r"|\b(gehad|gekregen|ontvangen)\b"  # "nog geen telefoontje gehad": a complaint
                          rf"|\b(kan|kon|kun|kunnen|durf|lukt)\b.{{0,15}}\b{_NOT}\b.{{0,10}}\bbel")
# Said while a call back is accepted, these may mean "do not call me" or something else (end the chat,
# stop talking about debts): we ask "Wil je dat <service> je niet belt?" first.
MAYBE_WITHDRAW = re.compile(r"^(stop|stoppen|stop maar|laat (maar )?(zitten|maar)|laat maar|toch niet|toch maar niet"
                            r"|hoeft (al )?(niet|nie) (meer)?|niet meer nodig|ik wil (het|dat|t) (niet|nie)( meer)?"
                            r"|ik hoef (het|dat|t)? ?(niet|nie)( meer)?|vergeet (het|t) maar|nee toch niet)\b")
# A word about the call itself, and one that says it is not needed (any more): together, in any order
# ("heb ze zelf al gebeld dus hoeft nie meer"), a clear withdrawal; the call word with only "niet",
# "geen" or "toch" somewhere ("bellen is toch niet meer nodig denk ik") is asked about first.
CALL_WORD = re.compile(r"\b(bel|belt|belle|bellen|belde|belden|gebel[dt]|belletjes?|telefoontjes?|terugbel\w*|"
                       r"opbel\w*|telefoon)\b")  # not "belasting", "belangrijk"
NOT_NEEDED = re.compile(rf"\bhoe(ft|f|ven|fen|vt)\b (al |ook |toch |echt )?{_NOT}\b|\bniet (meer )?nodig\b")
NOT_OR_TOCH = re.compile(rf"\b({_NOT}|toch|hoeft|hoef|hoeven)\b")
# A question about the call back itself: who calls, when, with which number, did it go through.
STATUS = re.compile(r"\bwanneer\b.{0,25}\b(bel|gebeld|contact)"
                    r"|\bwie\b.{0,15}\bbel"
                    r"|\b(hebben|heeft|krijgen|krijgt)\b.{0,20}\bnummer\b"
                    r"|\b(nog|nogsteeds|steeds|nooit)\b.{0,10}\b(niet|nie|geen)\b.{0,10}\b(gebeld|gebelt|telefoon|belletje)"
                    r"|\bhoe weet ik\b|\bzijn ze het\b|\bherken\w*\b"
                    r"|\b(gaan|gaat) ze\b.{0,10}\bbellen\b|\bbellen ze\b|\bbelt (er )?(ze|iemand|hij|zij)\b"
                    r"|\b(is|werd) (het|mijn verzoek|mijn aanvraag) (wel )?(doorgestuurd|verstuurd|aangekomen)\b")
TIME_WORDS = {
    "ochtend": re.compile(r"\b(ochtend|'?s ?ochtends|ochtends|'?s ?morgens|morgens|voor de middag|vroeg)\b"),
    "middag": re.compile(r"\b(middag|'?s ?middags|middags|na de lunch)\b"),
    "avond": re.compile(r"\b(avond|'?s ?avonds|avonds|na het eten)\b"),
    "maakt niet uit": re.compile(r"\b(maakt (me |mij )?(niet|nie|niks|geen bal) (zoveel |veel )?uit|geen voorkeur|altijd|wanneer ze willen|"
                                 r"wanneer het uitkomt|de hele dag|maakt niks uit|om het even)\b"),
}
OTHER_TIME = re.compile(r"\b(andere? (tijd|moment|dag)|tijd (aanpassen|veranderen|wijzigen)|liever (een )?ander)\b")
OTHER_NUMBER = re.compile(r"^(het )?(nummer|nr|telefoonnummer|telefoon|mobiel|mijn nummer)$"
                          r"|\b(ander(e)? (nummer|nr|telefoonnummer|telefoon|mobiel|06)|nummer (klopt niet|is fout|aanpassen|veranderen|"
                          r"wijzigen)|verkeerd(e)? nummer|fout(e)? nummer)\b")
OTHER_SUMMARY = re.compile(r"\b(samenvatting|tekst)\b.{0,15}\b(aanpassen|veranderen|wijzigen|klopt niet)\b")
PHONE_LIKE = re.compile(r"(?:\+|00)?\(?\d[\d\s().\-/]{6,}\d")
MIN_PHONE_DIGITS = 8


def clear_yes(said: str) -> bool:
    """A short yes and nothing else: 'ja', 'ja hoor klopt', 'ok prima'."""
    words = said.replace("'", " ").split()
    return bool(words) and len(words) <= 6 and YES.match(said) is not None and all(w in YES_WORDS or re.fullmatch(r"ja+", w) for w in words)


def withdraws(said: str) -> bool:
    """Clearly: do not call me (any more)."""
    if NOT_WITHDRAW.search(said) is not None:
        return False
    return WITHDRAW.search(said) is not None or (CALL_WORD.search(said) is not None
                                                  and NOT_NEEDED.search(said) is not None)


def may_withdraw(said: str) -> bool:
    """Perhaps: do not call me ("stop maar", "toch maar niet", "bellen is toch niet..."): asked first."""
    return MAYBE_WITHDRAW.match(said) is not None or (
        CALL_WORD.search(said) is not None and NOT_OR_TOCH.search(said) is not None
        and NOT_WITHDRAW.search(said) is None)


def phone_in(text: str) -> str | None:
    """The phone-like run in a message (at least 8 digits: '06 12 34 56 78', '+31 6 ...'), or None:
    'ik heb 2 kinderen' holds no number."""
    for found in PHONE_LIKE.finditer(text):
        if sum(ch.isdigit() for ch in found.group(0)) >= MIN_PHONE_DIGITS:
            return found.group(0)
    return None


def only_a_number(text: str) -> bool:
    """Digits (and spaces, dashes, a plus) and no words: meant as a number even if too short ('12345')."""
    stripped = text.strip()
    return bool(re.search(r"\d", stripped)) and re.fullmatch(r"[\d\s()+.\-/]+", stripped) is not None


# "om 10 uur", "na 3 uur", "rond half 2", "14:00": an hour; 1 to 7 o'clock means the afternoon or evening.
HOUR = re.compile(r"\b(?:om|na|rond|vanaf|tegen|voor|tussen|half)? ?(\d{1,2})(?: ?uur\b|:\d\d\b| ?u\b)")
WEEKEND = re.compile(r"\b(zaterdag\w*|zondag\w*|weekend\w*|zaterdagochtend|zondagochtend)\b")


def best_time(said: str) -> str | None:
    """'ochtend', 'middag', 'avond' or 'maakt niet uit' from the resident's words, or None."""
    named = next((name for name, pattern in TIME_WORDS.items() if pattern.search(said)), None)
    if named is not None:
        return named
    found = HOUR.search(said)
    if found is None:
        return None
    hour = int(found.group(1))
    hour = hour + 12 if 1 <= hour <= 7 else hour
    return "ochtend" if 8 <= hour < 12 else "middag" if 12 <= hour < 17 else "avond" if 17 <= hour < 22 else None


def on_weekend(said: str) -> bool:
    """'zaterdag ochtend', 'in het weekend': a day many services do not call on."""
    return WEEKEND.search(said) is not None
