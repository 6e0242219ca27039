"""The anonymised need log: what residents needed and whether it was met."""
