#!/usr/bin/env python3
"""Full-page screenshots of the main pages, for eyeballing the layout and the Thai text.

Starts the app on a throwaway SQLite database with the demo loaded, serves it on a free local
port and drives Debian's chromium through Playwright. The PNGs go to ./shots/ (gitignored).

    .venv/bin/python scripts/screenshots.py [--out shots]

Look at every picture: Thai in Sarabun (no tofu boxes, tone marks sitting right), nothing wider
than the 360 px phone screen, a tidy layout. PDFs (the nomination dossier) are fetched with the
logged-in browser's cookies and turned into one PNG per page with pdftoppm (poppler-utils). Pages that scroll sideways are reported as warnings.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def make_app(tmp: Path):
    """The app on a fresh SQLite database in `tmp`, migrated, with the demo loaded."""
    os.environ["FAIRAPP_INSTANCE"] = str(tmp)  # the secret key file and the outbox stay in tmp
    from flask_migrate import upgrade

    from fairapp import create_app
    from fairapp.demo import load_demo
    from fairapp.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.db'}",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SECRET_KEY": "screenshots-only",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_OUTBOX_DIR": str(tmp / "mail"),
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo()
        from fairapp.core.mail import MailMessage
        db.session.add_all([  # the admin's mail page: one sent, one that failed after its retries
            MailMessage(to="mali@example.org", subject="ยืนยันอีเมลของคุณ — ตลาดนัดคุณธรรม", body="...",
                        template="confirm", status="sent", attempts=1),
            MailMessage(to="somchai@example.org", subject="สถานะใบสมัครบูธ: อนุมัติแล้ว", body="เรียน คุณสมชาย\n...",
                        template="booth_status", status="failed", attempts=6,
                        last_error="SMTPRecipientsRefused: {'somchai@example.org': (550, b'5.1.1 mailbox unavailable')}")])
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    return app


class Shooter:
    def __init__(self, browser, base_url: str, out: Path, app=None):
        self.browser, self.base_url, self.out, self.app = browser, base_url, out, app
        self.paths: list[Path] = []
        self.warnings: list[str] = []

    def context(self, viewport: dict, lang: str | None = None):
        context = self.browser.new_context(viewport=viewport, base_url=self.base_url, locale="th-TH")
        if lang:
            context.add_cookies([{"name": "lang", "value": lang, "url": self.base_url}])
        return context

    def login(self, context, email: str, password: str):
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("#login-form button[type=submit]")
        if "/login" in page.url:
            raise SystemExit(f"could not log in as {email}")
        return page

    def shot(self, page, name: str, path: str | None = None) -> Path:
        """Go to `path` (unless None: the page as it is), wait for the fonts, take a full-page PNG."""
        if path is not None:
            page.goto(path)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        # A full-page shot does not scroll, so lazy images below the fold would stay empty boxes: load them
        # all now, and report any that does not load (a broken thumbnail).
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
        try:
            page.wait_for_function("[...document.images].every(img => img.complete)", timeout=10000)
        except Exception:  # playwright's TimeoutError: reported below as images that did not load
            pass
        broken = page.evaluate("[...document.images].filter(img => !img.complete || !img.naturalWidth)"
                               ".map(img => img.getAttribute('src'))")
        if broken:
            self.warnings.append(f"{name}: images did not load: {broken}")
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.viewport_size["width"]
        if width > viewport:
            self.warnings.append(f"{name}: scrolls sideways ({width} px wide at {viewport} px)")
        missing = page.evaluate("""() => [...document.fonts].filter(f => f.family.includes('Sarabun')
                                       && f.status === 'error').map(f => f.weight)""")
        if missing:
            self.warnings.append(f"{name}: Sarabun weights failed to load: {missing}")
        target = self.out / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        self.paths.append(target)
        return target

    def run(self, demo_password: str) -> None:
        # Sign-up on a phone in Thai: empty, then after a failed submit.
        ctx = self.context(PHONE)
        page = ctx.new_page()
        self.shot(page, "signup-360-th", "/signup")
        page.fill("#org_name_th", "ชุมชนคุณธรรมบ้านป่าซาง")
        page.select_option("#sector", "civil")
        page.select_option("#province", "57")
        page.wait_for_selector('#district option[value="5701"]', state="attached", timeout=5000)
        page.select_option("#district", "5701")
        page.fill("#tax_id", "0994000165511")  # wrong check digit
        page.fill("#title", "นางสาว")
        page.fill("#first_name", "กานดา")
        page.fill("#phone", "+1 202 555 0143")  # not a Thai number
        page.fill("#email", "kanda@example.org")
        page.fill("#password", "short")
        page.fill("#password2", "other")
        with page.expect_navigation():
            page.click("#signup-form button[type=submit]")
        self.shot(page, "signup-360-th-errors")
        self.shot(page, "front-360-th", "/")
        self.shot(page, "login-360-th", "/login")
        self.shot(page, "404-360-th", "/no-such-page")
        ctx.close()

        ctx = self.context(DESKTOP)
        page = ctx.new_page()
        self.shot(page, "front-1280-th", "/")
        ctx.close()

        ctx = self.context(DESKTOP, lang="en")
        page = ctx.new_page()
        self.shot(page, "fair1-1280-en", "/fairs/1")
        ctx.close()

        ctx = self.context(PHONE)
        page = ctx.new_page()
        self.shot(page, "fair2-past-360-th", "/fairs/2")  # the past fair, Thai numerals on
        ctx.close()

        ctx = self.context(PHONE)
        page = self.login(ctx, "staff@fairapp.local", demo_password)
        self.shot(page, "dashboard-staff-360-th", "/dashboard")
        ctx.close()

        for viewport, label in ((PHONE, "360"), (DESKTOP, "1280")):
            ctx = self.context(viewport)
            page = self.login(ctx, "admin@fairapp.local", demo_password)
            self.shot(page, f"admin-fair-roles-{label}-th", "/admin/fairs/1/roles")
            self.shot(page, f"admin-mail-{label}-th", "/admin/mail")
            self.shot(page, f"admin-mail-failed-{label}-th", "/admin/mail/2")
            ctx.close()

        # Booths, organization side on a phone: the fair's booths, the application form, the status.
        ctx = self.context(PHONE)
        page = self.login(ctx, "culture@fairapp.local", demo_password)
        self.shot(page, "booths-fair-360-th", "/fairs/1/booths")
        self.shot(page, "booth-application-360-th", "/booths/1")
        self.shot(page, "booth-edit-360-th", "/booths/1/edit")
        ctx.close()
        ctx = self.context(PHONE)
        page = self.login(ctx, "temple@fairapp.local", demo_password)
        self.shot(page, "booth-apply-360-th", "/fairs/1/booths/apply")
        ctx.close()
        # Booths, staff side on a desktop: the review queue and the booth types.
        for viewport, label in ((DESKTOP, "1280"), (PHONE, "360")):
            ctx = self.context(viewport)
            page = self.login(ctx, "staff@fairapp.local", demo_password)
            self.shot(page, f"booth-review-{label}-th", "/fairs/1/booths/review")
            ctx.close()
        ctx = self.context(DESKTOP)
        page = self.login(ctx, "staff@fairapp.local", demo_password)
        self.shot(page, "booth-setup-1280-th", "/fairs/1/booths/setup")
        ctx.close()

        # Nominations, nominator side on a phone: the returned community nomination (3) with its photos,
        # its form (narratives, thumbnails, upload form) and its page.
        ctx = self.context(PHONE)
        page = self.login(ctx, "culture@fairapp.local", demo_password)
        self.shot(page, "nominations-fair-360-th", "/fairs/1/nominations")
        self.shot(page, "nomination-edit-360-th", "/nominations/3/edit")
        self.shot(page, "nomination-view-360-th", "/nominations/3")
        ctx.close()
        # Nominations, staff side: the review list and a submitted nomination (2), desktop and phone.
        for viewport, label in ((DESKTOP, "1280"), (PHONE, "360")):
            ctx = self.context(viewport)
            page = self.login(ctx, "staff@fairapp.local", demo_password)
            self.shot(page, f"nomination-review-{label}-th", "/fairs/1/nominations/review")
            self.shot(page, f"nomination-review-detail-{label}-th", "/nominations/2/review")
            if label == "1280":
                self.pdf_pages(page, "nomination-dossier", "/nominations/2/dossier.pdf")
            ctx.close()
        self.judging(demo_password)
        self.certificates(demo_password)
        self.directory(demo_password)

    def judging(self, demo_password: str) -> None:
        """The chair page (progress; what finalizing would leave missing) and a judge's score sheet."""
        from sqlalchemy import select

        from fairapp.extensions import db
        from fairapp.judging.models import Assignment, Rubric
        from fairapp.nominations.models import Category

        with self.app.app_context():
            category_id = db.session.scalar(select(Rubric.category_id).join(Category)
                                            .where(Category.fair_id == 1).order_by(Rubric.id))
            assignment_id = db.session.scalar(select(Assignment.id).order_by(Assignment.id))
        for email, name, path in (("chair@fairapp.local", "judging-chair", f"/judging/categories/{category_id}/chair"),
                                  ("judge@fairapp.local", "judging-score", f"/judging/assignments/{assignment_id}")):
            ctx = self.context(PHONE)
            page = self.login(ctx, email, demo_password)
            self.shot(page, f"{name}-360-th", path)
            ctx.close()

    def certificates(self, demo_password: str) -> None:
        """The past fair's certificates: staff pages, each kind as PDF, the kiosk, and the public check in
        every state at phone width."""
        from sqlalchemy import select

        from fairapp.certificates.models import Certificate, CertificateTemplate
        from fairapp.certificates.serials import grouped, new_serial
        from fairapp.extensions import db

        with self.app.app_context():
            certs = db.session.scalars(select(Certificate).where(Certificate.fair_id == 2)
                                       .order_by(Certificate.id)).all()
            by_status = {}
            for cert in certs:
                by_status.setdefault(cert.status, cert)
            by_kind = {}
            for cert in certs:
                if cert.status == "valid":
                    by_kind.setdefault(cert.kind, cert)
            valid_person = next(c for c in certs if c.status == "valid" and c.holder_name == "นางสาวก๋วยเตี๋ยว ที่นี่")
            template = db.session.scalar(select(CertificateTemplate).where(
                CertificateTemplate.fair_id == 2, CertificateTemplate.kind == "awardee"))
            ids = {"template": template.id, **{k: (c.id, c.grouped_serial) for k, c in by_kind.items()},
                   **{s: (c.id, c.grouped_serial) for s, c in by_status.items()},
                   "person": (valid_person.id, valid_person.grouped_serial)}
        for viewport, label in ((DESKTOP, "1280"), (PHONE, "360")):
            ctx = self.context(viewport)
            page = self.login(ctx, "staff@fairapp.local", demo_password)
            self.shot(page, f"certificates-index-{label}-th", "/fairs/2/certificates")
            self.shot(page, f"certificates-issued-{label}-th", "/fairs/2/certificates/issued")
            self.shot(page, f"certificates-kiosk-{label}-th", f"/fairs/2/kiosk?q=ป่า ซาง&pick={ids['awardee'][0]}")
            if label == "1280":
                self.shot(page, "certificates-template-1280-th", f"/certificates/templates/{ids['template']}")
                self.shot(page, "certificates-detail-1280-th", f"/certificates/{ids['superseded'][0]}")
                for kind in ("awardee", "exhibitor", "judge", "participant"):
                    self.pdf_pages(page, f"certificate-{kind}", f"/certificates/{ids[kind][0]}/certificate.pdf")
                self.pdf_pages(page, "certificate-person-marks", f"/certificates/{ids['person'][0]}/certificate.pdf")
                self.pdf_pages(page, "certificate-long-name-preview",
                               f"/certificates/templates/{ids['template']}/preview.pdf?long=1")
            # a batch of 40 participants: two chunks, each printable on its own, then the whole batch
            page.goto("/fairs/2/certificates")
            page.select_option("#kind", "participant")
            page.fill("#names", "\n".join(f"ผู้เข้าร่วมงาน ภาพหน้าจอ {i + 1} | ชุมชนบ้านป่าซาง" for i in range(40)))
            with page.expect_navigation():
                page.click("#batch-form button[type=submit]")
            page.wait_for_selector("form[action$='/print'] button.primary", timeout=60000)
            self.shot(page, f"certificates-batch-{label}-th", page.url.replace(self.base_url, ""))
            ctx.close()
        ctx = self.context(PHONE)
        page = self.login(ctx, "culture@fairapp.local", demo_password)
        self.shot(page, "certificates-mine-360-th", "/my/certificates")
        ctx.close()
        stranger = grouped(new_serial("MC64"))
        typo = ids["valid"][1][:-1] + ("2" if ids["valid"][1][-1] != "2" else "3")
        for lang in ("th", "en"):
            ctx = self.context(PHONE, lang=lang)
            page = ctx.new_page()
            for state in ("valid", "revoked", "superseded"):
                self.shot(page, f"verify-{state}-360-{lang}", f"/verify/{ids[state][1]}")
            self.shot(page, f"verify-not-found-360-{lang}", f"/verify/{stranger}")
            self.shot(page, f"verify-typo-360-{lang}", f"/verify/{typo}")
            ctx.close()

        # Privacy: the full notice on a phone in both languages; the DPO's register: a breach typed with a
        # mistake (the form keeps it), then saved; the register with its deadline, the record, the letter.
        for lang in ("th", "en"):
            ctx = self.context(PHONE, lang=lang)
            self.shot(ctx.new_page(), f"privacy-notice-360-{lang}", "/privacy")
            ctx.close()
        ctx = self.context(PHONE)
        page = self.login(ctx, "dpo@fairapp.local", demo_password)
        page.goto("/privacy/breaches/new")
        page.fill("#title", "ส่งอีเมลรายชื่อผู้ประจำบูธผิดผู้รับ")
        page.fill("#description", "ไฟล์รายชื่อผู้ประจำบูธ 40 คนแนบไปยังผู้รับผิดคน")
        page.fill("#found_at", "2099-01-01T09:00")  # in the future: refused, the rest kept
        page.check("input[name=categories][value=booth]")
        page.fill("#people_affected", "40")
        page.check("input[name=risk][value=high]")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        self.shot(page, "privacy-breach-360-th-errors")
        found = page.evaluate("() => { const d = new Date(Date.now() - 5 * 3600e3 + 7 * 3600e3);"
                              " return d.toISOString().slice(0, 16); }")  # five hours ago, Bangkok time
        page.fill("#found_at", found)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        self.shot(page, "privacy-breach-360-th")
        self.shot(page, "privacy-dpo-360-th", "/privacy/dpo")
        breach = page.evaluate("document.querySelector('[id^=breach-] a').getAttribute('href')")
        self.shot(page, "privacy-letter-360-th", breach + "/letter")
        ctx.close()
        ctx = self.context(DESKTOP)
        page = self.login(ctx, "dpo@fairapp.local", demo_password)
        self.shot(page, "privacy-record-1280-th", "/privacy/record")
        ctx.close()

    def directory(self, demo_password: str) -> None:
        """The public exhibitor directory (no account), a search typed without spaces or tone marks, an
        exhibitor's page with its booth on the plan, in Thai and English at both widths; the booth signs."""
        from sqlalchemy import select

        from fairapp.booths.models import Application, Booth
        from fairapp.extensions import db

        with self.app.app_context():
            first = db.session.scalar(select(Application.id).join(Booth, Booth.application_id == Application.id)
                                      .where(Application.fair_id == 1).order_by(Booth.code))
        for lang in ("th", "en"):
            for viewport, label in ((PHONE, "360"), (DESKTOP, "1280")):
                ctx = self.context(viewport, lang=lang)
                page = ctx.new_page()
                self.shot(page, f"directory-{label}-{lang}", "/fairs/1/exhibitors")
                self.shot(page, f"directory-exhibitor-{label}-{lang}", f"/fairs/1/exhibitors/{first}")
                if lang == "th":
                    self.shot(page, f"directory-search-{label}-th", "/fairs/1/exhibitors?q=แมฟา หลวง&activity=show")
                ctx.close()
        ctx = self.context(DESKTOP)
        page = self.login(ctx, "staff@fairapp.local", demo_password)
        self.pdf_pages(page, "directory-signs", "/fairs/1/exhibitors/signs.pdf")
        ctx.close()

    def pdf_pages(self, page, name: str, path: str) -> list[Path]:
        """Fetch a PDF with the page's cookies and turn every page into `name`-N.png (pdftoppm)."""
        response = page.context.request.get(path)
        if not response.ok or response.headers.get("content-type") != "application/pdf":
            self.warnings.append(f"{name}: {path} answered {response.status} {response.headers.get('content-type')}")
            return []
        if not shutil.which("pdftoppm"):
            self.warnings.append(f"{name}: pdftoppm is missing (apt install poppler-utils), PDF not rendered")
            return []
        for old in self.out.glob(f"{name}-*.png"):
            old.unlink()
        with tempfile.TemporaryDirectory(prefix="fairapp-pdf-") as tmp:
            pdf = Path(tmp) / f"{name}.pdf"
            pdf.write_bytes(response.body())
            subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(self.out / name)], check=True)
        pages = sorted(self.out.glob(f"{name}-*.png"))
        if not pages:
            self.warnings.append(f"{name}: pdftoppm made no page")
        self.paths.extend(pages)
        return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "shots"), help="folder for the PNGs (default: ./shots)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing: run scripts/system-deps.sh", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from fairapp.demo import DEMO_PASSWORD

    with tempfile.TemporaryDirectory(prefix="fairapp-shots-") as tmp:
        app = make_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    shooter = Shooter(browser, f"http://127.0.0.1:{server.server_port}", out, app)
                    shooter.run(DEMO_PASSWORD)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
            from fairapp.extensions import db
            with app.app_context():
                db.engine.dispose()
    for path in shooter.paths:
        print(path)
    for warning in shooter.warnings:
        print("WARNING:", warning, file=sys.stderr)
    return 1 if shooter.warnings else 0


if __name__ == "__main__":
    sys.exit(main())
