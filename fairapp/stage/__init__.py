"""Stage mode for the awards announcement (issue 16): a projector page showing one awardee at a time (the
cover, then every finalized category's results with an award level, in the certificates' stage order), a
control page the master of ceremonies steps it from (next / back / jump), the shared position in the
database (stage_positions) so several app servers agree, and a small JSON state the projector polls.
Fair staff only (fairs.access.staff_fair_or_404)."""
