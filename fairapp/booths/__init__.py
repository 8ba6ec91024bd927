"""Booths: applications, review with capacity and a waiting list, floor plan, passes, check-in."""
