"""The console's pages, one module per area: login, queue, conversation, admin.

Endpoints are plain module-level Starlette functions; they reach the switchboard through
`request.app.state.switchboard`. The route table is in bot/handover/console.py."""
