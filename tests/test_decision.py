"""The decision on one resident message, without Rasa or a database (runs in milliseconds).

Checks describe what the resident notices: the right number first, an answer at all, no promise
of a person the desk cannot keep, no need stated as a fact on a guess. The same checks as the
multi-turn conversations use (tests/conversations/checks.py)."""

from __future__ import annotations

import pytest

from bot.decision import ASSISTANT_DOWN, Desk, Handover, Snapshot, Turn, decide, handover_notice, reminder
from bot.lifecycle import State
from bot.rasa import BotReply, Conversed
from bot.safety import CrisisMatch
from tests.conversations import checks

OPEN = Desk(is_open=True)
CLOSED = Desk(is_open=False, next_opening="vandaag om 9:00")
SUICIDE = CrisisMatch("crisis_suicide", "test")
VIOLENCE = CrisisMatch("crisis_violence", "test")


def parse(intent: str, confidence: float = 1.0, **ranking: float) -> dict:
    ranked = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in ranking.items()]
    return {"intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranked}


def answer(intent: str, confidence: float = 1.0, *texts: str, instruction: dict | None = None, **ranking: float):
    replies = [BotReply(t) for t in texts or (f"antwoord op {intent}",)]
    if instruction:
        replies.append(BotReply(None, instruction=instruction))
    return Conversed(parse(intent, confidence, **ranking), replies)


def turn(text: str, state: State = State.BOT, desk: Desk = OPEN, crisis: CrisisMatch | None = None,
         **snapshot) -> Turn:
    return Turn(text, Snapshot(state, **snapshot), desk, crisis)


def as_resident_sees(decision, desk: Desk, state: State = State.BOT) -> checks.Turn:
    messages = [{"text": r.text, "buttons": r.buttons} for r in decision.replies]
    return checks.Turn("", messages, state, desk.is_open)


def text_of(decision) -> str:
    return "\n".join(r.text or "" for r in decision.replies)


# ---- crisis ------------------------------------------------------------------------------

@pytest.mark.parametrize("desk", [OPEN, CLOSED])
@pytest.mark.parametrize("state", [State.BOT, State.WAITING, State.CLOSED])
def test_the_crisis_net_answers_first_and_a_person_follows_urgently(desk, state):
    decision = decide(turn("ik wil niet meer leven", state, desk, SUICIDE))
    seen = as_resident_sees(decision, desk)
    assert checks.first_number(seen, "113") is None
    assert decision.handover == Handover("crisis", urgent=True)
    assert (decision.intent, decision.confidence, decision.ask_assistant) == ("crisis_suicide", 1.0, None)
    assert checks.no_promise(seen, True) is None


def test_after_a_crisis_at_night_the_resident_hears_who_reads_along_and_when():
    decision = decide(turn("ik wil niet meer leven", desk=CLOSED, crisis=SUICIDE))
    followup = decision.replies[-1].text
    assert "vandaag om 9:00" in followup and "niemand" in followup  # who reads, and when
    assert "112" in followup and "113" in followup and "Veilig Thuis" in followup


def test_a_crisis_while_a_worker_has_it_goes_to_the_worker_with_the_crisis_answer():
    decision = decide(turn("hij slaat me weer", State.WITH_HUMAN, crisis=VIOLENCE, worker_quiet=False))
    assert checks.first_number(as_resident_sees(decision, OPEN), "veilig thuis") is None
    assert decision.for_worker and len(decision.replies) == 1


# ---- a person has the conversation -------------------------------------------------------

def test_while_the_worker_is_writing_the_assistant_stays_quiet():
    decision = decide(turn("dank je wel", State.WITH_HUMAN, worker_quiet=False))
    assert decision.replies == [] and decision.for_worker and decision.ask_assistant is None


@pytest.mark.parametrize("desk", [OPEN, CLOSED])
def test_when_the_worker_is_quiet_the_resident_still_gets_an_answer(desk):
    decision = decide(turn("hallo? ben je er nog", State.WITH_HUMAN, desk, worker_quiet=True))
    seen = as_resident_sees(decision, desk, State.WITH_HUMAN)
    assert checks.answered(seen, True) is None and checks.no_promise(seen, True) is None
    assert decision.for_worker and decision.ask_assistant is None


# ---- the assistant -----------------------------------------------------------------------

def test_the_assistant_is_asked_in_the_bot_and_waiting_states():
    for state in (State.BOT, State.WAITING):
        assert decide(turn("ik heb schulden", state)).ask_assistant == "ik heb schulden"


def test_a_sure_need_gets_the_assistants_answer_and_its_need_events():
    need = {"need": {"intent": "debt_bills", "outcome": "referred"}}
    decision = decide(turn("ik heb heel veel schulden"), answer("debt_bills", 0.99, instruction=need))
    assert text_of(decision) == "antwoord op debt_bills"
    assert decision.instructions == [need] and decision.handover is None
    assert (decision.intent, decision.confidence) == ("debt_bills", 0.99)


@pytest.mark.parametrize("text,intent,confidence", [
    ("help", "debt_bills", 0.90),
    ("ik kan niet meer", "care_home_support", 0.88),
    ("alles gaat mis", "care_loneliness", 0.76),
    ("ik weet echt niet wat ik nu moet doen met alles", "care_mental", 0.45),
])
def test_short_or_vague_messages_get_a_warm_question_not_a_guessed_need(text, intent, confidence):
    need = {"need": {"intent": intent, "outcome": "referred"}}
    decision = decide(turn(text), answer(intent, confidence, "Je hebt rekeningen die je niet kunt betalen.", instruction=need))
    seen = as_resident_sees(decision, OPEN)
    assert "rekeningen" not in text_of(decision)  # no guess stated as a fact
    assert checks.buttons_any(seen, ["schulden"]) is None and checks.buttons_any(seen, ["ask_human"]) is None
    assert decision.instructions == []  # and no need event for a guess
    assert decision.forget_assistant_turn and decision.intent == intent


def test_a_short_message_the_model_is_sure_of_keeps_its_answer():
    decision = decide(turn("ik heb schulden"), answer("debt_bills", 0.999))
    assert text_of(decision) == "antwoord op debt_bills" and not decision.forget_assistant_turn


def test_not_understood_once_asks_warmly_twice_hands_over():
    first = decide(turn("🙂"), answer("nlu_fallback", 0.3, "Sorry, ik begrijp je niet goed."))
    assert "begrijp je niet" not in text_of(first) and first.handover is None
    assert checks.buttons_any(as_resident_sees(first, OPEN), ["ask_human"]) is None
    second = decide(turn("🙃🙃", previous_intent="nlu_fallback"), answer("nlu_fallback", 0.3))
    assert second.handover == Handover("not_understood")
    assert "medewerker" in text_of(second)


def test_a_need_with_words_asking_for_a_person_goes_to_a_person():
    conversed = answer("debt_bills", 0.70, ask_human=0.30)
    decision = decide(turn("ik wil iemand spreken over mijn schulden"), conversed)
    assert decision.handover == Handover("ask_human") and decision.intent == "debt_bills"
    no_cue = decide(turn("ik heb al heel lang veel schulden bij de bank"), conversed)
    assert no_cue.handover is None


def test_an_action_asking_for_a_person_gets_an_honest_wait():
    asked = {"handover": {"reason": "ask_human", "urgent": False}}
    busy = Desk(True, waiting=3, waiting_urgent=1)
    decision = decide(turn("mag ik een mens", desk=busy), answer("ask_human", 1.0, "Ik vraag een medewerker.", instruction=asked))
    assert decision.handover == Handover("ask_human")
    assert "3" in decision.replies[-1].text and "minuten" in decision.replies[-1].text
    at_night = decide(turn("mag ik een mens", desk=CLOSED), answer("ask_human", 1.0, "Ik vraag een medewerker.", instruction=asked))
    assert "vandaag om 9:00" in at_night.replies[-1].text


def test_the_model_seeing_a_crisis_hands_over_urgently_with_who_reads_along():
    decision = decide(turn("ik zie het niet meer zitten", desk=CLOSED),
                      answer("crisis_suicide", 0.8, "Bel 113: 0800-0113."))
    assert decision.handover == Handover("crisis", urgent=True)
    assert checks.no_promise(as_resident_sees(decision, CLOSED), True) is None


def test_an_empty_answer_from_the_assistant_is_never_silence():
    decision = decide(turn("ik heb heel veel schulden bij de bank"), Conversed(parse("debt_bills", 0.9), []))
    assert checks.answered(as_resident_sees(decision, OPEN), True) is None


# ---- waiting for a person ----------------------------------------------------------------

@pytest.mark.parametrize("desk", [OPEN, CLOSED])
def test_while_waiting_every_message_is_answered_honestly(desk):
    decision = decide(turn("hallo? is daar iemand", State.WAITING, desk), answer("greet", 1.0, "Hoi! Ik ben de assistent."))
    seen = as_resident_sees(decision, desk, State.WAITING)
    assert checks.answered(seen, True) is None and checks.no_promise(seen, True) is None
    assert "klaar voor de medewerker" in text_of(decision) and "Hoi" not in text_of(decision)
    assert decision.handover is None


def test_while_waiting_a_practical_question_still_gets_the_assistants_answer():
    decision = decide(turn("waar is de voedselbank bij mij in de buurt", State.WAITING, CLOSED),
                      answer("debt_food", 0.97, "De voedselbank is open op dinsdag."))
    assert decision.replies[0].text == "De voedselbank is open op dinsdag."
    assert "klaar voor de medewerker" in decision.replies[-1].text
    assert checks.no_promise(as_resident_sees(decision, CLOSED), True) is None


def test_while_waiting_after_a_crisis_the_crisis_number_comes_first():
    decision = decide(turn("ik durf niet te bellen", State.WAITING, CLOSED, crisis_intent="crisis_suicide"),
                      answer("ask_human", 0.5))
    assert checks.first_number(as_resident_sees(decision, CLOSED), "113") is None
    violence = decide(turn("hallo?", State.WAITING, CLOSED, crisis_intent="crisis_violence"), answer("greet"))
    assert checks.first_number(as_resident_sees(violence, CLOSED), "veilig thuis") is None


@pytest.mark.parametrize("text", ["ik hoef geen medewerker meer", "laat maar", "stop", "ik wil niet meer wachten",
                                  "hoeft niet meer, heb het al opgelost"])
def test_while_waiting_no_longer_wanting_a_person_is_asked_to_confirm_and_then_leaves_the_queue(text):
    asked = decide(turn(text, State.WAITING), answer("deny", 0.9))
    assert asked.replies[0].text == "Wil je stoppen met wachten op een medewerker?" and not asked.leaves_queue
    payloads = [b["payload"] for b in asked.replies[0].buttons]
    assert payloads == ["/queue_leave", "/queue_stay"]
    left = decide(turn("/queue_leave", State.WAITING, offered=frozenset(payloads)))
    assert left.leaves_queue and left.ask_assistant is None and "niet meer in de rij" in text_of(left)
    stays = decide(turn("/queue_stay", State.WAITING, offered=frozenset(payloads)))
    assert not stays.leaves_queue and "klaar voor de medewerker" in text_of(stays)


@pytest.mark.parametrize("typed, leaves", [
    ("Ja, stop met wachten", True), ("ja", True), ("ja stop maar", True), ("ok", True), ("stop maar met wachten", True),
    ("Nee, ik wacht", False), ("nee", False), ("ja ik wacht wel", False),
])
def test_while_waiting_the_answer_to_our_question_may_be_typed(typed, leaves):
    asked = frozenset({"/queue_leave", "/queue_stay"})
    decision = decide(turn(typed, State.WAITING, asked_last=asked))
    assert decision.leaves_queue is leaves and decision.ask_assistant is None
    assert ("niet meer in de rij" in text_of(decision)) is leaves


@pytest.mark.parametrize("text", [
    "laat maar weten wanneer je tijd hebt", "de deurwaarder zei laat maar betalen", "mijn dochter zei: laat maar, mam",
    "ik wil niet meer wachten met het betalen van mijn huur", "ik wil niet meer wachten op de woningcorporatie",
    "de verhuurder zegt stop maar met betalen van de servicekosten", "toch maar niet, ik wacht",
    "stop met die herrie van de buren is mijn probleem", "ik hoef niet meer te betalen?", "ik wacht al uren",
])
def test_while_waiting_a_message_for_the_worker_is_not_read_as_leaving(text):
    decision = decide(turn(text, State.WAITING), answer("deny", 0.9))
    assert "stoppen met wachten" not in text_of(decision) and not decision.leaves_queue


@pytest.mark.parametrize("text", ["duurt te lang, ik stop", "ik ga wel weg", "ik heb geen zin meer om te wachten",
                                  "annuleer maar", "hoe lang nog? ik kap ermee", "hoeft niet meer hoor", "laatmaar"])
def test_while_waiting_more_ways_of_no_longer_wanting_a_person_are_asked_about(text):
    assert "stoppen met wachten" in text_of(decide(turn(text, State.WAITING), answer("deny", 0.9)))


def test_while_our_question_is_the_latest_a_longer_message_is_for_the_worker_not_an_answer():
    asked = frozenset({"/queue_leave", "/queue_stay"})
    decision = decide(turn("ik wil niet meer wachten met het betalen van mijn huur", State.WAITING, asked_last=asked))
    assert not decision.leaves_queue and decision.ask_assistant is not None


def test_a_typed_yes_leaves_the_queue_only_while_our_question_is_the_latest_reply():
    decision = decide(turn("ja", State.WAITING, offered=frozenset({"/queue_leave"})))  # asked earlier, answered since
    assert not decision.leaves_queue and decision.ask_assistant == "ja"


def test_while_waiting_after_a_crisis_or_when_keeping_on_waiting_the_queue_is_not_left():
    after_crisis = decide(turn("laat maar", State.WAITING, crisis_intent="crisis_suicide"), answer("deny", 0.9))
    assert "stoppen met wachten" not in text_of(after_crisis)
    assert checks.first_number(as_resident_sees(after_crisis, OPEN), "113") is None
    old_button = decide(turn("/queue_leave", State.WAITING, crisis_intent="crisis_violence",
                             offered=frozenset({"/queue_leave"})))
    assert not old_button.leaves_queue
    keeps = decide(turn("laat maar, ik wacht wel", State.WAITING), answer("deny", 0.9))
    assert "stoppen met wachten" not in text_of(keeps)
    never_offered = decide(turn("/queue_leave", State.WAITING))  # typed, never offered: nothing happens
    assert not never_offered.leaves_queue


def test_while_waiting_the_assistant_being_down_does_not_matter():
    decision = decide(turn("hallo?", State.WAITING, CLOSED), ASSISTANT_DOWN)
    assert not decision.keep_pending and "klaar voor de medewerker" in text_of(decision)


def test_assistant_down_is_said_once_and_the_message_kept():
    first = decide(turn("ik heb schulden"), ASSISTANT_DOWN)
    assert first.keep_pending and "Even geduld" in text_of(first)
    again = decide(turn("hallo", told_to_wait=True), ASSISTANT_DOWN)
    assert again.keep_pending and again.replies == []


# ---- the queue's words -------------------------------------------------------------------

def test_the_wait_estimate_counts_who_is_ahead():
    assert "eerste" in handover_notice(Desk(True)).text
    busy = Desk(True, waiting=4, waiting_urgent=1, minutes_per_case=10)
    assert "4" in handover_notice(busy).text and "50 minuten" in handover_notice(busy).text
    assert "1" in handover_notice(busy, urgent=True).text and "20 minuten" in handover_notice(busy, urgent=True).text
    assert handover_notice(busy).text.startswith("Er zijn nog 4 mensen voor je.")
    assert handover_notice(busy, urgent=True).text.startswith("Er is nog 1 persoon voor je.")  # not "1 mensen"


def test_a_reminder_after_a_crisis_repeats_its_number_and_at_night_says_when():
    replies = reminder(Snapshot(State.WAITING, crisis_intent="crisis_suicide"), CLOSED)
    seen = checks.Turn("", [{"text": r.text} for r in replies], State.WAITING, False)
    assert checks.first_number(seen, "113") is None and checks.no_promise(seen, True) is None
    by_day = reminder(Snapshot(State.WAITING, crisis_intent="crisis_violence"), OPEN)
    assert checks.first_number(checks.Turn("", [{"text": r.text} for r in by_day], State.WAITING, True),
                               "veilig thuis") is None


def test_after_danger_now_every_note_leads_with_112_again():
    """A knife at the door was answered with 112 first; the notes after it say 112 first too."""
    at_the_door = Snapshot(State.WAITING, crisis_intent="crisis_violence", crisis_urgent=True)
    for replies in (reminder(at_the_door, CLOSED), reminder(at_the_door, OPEN)):
        seen = checks.Turn("", [{"text": r.text} for r in replies], State.WAITING, False)
        assert checks.first_number(seen, "112") is None, [r.text for r in replies]


@pytest.mark.parametrize("text, read", [
    ("hallo ik heb schulden", "ik heb schulden"), ("Goedemorgen, de buren maken herrie", "de buren maken herrie"),
    ("hallo daar ik heb een huurachterstand", "ik heb een huurachterstand"),
    ("hallo?", "hallo?"), ("hoi", "hoi"), ("hallo daar", "hallo daar"), ("dag en nacht herrie", "dag en nacht herrie"),
])
def test_the_assistant_reads_the_need_without_the_greeting_in_front(text, read):
    assert decide(turn(text)).ask_assistant == read


# ---- other languages ---------------------------------------------------------------------

def test_who_does_not_write_dutch_gets_the_text_in_their_language_without_the_assistant():
    english = BotReply("This assistant writes simple Dutch. In danger? Call 112.")
    decision = decide(Turn("i need help with my rent", Snapshot(), OPEN, None, "en", english))
    assert decision.replies == [english] and decision.ask_assistant is None
    waiting = decide(Turn("hello? anyone", Snapshot(State.WAITING), CLOSED, None, "en", english))
    assert checks.no_promise(as_resident_sees(waiting, CLOSED), True) is None
    assert waiting.replies[0].text.startswith("Your message is ready for the worker.")  # not the offer again
    assert not any(reply.buttons for reply in waiting.replies)


def _person_button_titles() -> list[tuple[str, str]]:
    """Each language's "talk to a person" button, as a resident types it instead of pressing it."""
    from bot.responses import response_in
    return [(language, response_in("utter_gateway_language_intro", language).buttons[0]["title"])
            for language in ("en", "tr", "ar", "pl", "uk")]


@pytest.mark.parametrize("desk", [OPEN, CLOSED])
@pytest.mark.parametrize("language, text", _person_button_titles() + [
    ("en", "i want to talk to a human"), ("en", "can i speak with someone please"),
    ("tr", "biriyle konuşmak istiyorum"), ("ar", "أريد أن أتحدث مع موظف"),
    ("pl", "chcę porozmawiać z człowiekiem"), ("uk", "хочу поговорити з працівником"),
    ("en", "ich möchte mit einem Menschen sprechen"),  # German gets the English texts
])
def test_who_does_not_write_dutch_and_asks_for_a_person_gets_one_told_in_their_language(desk, language, text):
    from bot.responses import response_in
    block = BotReply("This assistant writes simple Dutch. Want a person? Press the button.")
    decision = decide(Turn(text, Snapshot(), desk, None, language, block))
    assert decision.handover == Handover("ask_human") and decision.ask_assistant is None
    assert decision.replies[0].text == response_in("utter_gateway_language_handover", language).text
    assert decision.replies[-1] == handover_notice(desk)  # the wait, or when we are back, in Dutch
    assert checks.no_promise(as_resident_sees(decision, desk), True) is None
    waiting = decide(Turn(text, Snapshot(State.WAITING), desk, None, language, block))
    assert waiting.handover is None  # already in the queue: that it waits, in their language
    assert waiting.replies[0].text == response_in("utter_gateway_language_waiting", language).text


def test_in_the_queue_after_a_crisis_the_crisis_line_in_their_language_comes_first():
    block = BotReply("This assistant writes simple Dutch. Thoughts of suicide: call 113.")
    waiting = Snapshot(State.WAITING, crisis_intent="crisis_suicide")
    decision = decide(Turn("is anyone there", waiting, OPEN, None, "en", block))
    assert decision.replies[0].text.startswith("In English: call 113")
    assert decision.replies[1].text.startswith("Your message is ready for the worker.")
    assert checks.first_number(as_resident_sees(decision, OPEN), "113") is None


@pytest.mark.parametrize("text", ["my neighbour is a bad person", "i have problem with rent", "he is a terrible human"])
def test_a_person_named_without_asking_for_one_is_not_a_request(text):
    block = BotReply("This assistant writes simple Dutch.")
    assert decide(Turn(text, Snapshot(), OPEN, None, "en", block)).replies == [block]


def test_at_night_the_assistants_mention_of_a_worker_says_when_one_is_back():
    said = "Daar kan ik niet mee helpen. Of typ 'medewerker' voor een mens."
    closed = decide(turn("wat is de hoofdstad van frankrijk", desk=CLOSED), answer("out_of_scope", 0.99, said))
    assert checks.no_promise(as_resident_sees(closed, CLOSED), True) is None
    assert text_of(closed).startswith(said) and "vandaag om 9:00" in text_of(closed)
    by_day = decide(turn("wat is de hoofdstad van frankrijk"), answer("out_of_scope", 0.99, said))
    assert text_of(by_day) == said


@pytest.mark.parametrize("text", [
    "ik wil iemand spreken over mijn huurachterstand",
    "kan iemand mij terugbellen over de deurwaarder",
    "ik wil met iemand praten over mijn schulden",
])
def test_asking_for_a_person_in_so_many_words_beats_a_need_on_top(text):
    decision = decide(turn(text), answer("debt_rent", 0.96, ask_human=0.01))
    assert decision.handover == Handover("ask_human") and decision.intent == "debt_rent"


def test_a_word_for_a_person_alone_is_not_asking_for_one():
    decision = decide(turn("ik ben een alleenstaand persoon met veel schulden"), answer("debt_bills", 1.0, ask_human=0.001))
    assert decision.handover is None


def test_while_waiting_after_a_crisis_a_practical_answer_comes_after_the_crisis_number():
    decision = decide(turn("waar is de voedselbank hier in de buurt", State.WAITING, OPEN, crisis_intent="crisis_violence"),
                      answer("debt_food", 0.99, "De voedselbank is open op dinsdag."))
    seen = as_resident_sees(decision, OPEN)
    assert checks.first_number(seen, "veilig thuis") is None
    assert [r.text for r in decision.replies][1] == "De voedselbank is open op dinsdag."


def test_a_short_message_out_of_scope_with_a_need_plausible_gets_the_warm_question():
    conversed = Conversed({"intent": {"name": "out_of_scope", "confidence": 0.75},
                           "intent_ranking": [{"name": "out_of_scope", "confidence": 0.75},
                                              {"name": "debt_bills", "confidence": 0.19}]},
                          [BotReply("Daar kan ik je helaas niet mee helpen.")])
    decision = decide(turn("help!!"), conversed)
    assert "niet mee helpen" not in text_of(decision)
    assert checks.buttons_any(as_resident_sees(decision, OPEN), ["ask_human"]) is None
    weather = decide(turn("wat voor weer wordt het"), Conversed(
        {"intent": {"name": "out_of_scope", "confidence": 0.95},
         "intent_ranking": [{"name": "out_of_scope", "confidence": 0.95}, {"name": "debt_bills", "confidence": 0.01}]},
        [BotReply("Daar kan ik je helaas niet mee helpen.")]))
    assert text_of(weather) == "Daar kan ik je helaas niet mee helpen."


def test_too_close_to_call_between_a_need_and_a_person_with_words_asking_for_one_hands_over():
    conversed = Conversed({"intent": {"name": "nlu_fallback", "confidence": 0.51},
                           "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.51},
                                              {"name": "debt_bills", "confidence": 0.51},
                                              {"name": "ask_human", "confidence": 0.49}]},
                          [BotReply("Sorry, ik begrijp je niet goed.")])
    decision = decide(turn("ik wil met iemand praten over mijn schulden"), conversed)
    assert decision.handover == Handover("ask_human") and decision.intent == "debt_bills"


def test_two_needs_in_one_message_split_the_confidence_and_are_still_named():
    conversed = Conversed({"intent": {"name": "debt_bills", "confidence": 0.5},
                           "intent_ranking": [{"name": "debt_bills", "confidence": 0.5},
                                              {"name": "nuisance_noise", "confidence": 0.45}]},
                          [BotReply("Ik hoor twee dingen.")])
    decision = decide(turn("ik heb schulden en ook de buren maken veel herrie"), conversed)
    assert text_of(decision) == "Ik hoor twee dingen." and not decision.forget_assistant_turn


def test_only_offered_payloads_act_as_payloads():
    from bot.decision import typed_payload

    offered = frozenset({'/choose_theme{"theme": "schulden"}', "/ask_human"})
    assert typed_payload('/inform_location{"wijk": "Noord"}', offered)
    assert typed_payload("/crisis_suicide", offered)
    assert not typed_payload("/ask_human", offered)
    assert not typed_payload(' /choose_theme{"theme": "schulden"} ', offered)
    assert not typed_payload("/greet", frozenset())  # Telegram's /start
    assert not typed_payload("ik heb schulden / rekeningen", frozenset())


def test_a_typed_payload_in_the_queue_gets_where_the_resident_stands_without_dead_buttons():
    """Theme buttons ("Geldzorgen", ...) lead nowhere while a person is awaited: only the note."""
    for desk in (OPEN, CLOSED):
        waiting = Turn("/ask_human", Snapshot(State.WAITING), desk)
        decision = decide(waiting)
        assert decision.ask_assistant is None
        assert [r.buttons for r in decision.replies] == [[]] * len(decision.replies)
        assert decision.replies and "medewerker" in decision.replies[-1].text
    in_the_bot = decide(Turn("/ask_human", Snapshot(State.BOT), OPEN))
    assert in_the_bot.replies[0].buttons  # the warm question with its themes, as before
