"""Actions the assistant runs: route a need, ask for a person.

Actions speak to the gateway through custom JSON messages under the key "voordeur"
(handover requests, need events); the gateway is the only part that writes the database.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def instruction(**fields: Any) -> dict[str, Any]:
    return {"voordeur": fields}


class ActionRouteNeed(Action):
    def name(self) -> str:
        return "action_route_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=f"utter_ack_{intent}")
        dispatcher.utter_message(response="utter_offer_human")
        return []


class ActionRequestHandover(Action):
    def name(self) -> str:
        return "action_request_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        dispatcher.utter_message(response="utter_handover")
        dispatcher.utter_message(json_message=instruction(handover={"reason": "ask_human"}))
        return []
