"""Voordeur: a plain-Dutch front door to local services for residents."""
