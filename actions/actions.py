"""Actions the assistant runs: route a need to a local service, read short answers against the
question asked last, explain again, answer worries, follow up, ask for a person.

Actions speak to the gateway through custom JSON messages under the key "voordeur"
(handover requests, need events); the gateway is the only part that writes the database.
The routing logic itself is plain functions in actions/routing.py; what was asked last and how
a short answer reads against it in actions/asked.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.asked import (ANSWER_INTENTS, DETAILS, HUMAN, LOCATION, NO, SECOND_NEED, UNSURE, YES, asks_about_cost,
                           asks_what_i_do, short_answer)
from actions.needs import heard, merge_open, needs_in_message
from actions.routing import (
    UNKNOWN, Reply, elsewhere_answer, location_buttons, need_fields, need_intents, read_location,
    route_answer, say, second_need, topic, wijk_in_message,
)
from bot import clock
from bot.directory import default_directory, needs_location, place_elsewhere, route, wijk_for_postcode
from bot.handover.hours import desk_hours, say_when

# A fallback message still counts as one problem when the model's best guess is this sure.
FALLBACK_NEED_CONFIDENCE = 0.2

Events = list[dict[str, Any]]


def instruction(**fields: Any) -> dict[str, Any]:
    return {"voordeur": fields}


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def record(dispatcher: CollectingDispatcher, intent: str, wijk: str | None, outcome: str,
           service: str | None = None) -> None:
    """A need event for the gateway; `service` is the directory id of the service named (the
    gateway may offer a call back by it, bot/own_questions.py)."""
    fields = need_fields(intent, wijk, outcome)
    if service:
        fields["service"] = service
    dispatcher.utter_message(json_message=instruction(need=fields))


def desk(tracker: Tracker) -> tuple[bool, str]:
    """Is a worker at the desk now, and if not, when (as a resident reads it: 'morgen om 9:00')?
    The gateway may tell us in the message's metadata (desk_open, desk_next_opening); otherwise
    the desk hours and the clock say."""
    user: dict[str, Any] = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    metadata = user.get("metadata") or {}
    if isinstance(metadata.get("desk_open"), bool):
        return metadata["desk_open"], str(metadata.get("desk_next_opening") or say("utter_desk_soon").text)
    now, hours = clock.now(), desk_hours()
    if hours.is_open(now):
        return True, ""
    opening = hours.next_opening(now)
    return False, say_when(opening, now) if opening else say("utter_desk_soon").text


def person_reply(tracker: Tracker, name: str) -> Reply:
    """A sentence about a worker: outside desk hours its _closed variant, which says when."""
    is_open, when = desk(tracker)
    return say(name) if is_open else say(f"{name}_closed", next_opening=when)


def offer_person(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """'Wil je dat een medewerker met je meekijkt?'; shorter from the second time on."""
    offers = int(tracker.get_slot("offers_made") or 0)
    send(dispatcher, person_reply(tracker, "utter_offer_human" if offers == 0 else "utter_offer_human_short"))
    return [SlotSet("expecting", HUMAN), SlotSet("offers_made", float(offers + 1))]


def hand_over(dispatcher: CollectingDispatcher) -> Events:
    dispatcher.utter_message(response="utter_handover")
    dispatcher.utter_message(json_message=instruction(handover={"reason": "ask_human"}))
    return [SlotSet("expecting", None)]


def still_open(tracker: Tracker) -> list[str]:
    """Needs the resident named that are not served or declined yet (the offered one first)."""
    offered = tracker.get_slot("offered_intent") if tracker.get_slot("expecting") == SECOND_NEED else None
    waiting = [str(n) for n in tracker.get_slot("open_needs") or []]
    return ([offered] if offered in need_intents() else []) + [n for n in waiting if n != offered]


def tell_needs(dispatcher: CollectingDispatcher, tracker: Tracker, needs: list[str]) -> Events:
    """Every need heard in this conversation, for the worker (issue 13.3); only when it grows."""
    before = [str(n) for n in tracker.get_slot("needs_heard") or []]
    after = before + [n for n in needs if n not in before]
    if after == before:
        return []
    dispatcher.utter_message(json_message=instruction(needs=after))
    return [SlotSet("needs_heard", after)]


def offer_next(dispatcher: CollectingDispatcher, tracker: Tracker, rest: list[str]) -> Events:
    """Offer the next need still open, or a person when none is left."""
    if rest:
        send(dispatcher, say("utter_offer_second", second=topic(rest[0]), second_intent=rest[0]))
        return [SlotSet("expecting", SECOND_NEED), SlotSet("offered_intent", rest[0]), SlotSet("open_needs", rest[1:])]
    return [SlotSet("offered_intent", None), SlotSet("open_needs", []), *offer_person(dispatcher, tracker)]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def entity_wijk(tracker: Tracker) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "wijk":
            return str(entity.get("value"))
    return None


def known_wijk(tracker: Tracker) -> str | None:
    """The wijk from earlier in the conversation, or UNKNOWN when the resident chose not to say."""
    directory = default_directory()
    wijk = tracker.get_slot("wijk")
    if wijk in directory.wijk_names() or wijk == UNKNOWN:
        return wijk
    postcode = tracker.get_slot("postcode")
    return wijk_for_postcode(directory, str(postcode)) if postcode else None


def log_wijk(tracker: Tracker) -> str | None:
    wijk = known_wijk(tracker)
    return None if wijk == UNKNOWN else wijk


def say_cost(dispatcher: CollectingDispatcher, text: str, service: Any = None) -> Events:
    """'kost dat geld?': an honest line about cost; the service's own word when the directory
    says it is free, else that some help costs a small amount (a Wmo eigen bijdrage)."""
    if asks_about_cost(text):
        free = service is not None and "gratis" in (service.eligibility or "").lower()
        if free:
            send(dispatcher, say("utter_explain_cost_free", service=service.name))
        else:
            dispatcher.utter_message(response="utter_explain_cost")
    return []


def explain_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """The last point again, more simply, and a person on offer."""
    directory = default_directory()
    text = tracker.latest_message.get("text") or ""
    expecting = tracker.get_slot("expecting")
    needs = need_intents()
    routed = tracker.get_slot("routed_intent")
    served = routed in needs and not tracker.get_slot("elsewhere")
    if expecting == LOCATION:
        buttons = [*location_buttons(directory), {"title": say("utter_button_person").text, "payload": "/ask_human"}]
        send(dispatcher, Reply(say("utter_explain_location").text, buttons))
        return say_cost(dispatcher, text)
    offered = tracker.get_slot("offered_intent")
    if expecting == SECOND_NEED and offered in needs:
        send(dispatcher, say("utter_explain_second", second=topic(offered), second_intent=offered))
        return []
    if asks_what_i_do(text):  # what this assistant is for, with the themes to choose from
        dispatcher.utter_message(response="utter_explain_what_i_do")
        return [SlotSet("expecting", None)]
    service = None
    if served:
        found = route(directory, routed, log_wijk(tracker))
        service = found.service
        if found.service:
            send(dispatcher, say("utter_explain_route", service=found.service.name, phone=found.phone))
        else:
            send(dispatcher, say("utter_explain_no_service", phone=directory.phone))
    elif expecting != HUMAN:
        dispatcher.utter_message(response="utter_explain_start")
    say_cost(dispatcher, text, service)
    send(dispatcher, person_reply(tracker, "utter_explain_human"))
    return [SlotSet("expecting", HUMAN)]


class ActionRouteNeed(Action):
    """Debt, care and nuisance needs; answers to 'where do you live?', also when given late."""

    def name(self) -> str:
        return "action_route_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        directory = default_directory()
        message = tracker.latest_message
        intent = latest_intent(tracker)
        text = message.get("text") or ""
        ranking = message.get("intent_ranking") or []
        needs = need_intents()
        pending = tracker.get_slot("pending_intent")

        # While a wijk is asked: "nord" may read as a need; a wijk or a place in the answer still wins.
        if tracker.get_slot("expecting") == LOCATION and pending in needs and (
                intent not in needs or read_location(directory, text, entity_wijk(tracker)) is not None
                or place_elsewhere(directory, text)):
            return self.location_answer(dispatcher, tracker, pending, text)

        found = message.get("needs") or []
        if intent in needs:
            return self.need(dispatcher, tracker, intent, text, ranking, found)

        if intent == "nlu_fallback":
            best: dict[str, Any] = next((r for r in ranking if r.get("name") != "nlu_fallback"), {})
            guess = best.get("name")
            if guess in needs and float(best.get("confidence") or 0) >= FALLBACK_NEED_CONFIDENCE and (
                    len(needs_in_message(guess, text, ranking, found)) > 1):
                return self.need(dispatcher, tracker, guess, text, ranking, found)
            if needs_in_message(None, text, ranking, found):
                # A long story the model is unsure of as a whole, with clear problems in it.
                return self.need(dispatcher, tracker, None, text, ranking, found)
            # "mss", "wrs wel", "ja maar wat kost dat": still an answer to the question asked last.
            kind = short_answer(guess if guess in ANSWER_INTENTS else None, text)
            if tracker.get_slot("expecting") and kind:
                return self.answer_question(dispatcher, tracker, kind, text)
            if guess == "ask_clarify":
                return explain_again(dispatcher, tracker)
            send(dispatcher, say("utter_ask_rephrase"))
            return []

        # "de hangjongeren maken me bang, ik woon in noord" reads as a location: the need comes first.
        named = self.need_named_with_place(text, intent, ranking)
        if named:
            return self.need(dispatcher, tracker, named, text, ranking)

        # A place or postcode without a need waiting: for the last need, or remembered.
        routed = tracker.get_slot("routed_intent")
        elsewhere = place_elsewhere(directory, text)
        if elsewhere:
            return self.elsewhere(dispatcher, routed if routed in needs else None, elsewhere)
        answer = read_location(directory, text, entity_wijk(tracker))
        if answer is not None and answer.wijk:
            if routed in needs:
                send(dispatcher, say("utter_late_location", wijk=answer.wijk, topic=topic(routed)))
                # Recorded again: the gateway updates the need's first event with the wijk.
                return self.answer(dispatcher, tracker, routed, answer.wijk, still_open(tracker),
                                   remember=answer.wijk)
            send(dispatcher, say("utter_location_noted"))
            return [SlotSet("wijk", answer.wijk), SlotSet("elsewhere", None)]
        send(dispatcher, say("utter_ask_rephrase"))
        return []

    @staticmethod
    def need_named_with_place(text: str, intent: str | None, ranking: list[dict[str, Any]]) -> str | None:
        """A need in a message the model read as a place: ranked close behind, or named in words."""
        if intent != "inform_location":
            return None
        needs = need_intents()
        ranked = next((r["name"] for r in ranking if r.get("name") in needs
                       and float(r.get("confidence") or 0) >= FALLBACK_NEED_CONFIDENCE), None)
        return ranked or second_need(text, intent, ranking)

    def location_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, pending: str,
                        text: str) -> Events:
        """The reply to 'where do you live?': a wijk, elsewhere, or not saying (city-wide)."""
        directory = default_directory()
        elsewhere = place_elsewhere(directory, text)
        if elsewhere:
            return [*self.elsewhere(dispatcher, pending, elsewhere), SlotSet("pending_intent", None)]
        answer = read_location(directory, text, entity_wijk(tracker))
        wijk = answer.wijk if answer else None
        return self.answer(dispatcher, tracker, pending, wijk, list(tracker.get_slot("open_needs") or []),
                           remember=wijk or UNKNOWN)

    def need(self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None, text: str,
             ranking: list[dict[str, Any]], found: list[dict[str, Any]] | None = None) -> Events:
        """Help with the most urgent need of the message; the others wait in `open_needs`
        (actions/needs.py) and are offered one by one."""
        directory = default_directory()
        needs = needs_in_message(intent, text, ranking, found)
        intent, rest = needs[0], merge_open(needs[1:], [n for n in still_open(tracker) if n != needs[0]])
        told = tell_needs(dispatcher, tracker, needs)
        elsewhere = place_elsewhere(directory, text) or tracker.get_slot("elsewhere")
        named = wijk_in_message(directory, text, entity_wijk(tracker))
        if elsewhere and not named:
            dispatcher.utter_message(response=f"utter_ack_{intent}")
            return told + self.elsewhere(dispatcher, intent, str(elsewhere))
        for reply in heard(needs, text):
            send(dispatcher, reply)
        if int(tracker.get_slot("answers_given") or 0) == 0:
            dispatcher.utter_message(response=f"utter_ack_{intent}")
        else:  # the second time, a short line that names the need is enough
            send(dispatcher, say("utter_ack_again", topic=topic(intent)))
        wijk = named or known_wijk(tracker)
        if wijk is None and needs_location(directory, intent):
            send(dispatcher, Reply(say("utter_ask_location").text, location_buttons(directory)))
            return [*told, SlotSet("expecting", LOCATION), SlotSet("pending_intent", intent),
                    SlotSet("offered_intent", None), SlotSet("open_needs", rest)]
        return told + self.answer(dispatcher, tracker, intent, None if wijk == UNKNOWN else wijk, rest,
                                  remember=named)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, wijk: str | None,
               rest: list[str], remember: str | None = None) -> Events:
        """Name the service, then offer the next need still open; `remember` is a wijk (or
        UNKNOWN) the resident just gave."""
        directory = default_directory()
        found = route(directory, intent, wijk)
        answer = route_answer(directory, found)
        given = int(tracker.get_slot("answers_given") or 0)
        dispatcher.utter_message(text=answer.short)
        record(dispatcher, intent, wijk, answer.outcome, found.service.id if found.service else None)
        events = [SlotSet("pending_intent", None), SlotSet("routed_intent", intent),
                  SlotSet("answers_given", float(given + 1))]
        if remember:
            events += [SlotSet("wijk", remember), SlotSet("elsewhere", None)]
        rest = [n for n in rest if n != intent]
        if rest:
            if answer.details:  # the next question is about the other problem: details now
                dispatcher.utter_message(text=answer.details)
            return events + offer_next(dispatcher, tracker, rest)
        events += [SlotSet("offered_intent", None), SlotSet("open_needs", [])]
        if answer.details:
            send(dispatcher, say("utter_offer_details" if given == 0 else "utter_offer_details_short"))
            return [*events, SlotSet("expecting", DETAILS)]
        return events + offer_person(dispatcher, tracker)

    def elsewhere(self, dispatcher: CollectingDispatcher, intent: str | None, place: str) -> Events:
        """A resident of another municipality: what works everywhere, never local services."""
        directory = default_directory()
        send(dispatcher, Reply(elsewhere_answer(directory, intent, place)))
        return [SlotSet("elsewhere", place), SlotSet("expecting", None), SlotSet("offered_intent", None)]


    def answer_question(self, dispatcher: CollectingDispatcher, tracker: Tracker, kind: str,
                        text: str) -> Events:
        """A yes (YES), no (NO) or maybe (UNSURE) read against the question asked last."""
        expecting = tracker.get_slot("expecting")
        needs = need_intents()

        if expecting == LOCATION and tracker.get_slot("pending_intent") in needs:
            return self.location_answer(dispatcher, tracker, tracker.get_slot("pending_intent"), text)

        if expecting == HUMAN:
            if kind == YES:
                return hand_over(dispatcher)
            if kind == NO:
                dispatcher.utter_message(response="utter_deny_human")
                return [SlotSet("expecting", None)]
            send(dispatcher, person_reply(tracker, "utter_explain_human"))
            return [SlotSet("expecting", HUMAN)]

        offered = tracker.get_slot("offered_intent")
        if expecting == SECOND_NEED and offered in needs:
            if kind == YES:
                return self.need(dispatcher, tracker, offered, "", [])
            dispatcher.utter_message(response="utter_decline_second")
            record(dispatcher, offered, log_wijk(tracker), "declined")
            rest = [n for n in still_open(tracker) if n != offered]
            if rest:  # the next need of the message
                return offer_next(dispatcher, tracker, rest)
            return [SlotSet("expecting", None), SlotSet("offered_intent", None), SlotSet("open_needs", [])]

        if expecting == DETAILS:
            return self.details(dispatcher, tracker, kind)

        dispatcher.utter_message(response={YES: "utter_affirm", NO: "utter_deny"}.get(kind, "utter_unsure"))
        return [SlotSet("expecting", None)]

    def details(self, dispatcher: CollectingDispatcher, tracker: Tracker, kind: str) -> Events:
        """Address and opening hours of the service just named, on request; then a person."""
        routed = tracker.get_slot("routed_intent")
        if kind == NO or routed not in need_intents():
            dispatcher.utter_message(response="utter_deny_details")
        else:
            directory = default_directory()
            dispatcher.utter_message(text=route_answer(directory, route(directory, routed, log_wijk(tracker))).details)
        return offer_person(dispatcher, tracker)


class ActionRouteLocationAnswer(ActionRouteNeed):
    """The same action, for the rules that read an answer to 'where do you live?'."""

    def name(self) -> str:
        return "action_route_location_answer"


class ActionAnswerQuestion(ActionRouteNeed):
    """Yes, no or 'weet ik niet', typed or pressed, read against the question asked last."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        text = tracker.latest_message.get("text") or ""
        kind = short_answer(latest_intent(tracker), text) or UNSURE
        return self.answer_question(dispatcher, tracker, kind, text)


class ActionGiveDetails(ActionRouteNeed):
    """'wat is het adres?', 'hoe laat zijn ze open?': the details of the service just named."""

    def name(self) -> str:
        return "action_give_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        if tracker.get_slot("routed_intent") in need_intents() and not tracker.get_slot("elsewhere"):
            return self.details(dispatcher, tracker, YES)
        return explain_again(dispatcher, tracker)


class ActionExplain(Action):
    """'wat bedoel je?', 'dit is te moeilijk', 'en nu?', 'kost dat geld?': the last point again,
    more simply, and a person on offer."""

    def name(self) -> str:
        return "action_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        return explain_again(dispatcher, tracker)


class ActionAnswerWorry(Action):
    """Fear, shame and distrust: an honest answer of their own, then a person on offer.
    Also 'ben je een computer?', which itself asks whether the resident wants a person."""

    ASKS_ITSELF: ClassVar[frozenset[str]] = frozenset({"bot_challenge"})  # the answer asks about a person
    # What a worry is about is not a need of its own ("raak ik mijn bijstand kwijt?").
    SUBJECT: ClassVar[dict[str, str]] = {"worry_benefit": "debt_benefits", "worry_children": "care_youth"}

    def name(self) -> str:
        return "action_answer_worry"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        intent = latest_intent(tracker) or ""
        if intent == "bot_challenge" and asks_what_i_do(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response="utter_explain_what_i_do")  # "wie ben jij?": what it is for
            return [SlotSet("expecting", None)]
        if intent in self.ASKS_ITSELF:
            dispatcher.utter_message(response=f"utter_{intent}")
            return [SlotSet("expecting", HUMAN)]
        if intent == "worry_children":
            found = route(default_directory(), "care_youth", log_wijk(tracker))
            service = found.service.name if found.service else default_directory().municipality
            send(dispatcher, say("utter_worry_children", service=service, phone=found.phone))
        else:
            dispatcher.utter_message(response=f"utter_{intent}")
        # "ik heb schulden maar ik ben bang dat ...": the worry first, then the needs it names,
        # offered one by one like the other needs of a message.
        message = tracker.latest_message
        text, ranking = message.get("text") or "", message.get("intent_ranking") or []
        named = needs_in_message(None, text, ranking, message.get("needs")) or [
            n for n in [second_need(text, intent, ranking)] if n]
        named = [n for n in named if n != self.SUBJECT.get(intent)]
        if named:
            return tell_needs(dispatcher, tracker, named) + offer_next(dispatcher, tracker, named)
        return offer_person(dispatcher, tracker)


class ActionFollowUp(Action):
    """'Daar is een wachtlijst', 'dat helpt niet': offer a person, record the unmet need."""

    def name(self) -> str:
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        intent = latest_intent(tracker)
        text = (tracker.latest_message.get("text") or "").lower()
        waiting = intent == "report_waiting_list" or "wacht" in text
        outcome = "waiting_list" if waiting else "not_helped"
        dispatcher.utter_message(response=f"utter_follow_up_{outcome}")
        routed = tracker.get_slot("routed_intent")
        if routed in need_intents():
            record(dispatcher, routed, log_wijk(tracker), outcome)
        return offer_person(dispatcher, tracker)


class ActionOutOfScope(Action):
    """Questions the assistant cannot help with; from the second one on, offer a person, and
    record once per conversation that such questions keep coming."""

    REPEAT = 2

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        count = int(tracker.get_slot("out_of_scope_count") or 0) + 1
        dispatcher.utter_message(response="utter_out_of_scope")
        events: Events = [SlotSet("out_of_scope_count", float(count)), SlotSet("expecting", None)]
        if count >= self.REPEAT:
            if count == self.REPEAT:
                record(dispatcher, "out_of_scope", log_wijk(tracker), "out_of_scope")
            dispatcher.utter_message(response="utter_out_of_scope_again")
            events += offer_person(dispatcher, tracker)
        return events


class ActionRequestHandover(Action):
    def name(self) -> str:
        return "action_request_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        # "ik wil iemand spreken over mijn schulden": the worker sees the debts too (issue 13.3).
        message = tracker.latest_message
        ranking = message.get("intent_ranking") or []
        best: dict[str, Any] = next((r for r in ranking if r.get("name") in need_intents()), {})
        guess = best.get("name") if float(best.get("confidence") or 0) >= FALLBACK_NEED_CONFIDENCE else None
        needs = needs_in_message(guess, message.get("text") or "", ranking, message.get("needs"))
        return tell_needs(dispatcher, tracker, needs) + hand_over(dispatcher)
