"""The schedule of the periodic jobs (core.jobs.every): what beat and `make run`'s timer run, and how often."""
from __future__ import annotations

from fairapp.core import jobs


def _periods(cfg) -> dict[str, float]:
    return {name.rsplit(".", 1)[1]: entry["schedule"] for name, entry in jobs._beat_schedule(cfg).items()}


def test_the_features_declare_their_periodic_jobs_with_their_periods(app):
    periods = _periods(app.config)
    assert {"lapse_offers": 60, "remind_before_close": 3600, "sweep_mail": 60,
            "sweep_batches": 60}.items() <= periods.items()
    assert all(entry["task"] == name for name, entry in jobs._beat_schedule(app.config).items())


def test_sweep_every_shortens_the_minute_jobs_only(app, monkeypatch):
    """The test cluster's SWEEP_EVERY=10: the sweeps and offer expiry every 10 s; the hourly reminders stay
    hourly (a judge is never mailed more often than the rule says), and so does anything slower than a minute."""
    declared = _periods(app.config)
    monkeypatch.setitem(app.config, "SWEEP_EVERY", 10)
    shortened = _periods(app.config)
    assert shortened == {name: 10 if period <= 60 else period for name, period in declared.items()}
    assert shortened["sweep_mail"] == shortened["sweep_batches"] == shortened["lapse_offers"] == 10
    assert shortened["remind_before_close"] == 3600
