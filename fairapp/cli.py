"""Command line: `flask demo`, `flask create-admin`, `flask audit verify`, `flask booths expire-offers`,
`flask certificates verify-qr / public-key / work`.

A command's database work runs inside `core.transaction.unit_of_work()`, as a request's does: one commit
at the end, then the queued mail; any exception rolls it all back. No command commits by hand.
"""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select


def register(app: Flask) -> None:
    from .core.transaction import unit_of_work
    from .extensions import db

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def demo_command(if_empty: bool) -> None:
        """Load a realistic demo fair (Chiang Rai bodies from the seed news item)."""
        from .accounts.models import User
        from .demo import load_demo

        with unit_of_work():
            if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
                click.echo("demo: database has data; left as it is")
                return
            summary = load_demo()
        click.echo(f"demo: loaded {summary}")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--first-name", default="ผู้ดูแลระบบ")
    def create_admin(email: str, password: str, first_name: str) -> None:
        """Create an admin account (or make an existing account admin)."""
        from .accounts.operations import create_user, find_user_by_email
        from .core.time import utcnow

        with unit_of_work():
            user = find_user_by_email(email)
            if user is None:
                user = create_user(email=email, password=password, first_name=first_name)
            user.is_admin = True
            user.email_confirmed_at = user.email_confirmed_at or utcnow()
            address = user.email
        click.echo(f"admin: {address}")

    audit_group = click.Group("audit", help="The audit log.")

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check the audit log's hash chain; exit 1 when an entry was altered or removed."""
        from .core.audit import AuditEntry, verify_chain

        with unit_of_work(write=False):
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

        # A request context on the site's address, so the mail's links and language work from cron.
        # One unit of work for the run: expire_offers lapses the offers and passes each freed place on
        # together, so a failure leaves every offer as it was for the next run (the command is
        # idempotent); the mail goes out after the commit.
        with app.test_request_context(base_url=app.config["BASE_URL"]), unit_of_work():
            lapsed = len(expire_offers())
        click.echo(f"booths: {lapsed} offer(s) lapsed")

    app.cli.add_command(booths_group)

    certificates_group = click.Group("certificates", help="Certificates.")

    @certificates_group.command("verify-qr")
    @click.argument("scanned")
    @click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False),
                  help="A PEM or base64url public key (as published at /verify/public-key); "
                       "default: this app's own key.")
    def verify_qr_command(scanned: str, public_key_file: str | None) -> None:
        """Check a scanned certificate QR (the whole URL, or its q= value) offline: no database, no network.

        Exits 0 and prints the signed facts when the signature holds; exits 1 when it does not.
        """
        from .certificates import signing

        if public_key_file:
            with open(public_key_file, encoding="ascii") as fh:
                key = signing.load_public_key(fh.read())
        else:
            key = signing.signing_key(app).public_key()
        try:
            facts = signing.verify_token(signing.extract_token(scanned), {signing.key_id(key): key})
        except signing.Tampered as error:
            click.echo(f"INVALID: {error}", err=True)
            raise SystemExit(1)
        click.echo("VALID signature (key %s)" % signing.key_id(key))
        click.echo(f"serial:  {facts.serial}")
        click.echo(f"holder:  {facts.holder}")
        click.echo(f"kind:    {facts.kind}")
        click.echo(f"fair id: {facts.fair_id}")
        click.echo(f"date:    {facts.date}")

    @certificates_group.command("public-key")
    def public_key_command() -> None:
        """Print the public key (PEM) that checks certificate QR signatures."""
        from .certificates import signing

        click.echo(signing.public_pem(signing.signing_key(app).public_key()), nl=False)

    @certificates_group.command("work")
    def work_command() -> None:
        """Run the print batches nobody is running (interrupted ones resume where they stopped)."""
        from .certificates import batches

        # No unit of work around it: certificates.batches saves a batch chunk by chunk (each chunk on its
        # own), so a failure keeps the chunks already done; one unit around them all would undo them.
        ran = batches.run_waiting(app)
        batches.shutdown_pool()
        click.echo(f"certificates: {ran} batch(es) run")

    app.cli.add_command(certificates_group)
