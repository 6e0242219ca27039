"""The frontline workers' console at /console: the route table. The pages live in
bot/handover/pages/, one module per area (login, queue, conversation, referrals, admin).

Server-rendered pages (Jinja2, autoescaped) that work without JavaScript; a small script adds
live updates over server-sent events. Every endpoint checks the role itself."""

from __future__ import annotations

from starlette.routing import Route

from bot.handover.pages import accessibility, admin, conversation, login, queue, referrals

ROUTES = [
    Route("/console/login", login.login_page, methods=["GET"]),
    Route("/console/login", login.login, methods=["POST"]),
    Route("/console/logout", login.logout, methods=["POST"]),
    Route("/console", queue.queue_page, methods=["GET"]),
    Route("/console/queue", queue.queue_fragment, methods=["GET"]),
    Route("/console/events", queue.events, methods=["GET"]),
    Route("/console/alerts", queue.alerts, methods=["GET"]),
    Route("/console/conversations/{id:int}/claim", queue.claim, methods=["POST"]),
    Route("/console/conversations/{id:int}", conversation.conversation_page, methods=["GET"]),
    Route("/console/conversations/{id:int}/transcript", conversation.transcript_fragment, methods=["GET"]),
    Route("/console/conversations/{id:int}/reply", conversation.reply, methods=["POST"]),
    Route("/console/conversations/{id:int}/note", conversation.note, methods=["POST"]),
    Route("/console/conversations/{id:int}/handback", conversation.hand_back, methods=["POST"]),
    Route("/console/conversations/{id:int}/transfer", conversation.transfer, methods=["POST"]),
    Route("/console/conversations/{id:int}/close", conversation.close, methods=["POST"]),
    Route("/console/terugbelverzoeken", referrals.referrals_page, methods=["GET"]),
    Route("/console/terugbelverzoeken/{id:int}", referrals.referral_page, methods=["GET"]),
    Route("/console/terugbelverzoeken/{id:int}/nummer", referrals.show_phone, methods=["POST"]),
    Route("/console/terugbelverzoeken/{id:int}/nummer", referrals.phone_again, methods=["GET"]),
    Route("/console/terugbelverzoeken/{id:int}/resultaat", referrals.record, methods=["POST"]),
    Route("/console/admin", admin.admin_page, methods=["GET"]),
    Route("/console/admin/log.csv", admin.access_log_csv, methods=["GET"]),
    Route("/console/admin/users", admin.add_user_form, methods=["POST"]),
    Route("/console/admin/users/{id:int}", admin.change_user_form, methods=["POST"]),
    Route("/toegankelijkheid", accessibility.statement, methods=["GET"]),
]
