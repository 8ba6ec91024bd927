"""Nominations: award categories, nominations with narratives and evidence, eligibility review."""
