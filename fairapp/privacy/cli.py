"""`flask privacy dpo EMAIL [--revoke]`: make a person the data protection officer (or no longer)."""
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

    app.cli.add_command(group)
