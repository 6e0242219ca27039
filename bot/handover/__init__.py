"""Handover to people: the queue, claims, console users and the console pages."""
