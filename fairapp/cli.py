"""Command line: `flask demo`, `flask create-admin`, `flask audit verify`, `flask booths expire-offers`,
`flask certificates verify-qr / public-key / work / verify-credential`, `flask storage ...`, `flask privacy dpo`.

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

    from .core import storage_cli
    storage_cli.register(app)  # flask storage migrate / create-bucket
    from .privacy import cli as privacy_cli
    privacy_cli.register(app)  # flask privacy dpo

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
        """Check every chain of the audit log from its start (and every checkpoint against it), and every
        printed certificate copy against the entries that record it; exit 1 when an entry or a print row
        was altered, removed or added outside the app. When all is intact, each chain gets a checkpoint at
        its tail (the pages then check only what comes after)."""
        from .certificates.printing import unchained_prints
        from .core.audit import full_check, save_checkpoints

        with unit_of_work(write=False):
            check = full_check()
            prints = unchained_prints()
        if check.bad:
            click.echo(f"audit: BROKEN at entries {check.bad[:20]} ({len(check.bad)} of {check.hashed})")
        else:
            click.echo(f"audit: ok ({check.hashed} entries) in {len(check.tails)} chains")
            with unit_of_work():
                save_checkpoints(check.tails)
        if prints.ok:
            click.echo("printed copies: ok (each one is in the chain)")
        else:
            click.echo(f"printed copies: NOT AS RECORDED: not in the chain {prints.unrecorded[:20]}, "
                       f"deleted {prints.missing[:20]}, changed {prints.changed[:20]} (print row ids)")
        if check.bad or not prints.ok:
            raise SystemExit(1)

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
    @click.option("--offline", is_flag=True,
                  help="Check the signature only; do not ask the site whether the certificate was revoked.")
    @click.option("--site", metavar="URL",
                  help="The site to ask (default: BASE_URL when set, else the address in the QR).")
    @click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for the site.")
    def verify_qr_command(scanned: str, public_key_file: str | None, offline: bool, site: str | None,
                          timeout: float) -> None:
        """Check a scanned certificate QR (the whole URL, or its q= value).

        The signature is checked here, with no database. A valid signature shows only that the organizer
        issued these facts; whether the certificate was revoked or replaced since can be known only online,
        so the command then asks the site (GET <site>/verify/<serial>, Accept: application/json), unless
        --offline.

        \b
        Exit codes:
          0  signature valid and the site says the certificate is valid
             (with --offline: signature valid, revocation NOT checked)
          1  signature invalid: forged, altered or not a certificate QR
          3  signature valid, but the site says revoked, replaced, unknown, or different facts
          4  signature valid, but the site could not be reached: revocation NOT checked
        """
        from .certificates import online, serials, signing
        from .certificates.operations import LOOPBACK_BASE

        if public_key_file:
            with open(public_key_file, encoding="ascii") as fh:
                key = signing.load_public_key(fh.read())
        else:
            key = signing.signing_key(app).public_key()
        try:
            token = signing.extract_token(scanned)
            facts = signing.verify_token(token, {signing.key_id(key): key})
        except signing.Tampered as error:
            click.echo(f"INVALID signature: {error}", err=True)
            raise SystemExit(online.EXIT_BAD_SIGNATURE)
        click.echo("Signature: VALID (key %s): the organizer issued these facts." % signing.key_id(key))
        click.echo(f"serial:  {facts.serial}")
        click.echo(f"holder:  {facts.holder}")
        click.echo(f"kind:    {facts.kind}")
        click.echo(f"fair id: {facts.fair_id}")
        click.echo(f"date:    {facts.date}")
        try:
            grouped = serials.grouped(serials.normalize(facts.serial))
        except serials.SerialError:
            grouped = facts.serial
        if offline:
            click.echo("Revocation: NOT CHECKED (--offline). A valid signature does not mean the certificate is "
                       "still valid: it may have been revoked or replaced, which only the site can say "
                       f"(/verify/{grouped}).")
            raise SystemExit(online.EXIT_VALID)
        where, source = online.choose_site(scanned, app.config.get("BASE_URL"), site, LOOPBACK_BASE)
        qr_site = online.origin(scanned)
        if qr_site and qr_site != where:
            click.echo(f"note: the QR names {qr_site}; asking {where} ({source})")
        answer = online.check(where, grouped, token, timeout=timeout)
        if answer.outcome == "valid":
            click.echo(f"Status at {where}: VALID (not revoked, not replaced).")
        elif answer.outcome == "revoked":
            click.echo(f"Status at {where}: REVOKED on {answer.revoked_at}"
                       + (f"; reason: {answer.reason}" if answer.reason else "") + ". Do not accept it.")
        elif answer.outcome == "superseded":
            click.echo(f"Status at {where}: REPLACED by {answer.superseded_by}"
                       + (f" ({answer.reason})" if answer.reason else "") + ". This copy is no longer valid.")
        elif answer.outcome == "not_found":
            click.echo(f"Status at {where}: NOT FOUND: that site has no certificate {grouped}.")
        elif answer.outcome == "mismatch":
            click.echo(f"Status at {where}: DIFFERENT: the site's record of {grouped} does not match these facts.")
        else:
            click.echo(f"Status: COULD NOT CHECK online at {where} ({answer.error}). The signature is valid, "
                       "but the certificate may have been revoked or replaced: check again when the site is "
                       "reachable, or open the QR's link.")
        raise SystemExit(answer.exit_code)

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

    @certificates_group.command("verify-credential")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def verify_credential_command(file: str) -> None:
        """Check an Open Badges credential (its JSON, or a baked PNG) offline: the signature against this
        site's published keys (current and earlier), with the bundled contexts only (nothing fetched), and
        the certificate's status in this database.

        \b
        Exit codes: 0 valid; 1 tampered, unknown key, unsupported context or not a credential;
                    3 revoked, replaced or not found.
        """
        from .badges import checking

        with open(file, "rb") as fh:
            data = fh.read(checking.MAX_UPLOAD + 1)
        with unit_of_work():
            verdict = checking.check(data, app)
            line = f"{verdict.code.upper()}" + (f": {verdict.serial}" if verdict.serial else "")
            if verdict.facts.get("superseded_by"):
                line += f" (replaced by {verdict.facts['superseded_by']})"
            if verdict.reason:
                line += f" ({verdict.reason})"
        click.echo(line)
        raise SystemExit(0 if verdict.ok else 3 if verdict.code in ("revoked", "superseded", "not_found") else 1)

    app.cli.add_command(certificates_group)
