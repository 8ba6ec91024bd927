"""Command line: `flask demo`, `flask create-admin`, `flask audit verify`."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select


def register(app: Flask) -> None:
    from .extensions import db

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def demo_command(if_empty: bool) -> None:
        """Load a realistic demo fair (Chiang Rai bodies from the seed news item)."""
        from .accounts.models import User
        from .demo import load_demo

        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("demo: database has data; left as it is")
            return
        summary = load_demo()
        db.session.commit()
        click.echo(f"demo: loaded {summary}")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--first-name", default="ผู้ดูแลระบบ")
    def create_admin(email: str, password: str, first_name: str) -> None:
        """Create an admin account (or make an existing account admin)."""
        from .accounts.operations import create_user, find_user_by_email
        from .core.time import utcnow

        user = find_user_by_email(email)
        if user is None:
            user = create_user(email=email, password=password, first_name=first_name)
        user.is_admin = True
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
        db.session.commit()
        click.echo(f"admin: {user.email}")

    audit_group = click.Group("audit", help="The audit log.")

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check the audit log's hash chain; exit 1 when an entry was altered or removed."""
        from .core.audit import AuditEntry, verify_chain

        bad = verify_chain()
        total = db.session.query(AuditEntry).count()
        if bad:
            click.echo(f"audit: BROKEN at entries {bad[:20]} ({len(bad)} of {total})")
            raise SystemExit(1)
        click.echo(f"audit: ok ({total} entries)")

    app.cli.add_command(audit_group)

    booths_group = click.Group("booths", help="Booths.")

    @booths_group.command("expire-offers")
    def expire_offers_command() -> None:
        """Lapse waiting-list offers past their deadline and offer the places on (run every few minutes)."""
        from .booths.operations import expire_offers
        from .core.mail import send_queued_mail

        # A request context on the site's address, so the mail's links and language work from cron.
        with app.test_request_context(base_url=app.config["BASE_URL"]):
            lapsed = expire_offers()
            db.session.commit()
            send_queued_mail()
        click.echo(f"booths: {len(lapsed)} offer(s) lapsed")

    app.cli.add_command(booths_group)
