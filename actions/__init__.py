"""Voordeur's custom actions for the Rasa action server (rasa-sdk)."""
