"""The decision: what to do with one resident message. Pure: no database, no network, no clock.

The switchboard gathers what the decision needs (a `Turn`: the text, a snapshot of the
conversation, the desk's status and the crisis net's finding), calls `decide`, and carries out
the `Decision` it gets: store and deliver the replies, join the queue, record need events.

    decide(turn)              -> a final Decision, or one with `ask_assistant` set:
    decide(turn, assistant)   -> the final Decision, given the assistant's answer (Rasa's parse
                                 and replies, or ASSISTANT_DOWN when Rasa could not be reached).

Rules, in order:
1. The crisis net's finding wins: the crisis answer first, then a person (urgent), honest about
   when one reads along.
2. A person has the conversation (with_human): the message is for them; the resident hears from
   the assistant only when the worker has been quiet for a while (never left alone).
3. A resident who does not write Dutch gets a fixed text in their language (bot/language.py).
4. Everything else is asked of the assistant. While the resident waits for a person, the
   assistant still answers practical questions; anything else gets "your message is ready for
   the worker" and when that is.
5. The assistant's answer stands, unless it states a need as a fact on too little evidence
   (short or vague messages): then a warm open question with the themes and a person on offer.
6. A person is asked for when the assistant's actions say so, when the model sees a crisis, when
   a need comes with words that ask for a person, or after two turns not understood.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


from bot.lifecycle import HUMAN_STATES, State
from bot.rasa import BotReply, Conversed
from bot.responses import response, response_in
from bot.safety import CrisisMatch
from bot.safety.reply import crisis_reply
from bot.taxonomy import CRISIS_INTENTS, NEED_THEMES, contract_intent, themes_by_intent
from bot.yamlfile import read_yaml

LEXICON_PATH = Path(__file__).with_name("lexicon") / "ask_person.yml"

# Below these, the assistant does not tell a resident what their need is (issue 11.6): the
# classifier is sure of itself on "help" (0.90 debt_bills) and "ik kan niet meer" (0.88), so a
# short message needs near certainty, a longer one a clear majority.
SHORT_MESSAGE_WORDS = 5
SURE_SHORT = 0.95
SURE_LONG = 0.6
PLAUSIBLE_NEED = 0.1  # a need this likely, under "out of scope" or "not understood", is worth asking about
# Outside desk hours, an assistant's sentence that names a worker also says when one is back.
NAMES_A_WORKER = re.compile(r"\b(medewerker|hulpverlener)", re.IGNORECASE)
SAYS_WHEN = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|morgen|vandaag|\d{1,2}[:.]\d{2})",
    re.IGNORECASE,
)
# Intents that answer something practical while the resident waits for a person.
PRACTICAL_THEMES = NEED_THEMES
PRACTICAL_INTENTS = ("privacy_question",)


@dataclass(frozen=True)
class Desk:
    """Whether people staff the console now, and how busy the queue is."""

    is_open: bool
    next_opening: str | None = None  # how the resident reads it: "morgen om 9:00"
    waiting: int = 0  # conversations in the queue now
    waiting_urgent: int = 0  # of which urgent (they go first)
    minutes_per_case: int = 10

    def for_assistant(self) -> dict[str, Any]:
        """The message metadata with which the actions word an offer of a person
        (actions/actions.py `desk`): the gateway decides the desk, the assistant says the same."""
        return {"desk_open": self.is_open, "desk_next_opening": self.next_opening}


# Payloads a channel itself sends for its own commands (Telegram's /start and /privacy).
KNOWN_COMMANDS = frozenset({"/greet", "/privacy_question"})


@dataclass(frozen=True)
class Snapshot:
    """The conversation as the decision needs to know it."""

    state: State = State.BOT
    offered: frozenset[str] = frozenset()  # payloads of the buttons the assistant offered lately
    previous_intent: str | None = None  # of the resident's previous message
    crisis_intent: str | None = None  # the latest crisis in this conversation, if any
    worker_quiet: bool = True  # with_human: the worker has not written for a while
    told_to_wait: bool = False  # the assistant is away and the resident already heard so
    crisis_urgent: bool = False  # 112 led the answer to that crisis (weapon, fire, at the door, now)
    asked_last: frozenset[str] = frozenset()  # waiting: the payloads of the latest reply's buttons


@dataclass(frozen=True)
class Turn:
    text: str
    conversation: Snapshot
    desk: Desk
    crisis: CrisisMatch | None = None
    language: str = "nl"  # bot/language.py: "nl" or the language to answer in
    in_their_language: BotReply | None = None  # the fixed answer for who does not write Dutch


@dataclass(frozen=True)
class Handover:
    reason: str  # crisis | ask_human | not_understood | ... (what the console shows)
    urgent: bool = False


class _AssistantDown:
    def __repr__(self) -> str:
        return "ASSISTANT_DOWN"


ASSISTANT_DOWN = _AssistantDown()
"""What the switchboard passes when Rasa could not be reached."""


@dataclass
class Decision:
    replies: list[BotReply] = field(default_factory=list)
    ask_assistant: str | None = None  # ask the assistant this, then decide again
    intent: str | None = None  # stored on the message
    confidence: float | None = None
    handover: Handover | None = None  # ask for a person (no-op when one has it already)
    instructions: list[dict[str, Any]] = field(default_factory=list)  # need events, wijk
    keep_pending: bool = False  # the assistant is away: keep the message and answer it later
    for_worker: bool = False  # a person has the case: tell the console a message came in
    forget_assistant_turn: bool = False  # the assistant's guess was not used: clear what it concluded
    own_question: str | None = None  # answered by a question of the gateway's own (bot/own_questions.py)
    leaves_queue: bool = False  # the resident confirmed they no longer wait for a person (lifecycle.leave_queue)


def say(name: str, **fields: Any) -> BotReply:
    """A reply worded in domain.yml, with its {fields} filled in."""
    wording = response(name)
    return BotReply(wording.text.format(**fields) if fields else wording.text, list(wording.buttons))


# ---- the decision -------------------------------------------------------------------------


def decide(turn: Turn, assistant: Conversed | _AssistantDown | None = None) -> Decision:
    state = turn.conversation.state
    if turn.crisis is not None:
        return _crisis(turn, turn.crisis)
    if state == State.WITH_HUMAN:
        replies = [] if not turn.conversation.worker_quiet else _with_worker(turn)
        return Decision(replies=replies, for_worker=True)
    if turn.language != "nl" and turn.in_their_language is not None:
        # The assistant reads Dutch only: a fixed text in their language, with the crisis
        # lines, a person on offer and the services that speak it; asked for in words, a person.
        if state == State.WAITING:  # in the queue already: that it waits, not the offer again
            return Decision(replies=[*_waiting_in_their_language(turn), *_waiting_note(turn)])
        if asks_for_person(turn.text):
            return _person_in_their_language(turn)
        return Decision(replies=[turn.in_their_language])
    if assistant is None:
        choice = _queue_choice_of(turn) if state == State.WAITING else None
        if choice is not None:
            return _queue_choice(turn, choice)
        if typed_payload(turn.text, turn.conversation.offered):
            # Typed, not pressed: a payload never offered sets no intent, entity or need
            # (issue 12); the resident gets the warm open question instead, or in the queue
            # only where they stand (the question's theme buttons would lead nowhere there).
            if state == State.WAITING:
                return Decision(replies=_waiting_note(turn))
            return Decision(replies=[say("utter_gateway_unsure")])
        return Decision(ask_assistant=without_greeting(turn.text))
    if isinstance(assistant, _AssistantDown):
        return _assistant_down(turn)
    if state == State.WAITING:
        return _while_waiting(turn, assistant)
    return _with_assistant(turn, assistant)


def _crisis(turn: Turn, crisis: CrisisMatch) -> Decision:
    answer = crisis_reply(crisis)  # the right number first, a line in the resident's language
    replies = [BotReply(answer.text, list(answer.buttons))]
    if turn.conversation.state != State.WITH_HUMAN:
        replies.append(_crisis_followup(turn.desk))
    return Decision(replies=replies, intent=crisis.intent, confidence=1.0,
                    handover=Handover("crisis", urgent=True), for_worker=turn.conversation.state in HUMAN_STATES)


def _crisis_followup(desk: Desk) -> BotReply:
    """Who reads along after a crisis, and when (the privacy promise, without being asked)."""
    if desk.is_open:
        return say("utter_gateway_crisis_followup")
    return say("utter_gateway_desk_closed_crisis", next_opening=_when(desk))


def _with_worker(turn: Turn) -> list[BotReply]:
    """The worker has the case but has not answered for a while."""
    replies = _crisis_reminder(turn.conversation)
    if turn.desk.is_open:
        return [*replies, say("utter_gateway_with_human")]
    return [*replies, say("utter_gateway_waiting_closed", next_opening=_when(turn.desk))]


# The buttons of utter_gateway_queue_leave_confirm: stop waiting for a person, or keep waiting.
LEAVE_QUEUE, STAY_IN_QUEUE = "/queue_leave", "/queue_stay"
QUEUE_CHOICES = (LEAVE_QUEUE, STAY_IN_QUEUE)


# Typed answers to that question while it is the latest: "ja", "ja stop maar", "nee ik wacht".
_KEEPS_WAITING = re.compile(r"\b(ik wacht|wacht (wel|nog)|blijf (wel |nog )?wachten)\b")
MAX_QUEUE_ANSWER_WORDS = 6
_STOPS_WAITING = re.compile(r"^(ja+|jawel|jep|yes|ok|oke|okay|goed|is goed|graag|prima|klopt|zeker|doe maar|stop|stoppen)\b|"
                            r"\b(stop (maar )?met wachten|niet meer wachten)\b")
_NO = re.compile(r"^(nee+|neen|no|nope|liever niet)\b")


def _queue_choice_of(turn: Turn) -> str | None:
    """The resident's answer to "Wil je stoppen met wachten?": a button pressed (a payload we
    offered), or typed while our question is the latest reply. None: not an answer to it."""
    text = turn.text.strip()
    if text in QUEUE_CHOICES:
        return text if text in turn.conversation.offered else None
    if LEAVE_QUEUE not in turn.conversation.asked_last:
        return None
    said = " ".join(re.findall(r"\w+", text.lower()))
    if len(said.split()) > MAX_QUEUE_ANSWER_WORDS:  # a message for the worker, not an answer
        return None
    if _KEEPS_WAITING.search(said) or _NO.match(said):
        return STAY_IN_QUEUE
    return LEAVE_QUEUE if _STOPS_WAITING.search(said) else None


def _queue_choice(turn: Turn, choice: str) -> Decision:
    """The answer to "Wil je stoppen met wachten op een medewerker?". After a crisis the question
    is never asked, and an old button keeps the resident in the queue."""
    if choice == LEAVE_QUEUE and turn.conversation.crisis_intent is None:
        return Decision(replies=[say("utter_gateway_queue_left")], leaves_queue=True)
    return Decision(replies=[say("utter_gateway_queue_stay"), *_waiting_note(turn)])


def _waiting_note(turn: Turn) -> list[BotReply]:
    """For a resident in the queue: their message is kept for the worker, and when that is."""
    replies = _crisis_reminder(turn.conversation)
    if turn.desk.is_open:
        return [*replies, say("utter_gateway_waiting_open")]
    return [*replies, say("utter_gateway_waiting_closed", next_opening=_when(turn.desk))]


def _crisis_reminder(conversation: Snapshot) -> list[BotReply]:
    """After a crisis, every note to a waiting resident names its number again, first."""
    if conversation.crisis_intent not in CRISIS_INTENTS:
        return []
    kind = conversation.crisis_intent.removeprefix("crisis_")
    replies = [say(f"utter_gateway_reminder_{kind}")]
    if conversation.crisis_urgent and kind != "emergency":  # danger now: 112 first, as in the answer
        replies.insert(0, say("utter_gateway_reminder_emergency"))
    return replies


def _assistant_down(turn: Turn) -> Decision:
    if turn.conversation.state == State.WAITING:  # the note needs no assistant
        return Decision(replies=_waiting_note(turn))
    replies = [] if turn.conversation.told_to_wait else [say("utter_gateway_wait")]
    return Decision(replies=replies, keep_pending=True)


def _while_waiting(turn: Turn, assistant: Conversed) -> Decision:
    """The resident waits for a person: practical questions still get the assistant's answer."""
    intent, confidence = _top(assistant.parse)
    instructions = [r.instruction for r in assistant.replies if r.instruction]
    handover = Handover("crisis", urgent=True) if intent in CRISIS_INTENTS else None
    answer = _honest([r for r in assistant.replies if r.text], turn.desk)
    if intent in CRISIS_INTENTS:  # the model's crisis answer, then the note with its number
        replies = [*answer, *_waiting_note(turn)]
    elif turn.conversation.crisis_intent is None and no_longer_wants_person(turn.text.strip()):
        replies = [say("utter_gateway_queue_leave_confirm")]  # asked first: "laat maar" may be about something else
    elif _is_practical(intent) and _sure(turn.text, confidence) and answer:
        note = _waiting_note(turn)  # after a crisis its number first, then the answer, then when
        replies = [*note[:-1], *answer, note[-1]]
    else:
        replies = _waiting_note(turn)
    return Decision(replies=replies, intent=intent, confidence=confidence, handover=handover,
                    instructions=[i for i in instructions if "handover" not in i])


def _with_assistant(turn: Turn, assistant: Conversed) -> Decision:
    intent, confidence = _top(assistant.parse)
    decision = Decision(intent=intent, confidence=confidence)
    handover: Handover | None = None
    if intent in CRISIS_INTENTS:
        handover = Handover("crisis", urgent=True)
    elif intent == "nlu_fallback" and turn.conversation.previous_intent == "nlu_fallback":
        handover = Handover("not_understood")  # a second turn in a row we did not understand
    elif asks_for_person_too(assistant.parse, turn.text):
        # "ik wil iemand spreken over mijn schulden": the need is kept, and a person follows.
        handover = Handover("ask_human")
        decision.intent, decision.confidence = _top_need(assistant.parse) or (intent, confidence)
    replies = _honest(list(assistant.replies), turn.desk)
    for reply in replies:
        if reply.instruction:
            decision.instructions.append(reply.instruction)
            asked = reply.instruction.get("handover")
            if isinstance(asked, dict):
                handover = Handover(str(asked.get("reason", "ask_human"))[:32], bool(asked.get("urgent")))
    if handover is None and ((_states_a_need(intent) and not _sure(turn.text, confidence, assistant.parse))
                             or _vague(turn.text, intent, assistant.parse)):
        # Not sure enough to tell the resident what their need is: ask, warmly.
        decision.replies = [say("utter_gateway_unsure")]
        decision.instructions = []  # no need event for a guess
        decision.forget_assistant_turn = True
        return decision
    if intent == "nlu_fallback" and _need_mass(assistant.parse) < SURE_LONG:  # its own words are too cold here
        replies = [] if handover is not None else [say("utter_gateway_unsure")]
    if handover is None and not any(reply.text for reply in replies):
        replies.append(say("utter_gateway_safe_answer"))  # never silence
    if handover is not None and handover.reason == "crisis":
        replies.append(_crisis_followup(turn.desk))
    elif handover is not None:
        replies.append(handover_notice(turn.desk, handover.urgent))
    decision.replies = [r for r in replies if r.text]
    decision.handover = handover
    return decision


def _honest(replies: list[BotReply], desk: Desk) -> list[BotReply]:
    """Outside desk hours, the assistant's words that name a worker also say when one is back."""
    if desk.is_open:
        return replies
    back = say("utter_gateway_worker_back", next_opening=_when(desk)).text
    return [dataclasses.replace(r, text=f"{r.text} {back}")
            if r.text and NAMES_A_WORKER.search(r.text) and not SAYS_WHEN.search(r.text) else r
            for r in replies]


# "hallo ik heb schulden": a greeting in front of what the resident needs.
_GREETING = re.compile(r"^\s*(?:hallo daar|hallo+|hoi+|hey+|hee+|hi|hello|goede?(?:morgen|middag|navond|avond)|"
                       r"goeie(?:morgen|middag|navond|avond))\b[\s,.!]*", re.IGNORECASE)


def without_greeting(text: str) -> str:
    """What the assistant reads: the message without a greeting in front of at least two more
    words. The model weighs a greeting against the need ("hallo ik heb schulden" came out unsure,
    "goedemorgen ik heb schulden" as a greeting); alone, a greeting stays one."""
    rest = _GREETING.sub("", text, count=1)
    return rest if rest != text and len(rest.split()) >= 2 else text


def typed_payload(text: str, offered: frozenset[str]) -> bool:
    """Whether the text looks like a payload ("/ask_human", '/intent{"entity": ...}') that was
    not a button we offered in this conversation, nor a channel's own command. Only offered
    payloads may act as payloads (issue 12)."""
    stripped = text.strip()
    return stripped.startswith("/") and stripped not in offered and stripped not in KNOWN_COMMANDS


def handover_notice(desk: Desk, urgent: bool = False) -> BotReply:
    """What the resident is told on joining the queue: an honest wait, or when we are back."""
    if not desk.is_open:
        return say("utter_gateway_handover_closed", next_opening=_when(desk))
    ahead = desk.waiting_urgent if urgent else desk.waiting
    minutes = max(5, -(-desk.minutes_per_case * (ahead + 1) // 5) * 5)  # rounded up to 5
    name = {0: "utter_gateway_handover_first", 1: "utter_gateway_handover_one_ahead"}.get(ahead, "utter_gateway_handover_queue")
    return say(name, ahead=ahead, minutes=minutes)


def reminder(conversation: Snapshot, desk: Desk) -> list[BotReply]:
    """The background reminder to a resident nobody has claimed yet."""
    if desk.is_open:
        return [*_crisis_reminder(conversation), say("utter_gateway_still_waiting")]
    return [*_crisis_reminder(conversation), say("utter_gateway_still_waiting_closed", next_opening=_when(desk))]


# ---- small judgements ---------------------------------------------------------------------


def _when(desk: Desk) -> str:
    return desk.next_opening or "zo snel we kunnen"


def _top(parse: dict[str, Any]) -> tuple[str | None, float]:
    intent = parse.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def _top_need(parse: dict[str, Any]) -> tuple[str, float] | None:
    """The best-ranked need (also under Rasa's fallback, when two intents were too close)."""
    for ranked in parse.get("intent_ranking") or [parse.get("intent") or {}]:
        if _states_a_need(ranked.get("name")):
            return ranked["name"], float(ranked.get("confidence") or 0.0)
    return None


def _need_mass(parse: dict[str, Any]) -> float:
    """How sure the model is that the message names some need: a message with two needs
    splits its confidence between them, and is no less clear for that."""
    ranking = parse.get("intent_ranking") or [parse.get("intent") or {}]
    return sum(float(r.get("confidence") or 0.0) for r in ranking if _states_a_need(r.get("name")))


def _vague(text: str, intent: str | None, parse: dict[str, Any]) -> bool:
    """A short message the model calls out of scope or does not understand, while a need is
    plausible ("help", "ik zit in de problemen"): ask, rather than say we cannot help."""
    if intent not in ("out_of_scope", "nlu_fallback") or len(re.findall(r"\w+", text)) > SHORT_MESSAGE_WORDS:
        return False
    need = _top_need(parse)
    return need is not None and need[1] >= PLAUSIBLE_NEED


def _states_a_need(intent: str | None) -> bool:
    return intent in themes_by_intent() and themes_by_intent()[intent] in NEED_THEMES


def _is_practical(intent: str | None) -> bool:
    if not intent:
        return False
    contract = contract_intent(intent)
    return themes_by_intent().get(contract) in PRACTICAL_THEMES or contract in PRACTICAL_INTENTS


def _sure(text: str, confidence: float, parse: dict[str, Any] | None = None) -> bool:
    """Enough evidence to name a need: near certainty on a short message; on a longer one a
    majority for needs together (several needs in one message split the confidence)."""
    if len(re.findall(r"\w+", text)) <= SHORT_MESSAGE_WORDS:
        return confidence >= SURE_SHORT
    return max(confidence, _need_mass(parse or {})) >= SURE_LONG


@cache
def _person_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(phrases that ask for a person, words that name one), all languages together."""
    lexicon = read_yaml(LEXICON_PATH)

    def one(kind: str) -> re.Pattern[str]:
        return _whole_words([p for language in lexicon.values() for p in language.get(kind) or []])

    return one("asks"), one("words")


def _whole_words(patterns: list[str]) -> re.Pattern[str]:
    """The lexicon's lines as one pattern, each matched as whole words, case-insensitive."""
    return re.compile(r"\b(" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.IGNORECASE)


def _waiting_in_their_language(turn: Turn) -> list[BotReply]:
    """In the queue, in the resident's language: after a crisis its line first, then that a
    person answers here."""
    names = ["utter_gateway_language_waiting"]
    crisis = turn.conversation.crisis_intent
    if crisis in CRISIS_INTENTS:
        names.insert(0, f"utter_gateway_crisis_line_{crisis.removeprefix('crisis_')}")
    lines = [line for line in (response_in(name, turn.language) for name in names) if line is not None]
    return [BotReply(line.text) for line in lines]


def asks_for_person(text: str) -> bool:
    """The message asks for a person in so many words, in any language of the lexicon."""
    return bool(_person_cues()[0].search(text))


@cache
def _cancel_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(phrases that say a person is no longer needed, phrases that say: I keep waiting)."""
    nl = read_yaml(LEXICON_PATH)["nl"]
    return _whole_words(nl["cancels"]), _whole_words(nl["keeps_waiting"])


def no_longer_wants_person(text: str) -> bool:
    """"ik hoef geen medewerker meer", "laat maar", "stop": said while waiting for a person."""
    cancels, keeps = _cancel_cues()
    said = text.strip().rstrip(".!? ")
    return bool(cancels.search(said)) and not keeps.search(said)


def _person_in_their_language(turn: Turn) -> Decision:
    """A resident who does not write Dutch asks for a person: the queue, told in their language
    (one line) and in Dutch (the wait, or when we are back)."""
    line = response_in("utter_gateway_language_handover", turn.language)
    replies = ([BotReply(line.text)] if line else []) + [handover_notice(turn.desk)]
    return Decision(replies=replies, intent="ask_human", confidence=1.0, handover=Handover("ask_human"))


def asks_for_person_too(parse: dict[str, Any], text: str) -> bool:
    """A need on top, and the resident asks for a person too: in so many words, or with a
    word for a person while ask_human is close behind in the ranking."""
    need = _top_need(parse)
    top, _ = _top(parse)
    if need is None or not (_states_a_need(top) or (top == "nlu_fallback" and need[1] >= PLAUSIBLE_NEED)):
        return False
    asks, words = _person_cues()
    if asks.search(text):
        return True
    ask = next((r for r in parse.get("intent_ranking") or [] if r.get("name") == "ask_human"), None)
    return bool(ask and float(ask.get("confidence") or 0) >= 0.1 and words.search(text))
