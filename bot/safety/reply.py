"""The crisis net's answer, put together from domain.yml wording.

One function so the decision only calls it: the line that fits leads (112 for an emergency or
when a weapon, fire, someone at the door or danger now is named; 113 for suicide; Veilig
Thuis for violence at home), "het is niet jouw schuld" only to the person it happens to, and
one short line in the resident's own language after the Dutch.
"""

from __future__ import annotations

from bot.responses import Response, response, response_in
from bot.safety import CrisisMatch

FIRST_NUMBER = {"suicide": "113", "violence": "veilig thuis", "emergency": "112"}


def first_number(match: CrisisMatch) -> str:
    """The emergency line the answer names first: "112", "113" or "veilig thuis"."""
    return "112" if match.urgent else FIRST_NUMBER[match.kind]


def crisis_reply(match: CrisisMatch) -> Response:
    """The answer to a crisis message: Dutch first, then a line in the resident's language."""
    parts: list[str] = []
    lines: list[str] = []
    if match.urgent and match.kind != "emergency":
        parts.append(response("utter_gateway_crisis_112_first").text)
        lines.append("utter_gateway_crisis_line_emergency")
    if match.kind == "violence" and not match.about_self:
        parts.append(response("utter_gateway_crisis_violence_other").text)
    else:
        parts.append(response(f"utter_{match.intent}").text)
    lines.append(f"utter_gateway_crisis_line_{match.kind}")
    if match.language != "nl":
        for name in lines:
            line = response_in(name, match.language)
            if line is not None:
                parts.append(line.text)
    return Response(text="\n\n".join(parts))
