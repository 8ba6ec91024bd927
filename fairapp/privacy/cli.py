"""`flask privacy dpo EMAIL [--revoke]`: make a person the data protection officer (or no longer);
`flask privacy purge [--dry-run [--as-of YYYY-MM-DD]]`: remove what is past its retention period (or list
what a run would remove, today or on a later day)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    group = AppGroup("privacy", help="Personal data duties (PDPA).")

    @group.command("dpo")
    @click.argument("email")
    @click.option("--revoke", is_flag=True, help="No longer the DPO.")
    def dpo(email: str, revoke: bool) -> None:
        """Make the account with this email the data protection officer (audited)."""
        from ..accounts.operations import find_user_by_email
        from ..core.transaction import unit_of_work
        from .operations import set_dpo

        with unit_of_work():
            user = find_user_by_email(email)
            if user is None:
                raise click.ClickException(f"no account with the email {email}")
            changed = set_dpo(user, not revoke, None)
        state = "is no longer" if revoke else "is"
        click.echo(f"{email} {state} the data protection officer" + ("" if changed else " (unchanged)"))

    @group.command("purge")
    @click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
    @click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="With --dry-run: what a run on that day (YYYY-MM-DD, Gregorian) would remove.")
    def purge_command(dry_run: bool, as_of) -> None:
        """Remove what is past its retention period (the daily job does the same)."""
        from datetime import timezone

        from ..core.time import BANGKOK
        from ..core.transaction import unit_of_work
        from . import purge

        if as_of is not None and not dry_run:
            raise click.UsageError("--as-of only plans (with --dry-run): a purge removes what is past its period today")
        now = None if as_of is None else \
            as_of.replace(hour=12, tzinfo=BANGKOK).astimezone(timezone.utc)  # noon in Bangkok that day
        with unit_of_work():
            result = purge.plan(now) if dry_run else purge.purge()
        verb = ("would remove" if as_of is None else f"would remove on {as_of:%Y-%m-%d}") if dry_run else "removed"
        for name, count in result.counts.items():
            click.echo(f"{name}: {verb} {count}")
        click.echo(f"outbox files: {verb} {len(result.files)}")
        for path in result.files[:50]:
            click.echo(f"  {path.name}")

    app.cli.add_command(group)
