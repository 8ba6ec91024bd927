"""Fairs: the public fair pages, and fair set-up and per-fair roles for admins."""
