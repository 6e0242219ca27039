"""Actions the assistant runs: route a need to a local service, follow up, ask for a person.

Actions speak to the gateway through custom JSON messages under the key "voordeur"
(handover requests, need events); the gateway is the only part that writes the database.
The routing logic itself is plain functions in actions/routing.py.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.routing import (
    UNKNOWN, Reply, location_buttons, need_fields, need_intents, read_location, route_answer, say,
    second_need, topic, wijk_in_message,
)
from bot.directory import default_directory, needs_location, route, wijk_for_postcode

# A fallback message still counts as one problem when the model's best guess is this sure.
FALLBACK_NEED_CONFIDENCE = 0.2


def instruction(**fields: Any) -> dict[str, Any]:
    return {"voordeur": fields}


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def record(dispatcher: CollectingDispatcher, intent: str, wijk: str | None, outcome: str) -> None:
    dispatcher.utter_message(json_message=instruction(need=need_fields(intent, wijk, outcome)))


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


class ActionRouteNeed(Action):
    """Debt, care and nuisance needs; answers to 'where do you live?'; yes to a second problem."""

    def name(self) -> str:
        return "action_route_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        directory = default_directory()
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        text = message.get("text") or ""
        ranking = message.get("intent_ranking") or []
        expecting = tracker.get_slot("expecting")
        needs = need_intents()

        if expecting == "location" and tracker.get_slot("pending_intent") in needs:
            answer = read_location(directory, text, entity_wijk(tracker))
            if answer is not None or intent not in needs:
                wijk = answer.wijk if answer else None
                return self.answer(dispatcher, tracker.get_slot("pending_intent"), wijk,
                                   tracker.get_slot("offered_intent"), remember=wijk or UNKNOWN)

        if expecting == "second_need" and intent == "affirm" and tracker.get_slot("offered_intent") in needs:
            return self.need(dispatcher, tracker, tracker.get_slot("offered_intent"), "", [])

        if intent in needs:
            return self.need(dispatcher, tracker, intent, text, ranking)

        if intent == "nlu_fallback":
            best = next((r for r in ranking if r.get("name") != "nlu_fallback"), {})
            if (best.get("name") in needs and float(best.get("confidence") or 0) >= FALLBACK_NEED_CONFIDENCE
                    and second_need(text, best["name"], ranking)):
                return self.need(dispatcher, tracker, best["name"], text, ranking)
            send(dispatcher, say("utter_ask_rephrase"))
            return []

        # inform_location without a pending need: remember the wijk, ask what the matter is.
        answer = read_location(directory, text, entity_wijk(tracker))
        if answer is not None and answer.wijk:
            send(dispatcher, say("utter_location_noted"))
            return [SlotSet("wijk", answer.wijk)]
        send(dispatcher, say("utter_ask_rephrase"))
        return []

    def need(self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, text: str,
             ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
        directory = default_directory()
        second = second_need(text, intent, ranking)
        if second:
            send(dispatcher, say("utter_two_problems", first=topic(intent), second=topic(second)))
        dispatcher.utter_message(response=f"utter_ack_{intent}")
        named = wijk_in_message(directory, text, entity_wijk(tracker))
        wijk = named or known_wijk(tracker)
        if wijk is None and needs_location(directory, intent):
            send(dispatcher, Reply(say("utter_ask_location").text, location_buttons(directory)))
            return [SlotSet("expecting", "location"), SlotSet("pending_intent", intent),
                    SlotSet("offered_intent", second)]
        return self.answer(dispatcher, intent, None if wijk == UNKNOWN else wijk, second, remember=named)

    def answer(self, dispatcher: CollectingDispatcher, intent: str, wijk: str | None,
               second: str | None, remember: str | None = None) -> list[dict[str, Any]]:
        """Name the service; `remember` is a wijk (or UNKNOWN) the resident just gave."""
        directory = default_directory()
        found = route(directory, intent, wijk)
        answer = route_answer(directory, found)
        dispatcher.utter_message(text=answer.text)
        record(dispatcher, intent, wijk, answer.outcome)
        events = [SlotSet("pending_intent", None), SlotSet("routed_intent", intent)]
        if remember:
            events.append(SlotSet("wijk", remember))
        if second and second != intent:
            send(dispatcher, say("utter_offer_second", second=topic(second), second_intent=second))
            return events + [SlotSet("expecting", "second_need"), SlotSet("offered_intent", second)]
        dispatcher.utter_message(response="utter_offer_human")
        return events + [SlotSet("expecting", None), SlotSet("offered_intent", None)]


class ActionRouteLocationAnswer(ActionRouteNeed):
    """The same action, for the rules that read an answer to 'where do you live?'."""

    def name(self) -> str:
        return "action_route_location_answer"


class ActionRouteOfferedNeed(ActionRouteNeed):
    """The same action, for 'yes' to the second problem of a message."""

    def name(self) -> str:
        return "action_route_offered_need"


class ActionFollowUp(Action):
    """'Daar is een wachtlijst', 'dat helpt niet': offer a person, record the unmet need."""

    def name(self) -> str:
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = (tracker.latest_message.get("text") or "").lower()
        waiting = intent == "report_waiting_list" or "wacht" in text
        outcome = "waiting_list" if waiting else "not_helped"
        dispatcher.utter_message(response=f"utter_follow_up_{outcome}")
        routed = tracker.get_slot("routed_intent")
        if routed in need_intents():
            wijk = known_wijk(tracker)
            record(dispatcher, routed, None if wijk == UNKNOWN else wijk, outcome)
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("expecting", None)]


class ActionDeclineNeed(Action):
    """'Nee' to the second problem of a message: fine, and recorded as declined."""

    def name(self) -> str:
        return "action_decline_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        offered = tracker.get_slot("offered_intent")
        dispatcher.utter_message(response="utter_decline_second")
        if offered in need_intents():
            wijk = known_wijk(tracker)
            record(dispatcher, offered, None if wijk == UNKNOWN else wijk, "declined")
        return [SlotSet("expecting", None), SlotSet("offered_intent", None)]


class ActionOutOfScope(Action):
    """Questions the assistant cannot help with; from the second one on, offer a person, and
    record once per conversation that such questions keep coming."""

    REPEAT = 2

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        count = int(tracker.get_slot("out_of_scope_count") or 0) + 1
        dispatcher.utter_message(response="utter_out_of_scope")
        if count >= self.REPEAT:
            if count == self.REPEAT:
                wijk = known_wijk(tracker)
                record(dispatcher, "out_of_scope", None if wijk == UNKNOWN else wijk, "out_of_scope")
            dispatcher.utter_message(response="utter_out_of_scope_again")
            dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("out_of_scope_count", float(count))]


class ActionRequestHandover(Action):
    def name(self) -> str:
        return "action_request_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        dispatcher.utter_message(response="utter_handover")
        dispatcher.utter_message(json_message=instruction(handover={"reason": "ask_human"}))
        return [SlotSet("expecting", None)]
