"""Judging: rubrics, assignment with conflicts of interest, scoring, chair finalization (domain core)."""
