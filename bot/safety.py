"""The crisis net: recognise suicide, violence and acute emergencies without any model.

Runs before the Rasa model on every message. Pure standard library, so it works when the
model is down or not trained. Recall on real crisis wording comes first (a miss can cost a
life); common hyperbole about noise, debt and care ("ik ga dood van de herrie", "die
schulden maken me kapot", "vuurwerk knalt als een pistool") is kept out on purpose.

How it works: the text is normalised (NFKC, lower case, accents stripped, chat
abbreviations and typos rewritten, stretched letters collapsed), then checked against an
ordered Dutch lexicon of regular expressions. The first rule that matches decides the
intent; its short id is the reason. The reason never contains the resident's text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CrisisMatch", "detect_crisis", "normalise"]

SUICIDE = "crisis_suicide"
VIOLENCE = "crisis_violence"
EMERGENCY = "crisis_emergency"


@dataclass(frozen=True)
class CrisisMatch:
    intent: str  # "crisis_suicide" | "crisis_violence" | "crisis_emergency"
    reason: str  # id of the rule that matched, e.g. "suicide.wil_dood"


# --------------------------------------------------------------------------- normalising

# Whole-word rewrites of chat spelling, abbreviations and common typos (applied in order).
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\bm'?n\b", "mijn"),
    (r"\bmyn\b", "mijn"),
    (r"\bmijne\b", "mijn"),
    (r"\bz'?n\b", "zijn"),
    (r"\bd'?r\b", "haar"),
    (r"\b'?k\b", "ik"),
    (r"\b'?t\b", "het"),
    (r"\b'?s nachts\b", "snachts"),
    (r"\bk(wil|wou|ben|ga|heb|zie|kan|denk|doe|snij|snijd|kras|hoop|voel|durf|wil|spring|slik)\b", r"ik \1"),
    (r"\bik(wil|wou|ben|ga|heb|zie|kan|denk|doe)\b", r"ik \1"),
    (r"\bff\b", "even"),
    (r"\bwss\b", "waarschijnlijk"),
    (r"\bmss\b", "misschien"),
    (r"\bgwn\b", "gewoon"),
    (r"\becht\b", "echt"),
    (r"\b(?:nie|ni|nt|nit|neit)\b", "niet"),
    (r"\bnie?meer\b", "niet meer"),
    (r"\b(?:mr|mee?r)\b", "meer"),
    (r"\bwl\b", "wil"),
    (r"\bwille\b", "willen"),
    (r"\bleve\b", "leven"),
    (r"\bdoot\b", "dood"),
    (r"\bdoo\b", "dood"),
    (r"\bdood(gaan|maken|gaat|ging|maakt|gegaan|gemaakt|vallen|bloeden|schieten|steken|slaan)\b", r"dood \1"),
    (r"\bom ?zeep\b", "om zeep"),
    (r"\b(?:mzelf|mijzelf|mezelve|me zelf|mij zelf|mzlf|mezlf|mijzelve)\b", "mezelf"),
    (r"\b(?:zelf ?-?moord|zelfmrd|zelfmoor|zelfmoort|zelfmoordt|zelfmord|zelfmood|zelfmooord|zlfmoord|zelfmoordd)", "zelfmoord"),
    (r"\bsuicid", "suicid"),
    (r"\bsuicide\b", "zelfmoord"),
    (r"\bselfharm|\bself harm", "zelfbeschadiging"),
    (r"\bkms\b", "zelfmoord"),
    (r"\bunalive\b", "zelfmoord"),
    (r"\bkill(?:en)? (?:myself|mezelf|me)\b", "zelfmoord"),
    (r"\b(?:mezelf|me) killen\b", "zelfmoord"),
    (r"\beinde?nd\b|\beint\b|\beinde\b", "einde"),
    (r"\bafscheids ?brief", "afscheidsbrief"),
    (r"\bgas ?lucht\b", "gaslucht"),
    (r"\bgas ?lek", "gaslek"),
    (r"\bzwaar ?gewond", "zwaargewond"),
    (r"\bbewust ?loos\b|\bbewusteloss?\b|\bbewusteloos\b|\bbewustloos\b", "bewusteloos"),
    (r"\bin ?gebroken\b", "ingebroken"),
    (r"\bin ?brekers?\b", "inbreker"),
    (r"\bpolse\b", "polsen"),
    (r"\bsnijdt\b", "snijdt"),
    (r"\bslaad\b|\bslaat\b", "slaat"),
    (r"\bschopd\b", "schopt"),
)
_REWRITES_RE = tuple((re.compile(p), r) for p, r in _REWRITES)

# "me man", "mn vriend", "mijne vader": the possessive before a person word.
_PERSON_WORDS = (
    r"(?:man|vrouw|vriend|vriendin|vriendje|partner|ex|exman|exvrouw|ex man|ex vrouw|echtgenoot|"
    r"echtgenote|vader|moeder|pa|ma|papa|mama|pap|mam|stiefvader|stiefmoeder|stiefvader|"
    r"pleegvader|pleegmoeder|broer|zus|broertje|zusje|zoon|dochter|oom|tante|opa|oma|"
    r"schoonvader|schoonmoeder|neef|nicht|vent|huisgenoot|verloofde|kinderen|kind|"
    r"stiefbroer|vriendin|relatie|oudere broer|grote broer|baas)"
)
_ME_POSSESSIVE_RE = re.compile(r"\b(?:me|mij)\s+(?=" + _PERSON_WORDS + r"\b)")

_PUNCT_RE = re.compile(r"[.!?;:,\n\r\t]+")
_NON_WORD_RE = re.compile(r"[^a-z0-9'. ]+")
_SPACES_RE = re.compile(r" +")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _base(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _strip_accents(text)
    text = re.sub(r"[\u2018\u2019\u201a\u201b\u0060\u00b4]", "'", text)
    text = _PUNCT_RE.sub(" . ", text)
    text = text.replace("-", " ").replace("/", " ")
    text = _NON_WORD_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def _finish(text: str) -> str:
    for pattern, repl in _REWRITES_RE:
        text = pattern.sub(repl, text)
    text = _ME_POSSESSIVE_RE.sub("mijn ", text)
    text = text.replace("'", " ")
    text = _SPACES_RE.sub(" ", text).strip()
    return text


def normalise(text: str) -> list[str]:
    """The normalised variants of a message (stretched letters collapsed to 2 and to 1)."""
    base = _base(text)
    two = re.sub(r"([a-z])\1{2,}", r"\1\1", base)
    one = re.sub(r"([a-z])\1{2,}", r"\1", base)
    variants = [_finish(two)]
    if one != two:
        variants.append(_finish(one))
    return variants


# --------------------------------------------------------------------------- lexicon

_G = r"(?:\w+ ){0,%d}"  # a gap of at most N words (never crosses a sentence boundary ".")


def g(n: int) -> str:
    return _G % n


# Small filler words allowed between "wil" and what is wanted.
ADV = (
    r"(?:(?:gewoon|liever|echt|eigenlijk|soms|het liefst|even|zo|ook|allemaal|gewoonweg|"
    r"graag|nu|vaak|steeds|al|misschien|toch|dan|maar|dus|heel|zo graag|niks|nog|"
    r"vanavond|vannacht|morgen|vandaag|snel|wel|echt|gwn|zelf|ook wel|"
    r"eindelijk|stiekem|nou|soms wel) )*"
)
SELF = r"(?:mezelf|mijzelf|zichzelf|zich|haarzelf|hemzelf)"
ME = r"(?:me|mij|mezelf|ons|mama|papa|mam|pap)"
VICTIM = (
    r"(?:me|mij|mezelf|ons|mama|papa|mam|pap|"
    r"(?:mijn|haar|zijn|onze|de|het|die|dat) (?:moeder|vader|zus|zusje|broer|broertje|"
    r"kinderen|kind|kindje|zoon|zoontje|dochter|dochtertje|vrouw|man|vriendin|vriend|"
    r"partner|baby|oma|opa|kids|meisje|jongetje|jongen|stiefdochter|stiefzoon|"
    r"pleegkind|vrouw|moeder))"
)
PERSON = (
    r"(?:mijn|haar|zijn|onze|de|die|het|een) (?:\w+ )?" + _PERSON_WORDS + r"|hij|zij|ze|die man|die vent"
)
# participles of violent acts
VIOL_PART = (
    r"(?:geslagen|mishandeld|gewurgd|verkracht|aangerand|in elkaar geslagen|in elkaar getrapt|"
    r"in elkaar gemept|getrapt|geschopt|gestompt|gemarteld|opgesloten|geknepen|gebeten|"
    r"gemept|gebeukt|bedreigd|afgetuigd|afgeranseld|geduwd|gesmeten|toegetakeld|"
    r"geslagen en geschopt|misbruikt|betast|vastgebonden|platgeslagen|bont en blauw geslagen)"
)
VIOL_VERB = (
    r"(?:slaat|slaan|sloeg|sloegen|schopt|schoppen|schopte|trapt|trappen|trapte|"
    r"mishandelt|mishandelen|mishandelde|wurgt|wurgen|wurgde|stompt|stompen|stompte|"
    r"verkracht|verkrachten|verkrachtte|misbruikt|misbruiken|misbruikte|bedreigt|bedreigen|"
    r"bedreigde|knijpt|kneep|duwt|duwde|mept|meppen|mepte|beukt|martelt|tuigt|ranselt|"
    r"aftuigen|bijt|beet|slaat|aanrandt|betast|betastte|sleurt|sleurde|smijt|smeet|"
    r"kneep|timmert|ramt|rammen|ramde|gooit|gooide)"
)
THREAT_EXCL = (
    r"(?! met " + g(2) + r"(?:beslag|ontruiming|afsluit\w*|boete\w*|incasso\w*|rechter|"
    r"rechtszaak|deurwaarder|uitzetting|huisuitzetting|brief|politie|advocaat|kort geding|"
    r"de wijkagent|een klacht|aangifte|verhoging|bkr|loonbeslag|een procedure|schuldeiser\w*))"
)
NONLIFE = (
    r"(?:rekening\w*|schuld\w*|buren|buurman|buurvrouw|herrie|lawaai|overlast|deurwaarder\w*|"
    r"verbouwing|huur|energie\w*|afval|vuil|container\w*|post|brieven|papieren|administratie|"
    r"belasting\w*|toeslag\w*|gemeente|uitkering|incasso\w*|hangjongeren|jongeren|scooters|"
    r"werk|baan|woning\w*|verhuizing|aanvraag|formulier\w*|geld|financien|betalingen|"
    r"muziek|hond|honden|feest\w*|stank|ratten|vuilnis)"
)
NONLIFE_AFTER = r"(?! " + g(1) + r"(?:met|qua|door|uit|van|om|voor|wat betreft|bij|in) " + g(3) + NONLIFE + r")"

# (intent, reason, pattern, suppress-when-text-matches or None)
_RULES_SRC: list[tuple[str, str, str, str | None]] = [
    # ---- others threatening to hurt me: before the suicide rules ("hij wil me iets aandoen")
    (VIOLENCE, "violence.iemand_wil_mij_iets_aandoen",
     r"\b(?:hij|zij|ze|" + _PERSON_WORDS + r") " + g(3) + r"(?:me|mij|ons|haar|de kinderen|mijn \w+) "
     + g(2) + r"(?:iets|wat|pijn|iets ergs) " + g(1) + r"aan ?(?:te )?(?:doen|doet|deed|gaat doen)\b", None),
    (VIOLENCE, "violence.wil_mij_vermoorden",
     r"\b(?:me|mij|ons|haar|de kinderen|mijn \w+) " + g(2)
     + r"(?:vermoorden|vermoordt|vermoord|dood (?:maken|te maken|maakt|slaan|steken|schieten)|"
     r"afmaken|af te maken|om zeep (?:helpen|brengen)|koud maken)\b", r"\bik (?:vermoord|maak) "),
    (VIOLENCE, "violence.dreigt_te_doden",
     r"\b(?:dreigt|dreigde|dreigen|gedreigd)\b " + g(5)
     + r"(?:vermoorden|dood te maken|af te maken|te doden|te steken|neer te steken|te slaan|"
     r"iets aan te doen|pijn te doen|te wurgen|op te zoeken|te vinden|in brand te steken|"
     r"mee te nemen|te ontvoeren|te verkrachten)\b|"
     r"\b(?:ex|exman|exvriend|exvrouw|man|vriend|hij|zij|ze|vader|partner) " + g(4) + r"(?:weet|zal|gaat|gaan|komt|kan) (?:me|mij|ons) "
     r"(?:\w+ )?(?:te )?(?:vinden|pakken|krijgen|halen)\b(?! (?:als|voor) (?:ik|het|de|een) (?:\w+ )?(?:hulp|afspraak|vraag))|"
     r"\b(?:ex|exman|exvriend|exvrouw|man|vriend|hij|zij|vader|partner) " + g(4) + r"(?:me|mij|ons) (?:weet|weten|zal|gaat|komt) te (?:vinden|pakken)\b", None),

    # ---- suicide and self-harm
    (SUICIDE, "suicide.explicit_word",
     r"\b(?:zelfmoord\w*|zelfdoding\w*|suicid\w*|zelfmoordpoging\w*|levensmoe\w*|doodswens\w*|"
     r"doods ?gedachte\w*|doodsgedacht\w*|113 ?(?:zelfmoordpreventie)?|113 online)\b", None),
    (SUICIDE, "suicide.eind_eraan",
     r"\ber (?:(?!komt|kwam|geen|lijkt|niet)\w+ ){0,3}(?:een )?einde? aan"
     r"(?! (?:de|die|dat|deze|hun|zijn|haar|dit|onze|ons|jullie|al die|alle|mijn (?!leven)|het (?!leven))\b)",
     None),
    (SUICIDE, "suicide.eind_aan_leven",
     r"\beinde? (?:aan|maken aan) (?:mijn|het|dit|m|zijn|haar|ons) (?:\w+ )?leven\b|"
     r"\beinde? aan alles\b|\bmijn leven " + g(2) + r"(?:beeindigen|beindigen|beeindig|eindigen|stoppen|nemen|afsluiten)\b|"
     r"\b(?:leven|het leven) (?:te )?(?:beeindigen|benemen|nemen)\b|"
     r"\bvan het leven beroven\b|\bom het leven (?:brengen|te brengen)\b|"
     r"\buit het leven (?:stappen|te stappen|gestapt|stap|gaan|te gaan)\b|"
     r"\bpunt achter (?:mijn|het|dit) leven\b|\bstoppen met (?:het )?leven\b|\bstoppen met alles\b",
     None),
    (SUICIDE, "suicide.niet_meer_leven",
     r"\b(?:wil|wou|wilde|hoef|hoeft|willen|zin|kan|kun|zie|zien|durf)\b " + g(5)
     + r"(?:niet|geen) (?:meer|langer) " + g(2) + r"(?:te )?leven\b(?! met (?:de|die|deze) (?:herrie|buren|overlast))|"
     r"\bniet meer (?:willen|hoeven) leven\b|\bgeen zin (?:meer )?(?:in|om) " + g(2) + r"(?:leven|te leven|wakker te worden|door te gaan|verder te gaan)\b|"
     r"\b(?:het|mijn|dit) leven (?:heeft|is) " + g(2) + r"(?:geen zin|zinloos|niks meer waard|niets meer waard|geen waarde)|"
     r"\b(?:het|mijn|dit) leven (?:\w+ )?(?:zat|beu|moe)\b|\bklaar met (?:het|mijn|dit) leven\b|"
     r"\b(?:alles|het allemaal|het) heeft (?:allemaal |echt |toch |gewoon )*geen zin meer\b(?! (?:om|te|als|dat|om te|meer om)\b)|"
     r"\bwaarom " + g(4) + r"(?:leven|doorgaan|door te gaan|te leven|verder leven)\b|"
     r"\bzin " + g(3) + r"om (?:nog )?(?:te leven|door te gaan|verder te gaan|wakker te worden)\b|"
     r"\bniet (?:meer|langer) (?:wil|wilt|willen|wou|hoeft|hoef|zou willen) (?:te )?leven\b|"
     r"\bwat heeft (?:het|mijn leven|het leven|dit leven) (?:allemaal )?(?:nog )?voor zin\b(?! om (?!te leven))|\bniet meer verder (?:willen|wil)\b|"
     r"\bwil (?:" + ADV + r")niet meer verder\b" + NONLIFE_AFTER, None),
    (SUICIDE, "suicide.er_niet_meer_zijn",
     r"\ber (?:" + ADV + r")niet (?:meer|langer) (?:te |willen |wil |wou |hoeven |hoef |kan |kunnen |zou |zou willen |"
     r"mag |hoeft |hoefde )zijn\b|"
     r"\b(?:wil|wou|wilde|willen|wens|zou)(?: ik)? (?:" + ADV + r")er (?:" + ADV + r")niet (?:meer|langer) "
     r"(?:\w+ )?(?:zijn|wezen|bestaan)\b|"
     r"\b(?:als|dat|zodra|wanneer) ik er (?:" + ADV + r")niet meer (?:ben|was|zou zijn|zijn)\b|"
     r"\b(?:wil|wou|willen) (?:" + ADV + r")niet (?:meer )?bestaan\b|\bniet (?:meer )?(?:te )?bestaan\b|"
     r"\b(?:nooit|niet) geboren (?:was|zijn|ben)\b|"
     r"\b(?:wil|wou|willen) (?:" + ADV + r")(?:voorgoed |voor altijd )?verdwijnen\b(?! uit (?:deze|die|de|het|dit|mijn) "
     r"(?:buurt|wijk|straat|stad|flat|huis|dorp|woning|portiek))|"
     r"\bvoorgoed (?:weg|verdwijnen|slapen|rust)\b|\bweg (?:van|uit) deze wereld\b|"
     r"\b(?:nooit|niet) meer wakker (?:worden|te worden|word|wordt)\b(?<!wordt)|"
     r"\bniet meer (?:wil|willen) (?:wakker worden|opstaan)\b|"
     r"\bhet hoeft " + g(2) + r"(?:voor mij|van mij|allemaal)\b " + g(2) + r"niet meer\b|"
     r"\bhoeft (?:voor mij|van mij) (?:\w+ ){0,2}niet meer\b|\bhoeft (?:het|t|alles) (?:" + ADV + r")(?:voor mij|van mij|allemaal) " + g(2) + r"niet meer\b|\b(?:het|alles) hoeft allemaal niet meer\b|"
     r"\bik wil (?:" + ADV + r")niet meer(?= \.|$| en | maar | want | ik | het | echt | sorry | hoor\b)|\bik (?:kan|kan het) en (?:ik )?wil (?:" + ADV + r")niet meer\b", None),
    (SUICIDE, "suicide.wil_dood",
     r"\b(?:wil|wou|wilde|willen|wens|wilt|hoop)(?: ik)? (?:" + ADV + r")(?:dood|sterven|doodgaan)\b(?! (?:gaan |zijn )?(?:van|door|aan)\b)|"
     r"\b(?:dood|sterven) (?:\w+ )?(?:wil|willen|wilt|wou|wenst)\b|"
     r"\b(?:was|ben|lag|zou|had) (?:ik|hij|zij|ze) (?:" + ADV + r")(?:maar|liever|beter)(?: \w+)? dood\b|"
     r"\b(?:liever|beter)(?: af)? dood\b|"
     r"\bdat ik (?:" + ADV + r")dood (?:was|ben|ga|zou|zijn|lag)\b(?! van)|"
     r"\bals ik dood (?:ben|was|ga|zou)\b(?! van)|"
     r"\bik ga (?:" + ADV + r")dood\b(?! (?:van|aan|door|om|bijna|als|haha|lol)\b)|"
     r"\bga ik (?:" + ADV + r")dood\b(?! (?:van|aan|door)\b)|"
     r"\bdenk\w* " + g(3) + r"aan (?:de dood|dood gaan|sterven|het einde|doodgaan)\b",
     r"\bik ga (?:bijna |nog |echt |zowat )*dood (?:van|aan)\b"),
    (SUICIDE, "suicide.mezelf_iets_aandoen",
     r"\b" + SELF + r" " + g(3) + r"(?:iets|wat|pijn|iets ergs|wat ergs|wat aan|iets aan|schade) " + g(2)
     + r"(?:aan ?(?:te )?doen|aandoe|aandoet|aangedaan|toe ?te brengen|doen|te doen|toebrengen|doe)\b|"
     r"\bik " + g(4) + r"(?:me|mij) (?:\w+ )?(?:iets|wat|iets ergs|wat ergs) (?:\w+ )?(?:aan ?(?:te )?doen|aandoe)\b|"
     r"\bdoe (?:ik )?(?:" + SELF + r"|me|mij) " + g(2) + r"(?:iets|wat|pijn) aan\b|"
     r"\b(?:doe|deed|doet) (?:ik )?" + SELF + r" " + g(1) + r"pijn\b|"
     r"\b" + SELF + r" " + g(3) + r"(?:van kant|dood ?(?:maken|te maken)|om zeep|ophangen|op te hangen|"
     r"verdrinken|te verdrinken|vergiftigen|te vergiftigen|dood ?schieten|overhoop|iets aandoen)\b|"
     r"\b(?:me|mij|mezelf|zich|zichzelf) " + g(2) + r"op ?(?:te )?hangen\b|\bhang (?:ik )?(?:me|mij|mezelf) " + g(3) + r"op\b|"
     r"\b(?:strop|touw|riem|kabel) " + g(3) + r"(?:om mijn nek|om zijn nek|om haar nek|klaar|gekocht|opgehangen|aan het plafond|aan de zolder|aan de balk)|"
     r"\bgas (?:\w+ )?open ?(?:te )?(?:zetten|draaien)\b", None),
    (SUICIDE, "suicide.self_harm",
     r"\bzelfbeschadig\w*|\bautomutil\w*|\bzelfverwond\w*|\bsnijwond\w* (?:\w+ )?(?:zelf|mezelf)|"
     r"\b(?:snij|snijd|snijdt|sneed|snijden|kras|krast|krassen|kraste|brand|brandt|bonk|bonkt|sla|slaat|"
     r"beschadig|beschadigt|verwond|verwondt|pijnig|bewerk|steek|prik) (?:ik )?" + g(2) + SELF + r"\b|"
     r"\b" + SELF + r" " + g(3) + r"(?:snijden|snij|snijd|sneed|gesneden|krassen|kras|gekrast|beschadigen|beschadigd|verwond|gebrand|"
     r"pijn doen|pijn te doen|te snijden|te krassen|branden|verwonden|slaan|te slaan)\b|"
     r"\b(?:in|op) (?:mijn|m|haar|zijn) (?:armen|arm|benen|been|polsen|pols|dijen|dij|buik|huid|onderarm\w*|bovenbenen) "
     + g(2) + r"(?:snij\w*|sneed|gesneden|kras\w*|gekrast|gebrand|branden|prikken)|"
     r"\b(?:snij\w*|sneed|gesneden|kras\w*|gekrast|snijden) " + g(3) + r"(?:in |op )?(?:mijn |m |haar |zijn )?"
     r"(?:armen|polsen|pols|benen|dijen|onderarm\w*|bovenbenen|huid)\b|"
     r"\bpolsen " + g(1) + r"(?:door ?snijden|doorsnijden|doorgesneden|door|open|opensnijden|snijden)\b|"
     r"\bhoofd " + g(1) + r"tegen de muur (?:bonk\w*|slaan|sla|slaat|bonken|rammen|ram|beuken)|"
     r"\b(?:bonk|bonken|sla|slaan|ram|rammen|beuk) " + g(2) + r"(?:mijn|m|zijn|haar) hoofd " + g(1) + r"tegen (?:de|een) muur\b|"
     r"\bsigaret\w* " + g(3) + r"(?:op|in) (?:mijn|m|haar|zijn) (?:arm|armen|huid|hand|been)|"
     r"\bscheermesje\w*", None),
    (SUICIDE, "suicide.pills",
     r"\b(?:pillen|pil|tabletten|medicijnen|medicatie|slaappillen|slaapmiddel\w*|paracetamol|"
     r"oxazepam|temazepam|diazepam|lorazepam|insuline|antidepressiva|strips|strip|doosjes|doosje|"
     r"pot|potje|potten|morfine|oxycodon|tramadol) " + g(3)
     + r"(?:gespaard|sparen|spaar|verzameld|verzamel|opgespaard|bewaard|bewaar|klaar|klaarliggen|"
     r"klaargelegd|klaar gelegd|klaar liggen|klaarleggen|opgepot|gehamsterd|hamster)\b|"
     r"\b(?:spaar|sparen|spaarde|verzamel|verzamelen|hamster|hamsteren|bewaar) " + g(3)
     + r"(?:pillen|tabletten|medicijnen|slaappillen|medicatie|paracetamol|oxazepam)\b|"
     r"\b(?:alle|al mijn|al de|al haar|al zijn|al z|allemaal|een hele|hele|de hele|al die|een handvol|"
     r"een pot|een doos|twee doosjes|een strip|een la vol|een zak|heel veel|te veel|teveel|zoveel|"
     r"tig|tientallen|30|40|50|100|een stapel|een berg) " + g(2)
     + r"(?:pillen|tabletten|medicijnen|medicatie|slaappillen|paracetamol|oxazepam|strips|strippen|"
     r"potje|doosje|doosjes|potjes) " + g(4)
     + r"(?:in ?nemen|in ?te nemen|slikken|te slikken|nemen|te nemen|ingenomen|geslikt|genomen|"
     r"opnemen|op te nemen|innam|slikte|nam|neem|slik|opeten|naar binnen)\b|"
     r"\b(?:slik|neem|nam|slikte|slikken|innemen|nemen) " + g(3)
     + r"(?:alle|allemaal|in een keer|in 1 keer|tegelijk|tegelijkertijd|teveel|te veel|een hele|de hele|al mijn) "
     + g(2) + r"(?:pillen|tabletten|medicijnen|medicatie|slaappillen|paracetamol|strips)\b|"
     r"\b(?:pillen|tabletten|medicijnen|slaappillen|paracetamol|medicatie) " + g(2)
     + r"(?:allemaal|in een keer|in 1 keer|tegelijk|tegelijkertijd) " + g(1)
     + r"(?:in ?nemen|in ?te nemen|slikken|te slikken|innam|slikte|nemen|te nemen|op)\b|"
     r"\boverdosis\b|\bover ?dosis\b|"
     r"\b(?:la|lade|kast|doos|zak|tas|pot|bak|kistje) (?:\w+ )?vol (?:met )?(?:pillen|medicijnen|tabletten|slaappillen|medicatie)\b|"
     r"\b(?:pillen|tabletten|medicijnen|slaappillen|medicatie) " + g(3) + r"(?:voor als|voor het geval|voor de dag dat|klaar voor)\b", None),
    (SUICIDE, "suicide.jump",
     r"\b(?:van|vanaf|af|uit|op|bovenop|over) (?:de |het |een |die |dat |deze |mijn |onze )?(?:\w+ )?"
     r"(?:flat|brug|dak|balkon|galerij|gebouw|toren|viaduct|parkeergarage|flatgebouw|raam|rots|klif|"
     r"rand|reling|hoogte|trap|verdieping|kerktoren|vensterbank|hoogbouw|dijk) " + g(4)
     + r"(?:springen|spring|springt|sprong|gesprongen|te springen|af ?springen|afspringen|storten|"
     r"te storten|naar beneden springen)\b|"
     r"\b(?:me|mij|mezelf|zich|zichzelf) (?:\w+ ){0,2}(?:van|vanaf|uit|voor|onder|in) (?:de|het|een|die|dat) (?:\w+ )?"
     r"(?:flat|brug|dak|balkon|galerij|gebouw|raam|trein|metro|tram|vrachtwagen|water|kanaal|diepte|viaduct|toren|reling) "
     r"(?:\w+ )?(?:gooien|te gooien|werpen|te werpen|storten|te storten|laten vallen|te laten vallen|laat vallen)\b|"
     r"\b(?:gooi|gooien|werp|werpen|laat|laten|stort|storten) (?:ik )?(?:me|mij|mezelf|zich|zichzelf) " + g(2) + r"(?:van|vanaf|uit|voor|onder|in)\b|"
     r"\b(?:spring|springen|springt|sprong|storten) " + g(4)
     + r"(?:van|vanaf|af|uit|over) (?:de |het |een |die |dat |deze |mijn )?(?:\w+ )?"
     r"(?:flat|brug|dak|balkon|galerij|gebouw|toren|viaduct|parkeergarage|raam|reling|rand|rots|klif)\b|"
     r"\b(?:voor|onder) (?:de|een|het) (?:trein|metro|tram|vrachtwagen|auto|bus|vrachtauto|sneltrein) "
     + g(3) + r"(?:springen|spring|springt|gaan liggen|liggen|lopen|gooien|stappen|te springen|"
     r"te gaan liggen|ga liggen|werpen|te werpen|zetten|fietsen|rijden)\b|"
     r"\b(?:spring|springen|springt|gooi|gooien|ga liggen|gaan liggen|liggen|loop|lopen|stap|stappen|werp|"
     r"werpen|rij|rijden) " + g(4) + r"(?:voor|onder) (?:de|een|het) (?:trein|metro|tram|vrachtwagen|sneltrein|"
     r"vrachtauto)\b|"
     r"\bop het spoor " + g(3) + r"(?:liggen|staan|lopen|gaan|zitten|springen)\b|"
     r"\b(?:ga|gaan|liggen|ligt|staat|sta|loopt|lopen|stond|stonden|lag|liep) " + g(2) + r"op (?:het|de) (?:spoor|rails)\b|"
     r"\b(?:in|het) (?:water|kanaal|gracht|rivier|zee) " + g(2) + r"(?:springen|lopen) " + g(2) + r"(?:en niet|nooit|om)\b|"
     r"\bwil (?:" + ADV + r")springen\b(?! (?:op|in) (?:de|het) (?:trampoline|zwembad|bad))", None),
    (SUICIDE, "suicide.beter_af_zonder_mij",
     r"\bbeter " + g(3) + r"zonder (?:mij|me)\b|\bzonder (?:mij|me) " + g(3) + r"beter\b|"
     r"\bniemand (?:zal|zou|gaat|gaan|zullen) (?:me|mij) " + g(2) + r"missen\b|"
     r"\bniemand (?:mist|mis) (?:me|mij)\b|\bniemand zou het merken als ik\b|"
     r"\b(?:ben|ben ik|voel me|voel ik me) (?:\w+ ){0,3}(?:een last|tot last|een blok aan het been) "
     r"(?:voor|van) (?:iedereen|mijn|m|jullie|de wereld|de mensen|mn)\b|"
     r"\bbeter (?:af |zijn |voor iedereen )?als ik (?:" + ADV + r")(?:er )?(?:niet (?:meer )?(?:ben|was|besta)|weg (?:ben|ga|was)|dood)\b|"
     r"\b(?:iedereen|ze|mijn \w+) (?:\w+ )?(?:is|zijn) beter af\b", None),
    (SUICIDE, "suicide.farewell",
     r"\bafscheidsbrie\w*|\bafscheidsbericht\w*|\bafscheidsvideo\w*|"
     r"\bafscheid (?:\w+ ){0,2}(?:van iedereen|van de wereld|van het leven|van mijn kinderen|van mijn familie)\b|"
     r"\b(?:laatste|laatst) (?:brief|bericht|berichtje|groet\w*) " + g(2) + r"(?:aan|voor) (?:iedereen|mijn|m|jullie)\b|"
     r"\bvaarwel (?:wereld|iedereen|allemaal)\b|\bmijn testament (?:al )?(?:geschreven|opgesteld|klaar)\b|"
     r"\bspullen (?:al )?(?:weggegeven|weg gegeven|verdeeld)\b", None),
    (SUICIDE, "suicide.niet_meer_zitten",
     r"\b(?:zie|zien|zag|ziet) (?:het|t|mijn leven|het leven|dit|alles) (?:" + ADV + r")(?:niet|nie) "
     r"(?:meer|langer) (?:\w+ )?zitten\b" + NONLIFE_AFTER + r"|"
     r"\b(?:het|t|alles|mijn leven) (?:" + ADV + r")niet meer (?:zien|zag) zitten\b" + NONLIFE_AFTER + r"|"
     r"\bgeen (?:uitweg|toekomst|uitkomst|hoop|licht|perspectief|reden) meer\b(?! (?:uit|voor|in|met|qua|bij) "
     + g(3) + NONLIFE + r")|"
     r"\bgeen (?:uitweg|toekomst|reden) (?:meer )?(?:voor mij|voor mezelf|om te leven|om door te gaan)\b", None),

    # ---- violence, abuse, threats
    (VIOLENCE, "violence.domestic_named",
     r"\b(?:huiselijk\w* geweld|huislijk geweld|partnergeweld|relationeel geweld|kindermishandeling|"
     r"ouderenmishandeling|eergerelateerd\w*|eerwraak|uithuwelijk\w*|gedwongen huwelijk|mensenhandel|"
     r"loverboy\w*|uitgehuwelijkt|uit te huwelijken|gedwongen (?:tot )?(?:seks|prostitutie)|incest|veilig thuis|seksueel (?:\w+ )?(?:misbruik\w*|geweld|"
     r"lastig ?gevallen|overschrijdend\w*|aangerand|benaderd)|misbruik (?:door|van) (?:mijn|haar|zijn|een|de) "
     + _PERSON_WORDS + r"|aanranding|verkrachting\w*|blauwe plekken|pak slaag|vuistslag\w*|"
     r"stalk\w*|wordt mishandeld|mishandeling|geweld (?:thuis|in huis|van mijn|van haar|van zijn|door mijn)|"
     r"thuis (?:\w+ ){0,2}geweld|gewelddadig\w*|agressief naar (?:mij|me|ons|de kinderen|mijn))\b", None),
    (VIOLENCE, "violence.slaat_mij",
     r"\b" + VIOL_VERB + r" " + g(3) + VICTIM + r"\b" + THREAT_EXCL + r"(?! (?:nog eens|ooit|eens)\b)",
     r"\bik (?:sla|schop|trap|mep|wurg|vermoord) |\b(?:zoon|dochter|kind|broertje|zusje) " + g(3) + r"(?:slaat|schopt|duwt|bijt) "
     r"(?:zijn|haar) (?:zusje|broertje|broer|zus)\b"),
    (VIOLENCE, "violence.persoon_slaat",
     r"\b(?:" + PERSON + r") " + g(3) + r"(?:slaat|sloeg|schopt|schopte|mishandelt|mishandelde|wurgt|wurgde|"
     r"bedreigt|bedreigde|verkracht|verkrachtte|misbruikt|misbruikte|tuigt|stompt|stompte|"
     r"knijpt|kneep|trapt|trapte|duwt|duwde|mept|mepte|sluit|sloot|timmert|beukt|martelt)\b" + THREAT_EXCL
     + r"(?! (?:de|een|het|die) (?:bal|deur|plank|hamer|spijker|maat|beat|trommel|kussen|alarm|tent|boel|andere? kind\w*|"
     r"klasgenoot\w*|kinderen op school|jongen op school)\b)(?! " + g(3) + r"(?:op school|in de klas|nergens op|aan het rollen))",
     r"\b(?:kind|zoon|dochter|kinderen|broertje|zusje)\b " + g(3) + r"(?:slaat|schopt|duwt|bijt|trapt|slaan|schoppen) " + g(3)
     + r"(?:ander\w* kind\w*|kinderen|klasgenoot\w*|op school|in de klas|op het schoolplein)\b"),
    (VIOLENCE, "violence.wordt_geslagen",
     r"\b(?:word|wordt|worden|werd|werden|ben|is|zijn|was|waren|heeft|hebben|had|hadden|heb|zit|zat|raak|raakt|krijg|krijgt) "
     + g(5) + r"(?<!alarm )(?<!hol )(?<!vlucht )(?<!twijfel )" + VIOL_PART + r"\b"
     + r"(?! met (?:\w+ ){0,2}(?:beslag|ontruiming|afsluit\w*|boete\w*|incasso\w*|rechtszaak|deurwaarder|uitzetting))|"
     r"\b" + VIOL_PART + r" (?:wordt|word|worden|werd|werden|is|zijn|ben|heeft|hebben|had)\b",
     r"\b(?:op school|klasgenoot\w*|klasgenoten|schoolplein|in de klas|gepest|pesten|pestkop\w*)\b|"
     r"\b(?:gegevens|data|naam|identiteit|account|digid|pas|rekening|bankpas|systeem|regeling|"
     r"vertrouwen|uitkering|toeslag)\w* " + g(3) + r"(?:misbruikt|opgesloten)\b|\buit\w* (?:het huis|de woning) "
     + r"(?:\w+ ){0,3}gesloten|\bbuiten ?gesloten\b"),
    (VIOLENCE, "violence.doet_pijn",
     r"\b(?:" + PERSON + r") " + g(2) + r"(?:doet|deed|doen|deden) (?:\w+ )?(?:me|mij|ons|haar|de kinderen|mijn \w+) "
     r"(?:\w+ )?pijn\b|"
     r"\b(?:me|mij|ons) (?:\w+ ){0,2}(?:slaat|schopt|mishandelt|wurgt|trapt|stompt|verkracht|misbruikt|bedreigt|sloeg|"
     r"schopte|trapte|mishandelde|wurgde|bedreigde|slaan|schoppen)\b" + THREAT_EXCL + r"|"
     r"\b(?:trekt|trok|sleurt|sleurde|trekken|sleuren) (?:\w+ ){0,2}(?:aan|bij) (?:mijn|haar|zijn) haren\b",
     r"\bik (?:sla|schop|trap) "),
    (VIOLENCE, "violence.locked_up",
     r"\b(?:houdt|hield|houden|sluit|sloot|sluiten) (?:me|mij|ons|haar|de kinderen|mijn \w+) " + g(2) + r"(?:opgesloten|gevangen|op(?= |$))\b|"
     r"\b(?:mag|mogen) (?:\w+ )?(?:niet|nooit) (?:meer )?(?:naar buiten|de deur uit|alleen weg|alleen de deur uit|weg van hem|weg van haar)\b",
     r"\b(?:dokter|arts|ziek|koorts|corona|quarantaine|huisarrest|straf)\b"),
    (VIOLENCE, "violence.zit_aan_mij",
     r"\b(?:zit|zitten|zat|zaten|komt|kwam) " + g(2) + r"aan (?:me|mij|mijn (?:lichaam|borsten|kruis|billen|kont|"
     r"dochter|zoon|kind|benen|piemel|plassertje|onderbroek)|haar lichaam|zijn lichaam)\b|"
     r"\baan (?:me|mij) (?:\w+ )?(?:zitten|zit|zat|te zitten|gezeten|friemelen|plukken)\b|"
     r"\b(?:raakt|raakte|aanraakt|aanraken|aangeraakt|betast|betasten|betastte) " + g(3)
     + r"(?:ongewenst|op plekken|waar het niet mag|onzedelijk|in mijn kruis|onder mijn kleren|tussen mijn benen|"
     r"aan op|aan terwijl|mijn borsten|mijn billen|mijn kont)|"
     r"\bongewenst (?:aangeraakt|aanraken|betast|gezoend)|\bongewenste intimiteit\w*|"
     r"\b(?:komt|kwam|sluipt) " + g(2) + r"(?:snachts|s nachts|nachts|in de nacht) " + g(3) + r"(?:in|naar|op) "
     r"(?:mijn|haar|zijn) (?:bed|kamer|slaapkamer)\b|"
     r"\b(?:moet|moest|dwingt|dwong|gedwongen) " + g(3) + r"(?:seks|dingen doen die ik niet wil|aan hem zitten|"
     r"aan haar zitten|uitkleden|naakt)", None),
    (VIOLENCE, "violence.durf_niet_naar_huis",
     r"\bdurf\w* " + g(2) + r"(?:niet|nie) (?:meer )?(?:naar huis|thuis|terug naar huis|naar binnen|"
     r"huis in|thuis te komen|thuis te slapen|naar mijn huis|terug|meer naar huis)\b|"
     r"\b(?:ben|is|zijn|zijn we|ben ik|voel me|voel ik me|voelen we ons) " + g(2) + r"(?:niet veilig|onveilig) "
     r"(?:thuis|in huis|in mijn huis|bij hem|bij haar|bij mijn)\b|"
     r"\b(?:thuis|in huis) (?:\w+ )?(?:niet veilig|onveilig)\b|\bthuis (?:is het|voel ik me|ben ik|zijn we) (?:\w+ )?(?:niet veilig|onveilig)\b|"
     r"\bbang " + g(2) + r"voor (?:mijn|m|haar|zijn|onze) (?:\w+ )?(?:man|vrouw|vriend|partner|ex|exman|exvrouw|"
     r"echtgenoot|vader|moeder|stiefvader|stiefmoeder|pa|broer|zoon|vriendin)\b|"
     r"\bbang (?:dat|als) (?:hij|zij|ze|mijn \w+) " + g(5) + r"(?:slaat|vermoordt|iets aandoet|aandoet|doodmaakt|"
     r"dood maakt|pijn doet|terugkomt|me vindt|mij vindt|ons vindt|weer slaat|ontploft|losgaat|me pakt|"
     r"slaan|vermoorden)\b|"
     r"\bgevlucht " + g(3) + r"(?:voor|van) (?:mijn|m|haar|zijn|hem|haar)\b|\bvlucht\w* voor (?:mijn|hem|haar)\b|"
     r"\b(?:ontsnapt|gevlucht|weggelopen) (?:\w+ )?(?:van huis|uit huis)\b|"
     r"\bblijf\w* van mijn lijf\b|\bvrouwenopvang\b|\bopvanghuis\b", None),
    (VIOLENCE, "violence.beating",
     r"\bklappen (?:\w+ )?(?:krijgen|krijgt|kreeg|krijg|geven|geeft|gaf|gehad|gekregen|uitdelen|uitgedeeld)\b|"
     r"\b(?:geeft|gaf|geven|krijgt|krijg|kreeg|gekregen|deelt|deelde) " + g(3) + r"(?:klappen|een pak slaag|slaag|"
     r"een vuistslag|een trap|trappen|een knal|een dreun|een oplawaai|een mep|een klap (?:in|op|tegen) (?:mijn|m|haar|zijn|het) "
     r"(?:gezicht|hoofd|oor|kop))\b|"
     r"\b(?:bij|om) (?:mijn|m|haar|zijn|de) (?:keel|nek) (?:\w+ )?(?:gegrepen|gepakt|gegrepen|dichtgeknepen|"
     r"dichtknijpt|dichtgedrukt|geknepen|grijpt|pakt|vast)|"
     r"\b(?:keel|nek) (?:\w+ )?(?:dichtgeknepen|dicht geknepen|dichtknijpt|dichtgedrukt|dicht gedrukt|"
     r"dichtgeknepen)|\bhanden om (?:mijn|m|haar|zijn) (?:keel|nek)\b|"
     r"\b(?:gooit|gooide|smijt|smeet) " + g(3) + r"(?:naar|tegen|op) (?:me|mij|ons|mijn hoofd|haar|de kinderen)\b|"
     r"\btegen de (?:muur|grond|vloer|kast) (?:\w+ )?(?:geduwd|gesmeten|gegooid|geslagen|gedrukt|geramd|aan)\b|"
     r"\b(?:aan|bij) (?:mijn|m|haar|zijn) haren (?:\w+ )?(?:getrokken|gesleurd|trekt|sleurt|trok|sleurde)", None),
    (VIOLENCE, "violence.threat",
     r"\b(?:" + PERSON + r") " + g(3) + r"(?:bedreigt|bedreigde|bedreigen)\b" + THREAT_EXCL + r"|"
     r"\b(?:" + PERSON + r") " + g(3) + r"(?:dreigt|dreigde|dreigen)" + THREAT_EXCL + r" (?:me|mij|ons|steeds|elke dag|de hele tijd|"
     r"dat (?:hij|ze|zij)|met)\b(?! (?:me|mij|ons) (?:\w+ ){0,3}(?:af te sluiten|eruit te zetten|"
     r"uit (?:mijn|het|ons) huis te zetten|te korten|stop te zetten))|"
     r"\bbedreig\w* (?:me|mij|ons|haar|mijn \w+)\b" + THREAT_EXCL + r"|"
     r"\bdreig\w* " + g(2) + r"met (?:een |het |zijn |haar )?(?:mes|messen|geweld|slaan|wapen|pistool|vuurwapen|"
     r"klappen|de dood|moord|geweer|bijl|hamer|doodslaan|vermoorden)\b|"
     r"\b(?:ik|wij|we) (?:word|worden|werd|ben|zijn) " + g(2) + r"(?:bedreigd|gestalkt|achtervolgd|opgewacht|"
     r"belaagd|lastig ?gevallen) (?:door|van) (?:mijn|m|haar|zijn|een|de) (?:\w+ )?"
     r"(?:ex|man|vrouw|vriend|partner|vader|moeder|stiefvader|broer|exman|exvrouw)\b|"
     r"\b(?:ex|exman|exvrouw|exvriend|exvriendin|ex vriend|ex vriendin) " + g(4) + r"(?:staat voor (?:mijn|de) deur|"
     r"wacht me op|achtervolgt|volgt me|komt me halen|vindt me|weet waar ik woon|bedreigt|dreigt|"
     r"slaat|schopt|stalkt)\b",
     None),
    (VIOLENCE, "violence.kind_in_gevaar",
     r"\b(?:kind|kinderen|baby|kindje|kids|jongetje|meisje|buurjongen|buurmeisje|zoontje|dochtertje) "
     + g(6) + r"(?:verwaarloosd|verwaarlozing|mishandeld|geslagen|geschopt|opgesloten|uitgehongerd|"
     r"geen eten krijgt|geen eten krijgen|alleen gelaten|vastgebonden|blauwe plekken|brandwonden)\b|"
     r"\bverwaarlo\w* " + g(4) + r"(?:kind|kinderen|baby|kindje)\b|"
     r"\b(?:hoor|horen|hoorde|hoorden) " + g(6) + r"(?:slaan|klappen|gillen|krijsen|huilen|schreeuwen) "
     + g(5) + r"(?:slaan|klappen|pijn|help|au|slagen|mishandel\w*|geslagen)\b",
     r"\b(?:op school|klasgenoot\w*|klasgenoten|schoolplein|in de klas|gepest|pesten|pestkop\w*)\b"),

    # ---- emergencies happening now
    (EMERGENCY, "emergency.fire",
     r"\b(?:er is|er is hier|het is|is er|er woedt|grote|uitslaande|zware) " + g(1) + r"brand\b|"
     r"\bbrand\b(?! (?:op|in) (?:mijn|m|de) (?:maag|keel|ogen|huid|borst)\b)(?!stof)(?! (?:een|de|het) (?:kaars\w*|lamp\w*|wierook|lichtje\w*))|"
     r"\bin (?:de )?brand\b|\bin de (?:fik|hens)\b|\bfikkie\b|\bvlam (?:gevat|vatten|vat)\b|"
     r"\bvlammen\b|\b(?:huis|flat|woning|keuken|auto|schuur|gebouw|pand|portiek|kamer|zolder|container|"
     r"balkon|dak|meterkast|trappenhuis|galerij|garage|berging|scooter|bus|schuurtje|winkel|school|"
     r"bovenburen|benedenburen) (?:\w+ )?(?:brandt|branden|staat in brand|staan in brand|in brand|vat vlam|vatte vlam)\b|"
     r"\b(?:ruik|ruiken|rook|roken|ik ruik|ruikt) " + g(2) + r"(?:brand|brandlucht|rook|schroeilucht|verbrand)\b|"
     r"\bbrandlucht\b|\bschroeilucht\b|\b(?:er komt|komt er|kwam er|er kwam|er hangt|hangt er) " + g(2) + r"rook\b|"
     r"\b(?:veel|dikke|zwarte|grijze|witte|dichte) rook\b|"
     r"\brook " + g(3) + r"(?:uit|onder|door|in|op) (?:de |het |ons |mijn |onze |hun )?(?:\w+ )?(?:deur|raam|ramen|flat|"
     r"woning|huis|trappenhuis|portiek|gang|galerij|dak|keuken|meterkast|kamer|gebouw|lift|ventilatie|stopcontact|"
     r"kelder|schuur|garage|berging|hal)\b|"
     r"\brookmelder\w* " + g(3) + r"(?:gaat af|gaan af|afgaan|af gaan|ging af|loeit|loeien|alarm|piept en ik ruik)\b|"
     r"\bbrandweer\b|\bbrandalarm\b",
     r"\b(?:kaars\w*|lamp\w*|licht|verlichting|lantaarn\w*|kachel|houtkachel|open haard|vuurkorf|barbecue|bbq|"
     r"sigaret\w*|joint\w*|wiet|stoken|stookt|kampvuur|wierook|brandstof|brand op (?:mijn|m) maag|brandend maagzuur|"
     r"openhaard|brandweer\w*kazerne|open dag|brandverzekering|brandgang|brandtrap|brandgevaar\w*|brandrisico|"
     r"zorgen over brand|kans op brand|gevaar (?:voor|op) brand|bang voor brand|risico op brand|brandveilig\w*)\b"),
    (EMERGENCY, "emergency.gas_leak",
     r"\b(?:ruik|ruiken|rook|ruikt|stinkt|stinken|lucht|geur) " + g(3) + r"(?:naar )?gas\b|\bgaslucht\w*|\bgasgeur\w*|"
     r"\bgaslek\w*|\bgas " + g(2) + r"(?:lek|lekt|lekken|ontsnapt|stroomt|ruiken|ruik|ruikt|stinkt|sist)\b|"
     r"\bkoolmonoxide\w*|\bco (?:melder|alarm|vergiftiging)\w*|\bcomelder\w*|\bkoolmonoxidemelder\w*|"
     r"\bgasfles\w* " + g(3) + r"(?:lek|lekt|brand|ontploft|ontploffen)", None),
    (EMERGENCY, "emergency.unconscious",
     r"\bbewusteloos\w*|\bbuiten bewustzijn\b|\bniet (?:meer )?bij bewustzijn\b|\bbuiten westen\b|"
     r"\bflauw ?gevallen\b|\b(?:zakte|zakt|zakken|zakten) " + g(2) + r"in elkaar\b|\bvalt flauw\b|\bin elkaar (?:gezakt|gezakte|zakt)\b|\bineengezakt\b|\bonwel\b|"
     r"\b(?:ademt|ademde|ademen) (?:\w+ )?(?:niet|nauwelijks|bijna niet|amper|heel raar|raar|niet meer)\b|"
     r"\b(?:haalt|haal|halen|krijgt|krijg|kreeg) (?:\w+ )?(?:geen|nauwelijks|amper) (?:adem|lucht)\b|"
     r"\bgeen ademhaling\b|\b(?:kan|kon|kunnen) " + g(2) + r"(?:niet|geen) (?:meer )?(?:ademen|adem halen|lucht krijgen)\b|"
     r"\b(?:reageert|reageerde|beweegt|bewoog) (?:nergens op|niet (?:meer )?(?:op aanspreken|als ik|en|wakker)|helemaal niet meer)\b|"
     r"\b(?:ligt|lag|zit|gevallen|gezakt|gevonden|zien liggen) " + g(6) + r"(?:reageert|beweegt|reageerde|bewoog|ademt) "
     + g(1) + r"(?:niet|nergens)\b|"
     r"\b(?:krijg|krijgen|kreeg|kregen) (?:\w+ ){0,2}(?:niet|nie) (?:meer )?wakker\b|\bwordt niet (?:meer )?wakker\b|"
     r"\bniet (?:meer )?wakker te krijgen\b|\bblauw aangelopen\b|\bblauwe lippen\b|\bgeen hartslag\b|\bgeen pols\b|"
     r"\b(?:iemand|een man|een vrouw|een jongen|een meisje|een kind|man|vrouw|persoon|oude man|oude vrouw|"
     r"oudere man|oudere vrouw|mijn \w+|de buurman|de buurvrouw|zwerver|dakloze|jongen|meisje) (?:ligt|lag) "
     + g(4) + r"(?:op de grond|op straat|in het portiek|in de portiek|op de stoep|in de gang|in de lift|op de trap|"
     r"in de sloot|in het water|onder|levenloos|roerloos|stil|in een plas|op de galerij|in de bosjes|op het fietspad|"
     r"in de badkamer|op de vloer|al uren)\b|"
     r"\b(?:ligt|lag|liggen|gevallen|gevonden) " + g(6) + r"(?:niet|nergens) (?:meer )?(?:beweegt|reageert|ademt|op reageert|bewoog|reageerde)\b",
     r"\b(?:gemeente|ambtenaar|medewerker|instantie|loket|belastingdienst|corporatie|verhuurder|deurwaarder|"
     r"woningbouw|niemand|schuldhulp|mail|brief|telefoon)\w* " + g(3) + r"reageert\b|"
     r"\b(?:paniek\w*|angst\w*|drukke|drukte|stress|benauwd als|in de winkel)\b"),
    (EMERGENCY, "emergency.medical",
     r"\b(?:hartaanval|hartstilstand|hartinfarct|herseninfarct|beroerte|hersenbloeding|epileptische aanval|"
     r"epilepsie ?aanval|stuipen|insult|reanim\w*|aed|anafylact\w*|allergische (?:reactie|shock)|"
     r"pijn op de (?:borst|borstkas)|scheve mond|stikt|stikken|verstikt|verstikking|verslikt|"
     r"vergiftig\w*|gifinformatie|ambulance\w*|112|spoedeisende hulp|traumaheli|trauma heli|"
     r"zwaargewond\w*|ernstig gewond|erg gewond|gewond\w*|gewonden|onder het bloed|plas bloed|veel bloed|"
     r"overal bloed|bloed overal|bloedspoor|slagaderlijk\w*|levensgevaar\w*|doodsnood|noodgeval\w*|"
     r"aangereden|overreden|aanrijding|ongeluk gebeurd|ongeval|te water|verdronken|onderkoeld\w*|"
     r"onder stroom|elektrocut\w*|geëlektrocuteerd|geelektrocuteerd|ingeslikt)\b|"
     r"\b(?:bloedt|bloeden|bloedde|bloedend) " + g(2) + r"(?:erg|hevig|enorm|veel|heftig|flink|zwaar|rund|hard|"
     r"overal|niet te stoppen|stopt niet|uit|heel|zo|nog|als een gek)\b|"
     r"\b(?:stopt|stop) (?:niet )?(?:met )?bloeden\b|"
     r"\b(?:verdrinkt|verdrinken|verdrinking|verdronk)\b(?! (?:in|onder) (?!(?:de |het )?(?:water|sloot|kanaal|gracht|"
     r"zwembad|zee|meer|rivier|vijver|plas|haven))\w+)|"
     r"\b(?:auto|kind|kindje|man|vrouw|iemand|persoon|jongen|meisje|peuter|hond) (?:\w+ )?(?:ligt|lag|drijft|dreef|zit|zat) (?:\w+ )?in (?:het|de) "
     r"(?:water|kanaal|gracht|sloot|vijver|rivier|haven)\b|"
     r"\b(?:ligt|lag|drijft|dreef) (?:er )?(?:een |de |het )?(?:auto|kind|kindje|man|vrouw|iemand|persoon|jongen|meisje|peuter|lichaam) "
     r"(?:\w+ )?in (?:het|de) (?:water|kanaal|gracht|sloot|vijver|rivier|haven)\b|"
     r"\b(?:van|vanaf|uit) (?:de|het|een) (?:trap|balkon|dak|ladder|raam|steiger|galerij) (?:\w+ )?(?:gevallen|gestort|gedonderd|gevlogen|afgevallen)\b|"
     r"\b(?:roept|roepen|riep|schreeuwt|schreeuwen|gilt|gillen|gilde) (?:\w+ ){0,2}om hulp\b|"
     r"\b(?:staat|zit|staan|zitten|hangt|klimt|klom) " + g(3) + r"(?:op|over|aan) (?:de|het) (?:rand|reling|leuning|buitenkant|randje|verkeerde kant)\b|"
     r"\b(?:in|uit) (?:het|de) (?:water|sloot|kanaal|gracht|vijver|rivier|zee|meer|haven|zwembad) "
     + g(2) + r"(?:gevallen|gereden|gesprongen|geraakt)\b|\b(?:gevallen|gereden) " + g(1) + r"in (?:het|de) "
     r"(?:water|sloot|kanaal|gracht|vijver|rivier|haven)\b|"
     r"\b(?:gevallen|valt|viel) " + g(3) + r"(?:van|uit|vanaf) (?:de|het|een) (?:trap|balkon|dak|ladder|raam|"
     r"steiger|galerij|hoogte)\b|"
     r"\b(?:gevallen|gevallen en) " + g(3) + r"(?:kan|kon|komt) " + g(1) + r"niet (?:meer )?(?:op|opstaan|overeind)\b|"
     r"\b(?:ligt|zit) (?:\w+ )?(?:onder|bekneld|klem) (?:de|een|het) (?:auto|trein|tram|bus|vrachtwagen|kast|"
     r"steiger|puin)\b|\bbekneld\b|"
     r"\bbellen? " + g(2) + r"(?:ambulance|112|hulpdiensten|dokterspost|huisartsenpost|spoed)\b|"
     r"\b(?:heeft|hebben|heb) " + g(3) + r"(?:gedronken|ingeslikt|doorgeslikt|opgegeten|gegeten|binnengekregen) "
     + g(2) + r"(?:pillen|gif|bleek|chloor|schoonmaakmiddel|ontstopper|batterij\w*|rattengif|wasmiddel|vaatwastablet\w*)|"
     r"\b(?:pillen|gif|bleek|chloor|schoonmaakmiddel|ontstopper|batterij\w*|rattengif|wasmiddel|vaatwastablet\w*) "
     + g(3) + r"(?:gedronken|ingeslikt|doorgeslikt|opgegeten|binnengekregen|gegeten)\b|"
     r"\bom hulp (?:roepen|roept|riep|schreeuwen|schreeuwt|schreeuwde|gillen|gilt|gilde)\b|"
     r"\b(?:vermist|ontvoerd|ontvoering|gijzel\w*|gegijzeld)\b",
     r"\bhartaanval (?:\w+ )?van\b|\b(?:sinds|na|door|gehad) (?:een |mijn |haar |zijn |de )?(?:\w+ )?(?:beroerte|hartaanval|hersenbloeding|herseninfarct|hartinfarct|ongeluk|ongeval|aanrijding|insult|epileptische aanval)\b|"
     r"\b(?:cjib|lijfsdwang|gijzeling (?:door|van|vanwege|wegens))|\bdreig\w* met gijzeling|\bstik\w* (?:\w+ )?(?:van|om|bijna van)\b|\bom te stikken\b|"
     r"\bverdrink\w* in (?:de |mijn |al |al die |al mijn )?(?:\w+ )?(?:schulden|rekeningen|papieren|post|brieven|"
     r"zorgen|werk|problemen|stress|regels|formulieren|administratie)\b|"
     r"\b(?:geen|een|de|mijn) ongeluk\w* (?:verzekering|uitkering)|\bongevallenverzekering\b|"
     r"\b(?:ambulance\w*|sirene\w*) " + g(3) + r"(?:herrie|lawaai|geluid|sirene\w*|rijden|rijdt|door de straat)\b|"
     r"\bgewond (?:geraakt )?(?:vorig|vorige|een tijd|jaren|lang)\b|\bkinderen zijn gevallen op school\b|"
     r"\b(?:fiets|auto|scooter|pakket|portemonnee|kat|poes|brief|pas|hond|sleutel\w*|papieren|post) " + g(4) + r"vermist\b"),
    (EMERGENCY, "emergency.weapon",
     r"(?<!als een )(?<!net een )(?<!zoals een )(?<!net als een )(?<!soort )(?<!onder het )\b"
     r"(?:mes|messen|pistool|pistolen|vuurwapen\w*|wapen|wapens|geweer|geweren|machete\w*|kalasj\w*|bijl|"
     r"honkbalknuppel\w*|knuppel|boksbeugel\w*|taser|alarmpistool|revolver|slagersmes|keukenmes|vleesmes|"
     r"stanleymes|zakmes|steekwapen\w*|handgranaat|granaat|explosie\w*|explosief\w*|ontploffing|bom)\b"
     r"(?! (?:snijdt aan twee kanten|op de keel|als|alarm|vol))|"
     r"\b(?:steekpartij|steekincident|neergestoken|gestoken|steekwond\w*|schietpartij|schietincident|"
     r"neergeschoten|beschoten|doodgeschoten|geschoten|schoten|schoot|schieten|schiet|vechtpartij|knokpartij|"
     r"massale vechtpartij|ontploft|opgeblazen|steekt (?:hem|haar|me|iemand|mensen))\b",
     r"\bvuurwerk|\bknalvuurwerk|\bcobra\w*|\bnitraat|\bknallers?\b|\bpijlen\b|\bvuurpijl\w*|\boud ?(?:en|&) ?nieuw|"
     r"\boudjaar|\bkogelbiefstuk|\bwaterpistool|\bspeelgoed ?(?:pistool|geweer|wapen)|\bschiet\w* (?:\w+ )?(?:voor|door) "
     r"(?:de|het) (?:zon|boeg|hoofd)|\bschiet (?:\w+ )?(?:niet|niks|weinig) op\b|\b(?:geschoten|schoten) (?:in de|naar de) (?:lucht)?\b(?=.*vuurwerk)|"
     r"\bschoten\b(?=.*\b(?:vuurwerk|knallers?)\b)|\bboterham\w*|\bbestek\b|\bkeuken (?:spullen|gerei)\b|"
     r"\b(?:vorig jaar|jaren geleden|vroeger) " + g(3) + r"(?:gestoken|geschoten)|\bgestoken door (?:een|de) (?:wesp|bij|mug)|"
     r"\b(?:wesp|bij|mug|kwal)\w* " + g(3) + r"gestoken|\bin de (?:schulden|kosten) gestoken|\bgestoken in\b|\bgeld " + g(2)
     + r"gestoken|\btijd " + g(2) + r"gestoken|\bin elkaar gestoken|\b(?:tong|tongen) " + g(2) + r"gestoken|\bbom (?:geld|duiten)|\bbommetje\b"),
    (EMERGENCY, "emergency.break_in",
     r"\b(?:wordt|word|worden|is|zijn|werd|was) " + g(3) + r"(?:ingebroken|ingebroke|in gebroken|overvallen|beroofd)\b|"
     r"\binbreker\w*|\baan het inbreken\b|\bbezig (?:met )?in te breken\b|"
     r"\b(?:deur|voordeur|achterdeur|raam|ramen|balkondeur) (?:\w+ )?(?:intrappen|intrapt|ingetrapt|in trappen|inbeuken|forceren|"
     r"geforceerd|openbreken|opengebroken|open breken|inslaan|ingeslagen|ingegooid)\b|\binbraak " + g(2) + r"(?:bezig|gaande|nu|aan de gang|op dit moment)\b|"
     r"\b(?:probeert|proberen|probeerde|proberen) " + g(4) + r"(?:in te breken|open te breken|binnen te komen|"
     r"in te trappen|open te wrikken|open te maken|te forceren|open te breken)\b|"
     r"\b(?:er is|er zijn|er zit|er zitten|er loopt|er lopen|er staat|er staan|er sluipt) (?:iemand|mensen|een man|mannen|vreemden|"
     r"een vreemde|een vreemde man|een inbreker) (?:\w+ )?(?:in (?:mijn|ons|het) (?:huis|woning|slaapkamer|schuur|tuin)|in huis)\b|"
     r"\baan (?:de|mijn|onze|het) (?:deur|voordeur|achterdeur|raam|ramen|slot|balkondeur) (?:te )?(?:rammelen|morrelen|wrikken|"
     r"breken|forceren|peuteren)\b|"
     r"\bbreekt (?:\w+ )?in\b|\bbreken (?:\w+ ){0,2}in\b|\b(?:trapt|trappen|rammen|ramt|beukt|beuken) "
     + g(2) + r"(?:de |mijn |onze )?(?:deur|voordeur|achterdeur|raam) (?:\w+ )?(?:in|open)\b|"
     r"\b(?:iemand|mensen|een man|mannen|een vreemde|vreemden|een vreemde man|inbrekers?) (?:\w+ )?(?:is|zit|zijn|zitten|staat|staan|loopt|lopen|sluipt|sluipen) "
     r"(?:\w+ )?(?:in (?:mijn|ons|het) (?:huis|woning|slaapkamer|schuur)|in huis|bij (?:ons|mij) binnen|binnen in (?:mijn|ons|het) huis|"
     r"aan (?:de|mijn|onze) (?:deur|ramen|raam|achterdeur) (?:te )?(?:rammelen|morrelen|wrikken|breken))\b|"
     r"\b(?:morrelt|morrelen|wrikt|wrikken|rammelt) " + g(3) + r"(?:aan|bij) (?:de|mijn|onze) (?:deur|voordeur|achterdeur|"
     r"raam|ramen|slot)\b|\boverval\w*|\bstraatroof\w*|\bberoving\w*|\bgewapend\w*",
     r"\binbraakpreventie|\bpolitiekeurmerk|\bvorig (?:jaar|maand)|\bvorige (?:week|maand)|\bverzekering\w*|"
     r"\b(?:mijn|de) (?:auto|fiets|schuur|scooter) (?:is|werd|wordt) (?:\w+ )?(?:ingebroken|opengebroken)|"
     r"\bbinnen (?:de|een|twee|drie|vier|vijf|zes) (?:dagen|weken|maanden)|\bbinnen te komen (?:voor|bij) (?:de|het|een) "
     r"(?:meting|reparatie|onderhoud|afspraak|controle)"),
]


_RULES = tuple(
    (intent, reason, re.compile(pattern), re.compile(suppress) if suppress else None)
    for intent, reason, pattern, suppress in _RULES_SRC
)


def detect_crisis(text: str) -> CrisisMatch | None:
    """The crisis intent this message signals, or None. Never fails on odd input."""
    if not text or not text.strip():
        return None
    for variant in normalise(text):
        for intent, reason, pattern, suppress in _RULES:
            if not pattern.search(variant):
                continue
            if suppress is not None and suppress.search(variant):
                # The suppressing context only cancels this rule when no match is left
                # outside of it (e.g. "vuurwerk" around a real "mes").
                if not _match_outside(pattern, suppress, variant):
                    continue
            return CrisisMatch(intent=intent, reason=reason)
    return None


def _match_outside(pattern: re.Pattern[str], suppress: re.Pattern[str], text: str) -> bool:
    """Whether the rule still matches in a sentence that has no suppressing context."""
    for sentence in text.split(" . "):
        if pattern.search(sentence) and not suppress.search(sentence):
            return True
    return False
