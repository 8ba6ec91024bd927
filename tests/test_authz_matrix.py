"""Authorization matrix: every route x every role (and anonymous), and CSRF on every POST.

EXPECTED has one row per endpoint of app.url_map (except "static"): the URL to request (ids filled
from the `world` fixture) and, for each role, the expected answer to a GET and/or to a POST that
carries a valid CSRF token. A new endpoint without a row fails `test_every_route_has_a_row` with
its name, so every feature adds its routes here.

Expected answers are strings:
  "200", "400", "403", "404", "405"  the status code;
  "302 login"                        a redirect to the login page, with ?next= the requested path;
  "302 /some/path"                   a redirect to that path ({placeholders} filled from the world).

POSTs in the matrix send only the CSRF token (empty forms): they check who may post, not what.
Cells run in order: every GET, then every POST, log-out last; each role gets a world of its own,
so state-changing POSTs (cancel an invitation, revoke a role) never affect another role's cells.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed

from fairapp.accounts import operations as account_ops
from fairapp.accounts.models import Invitation, JoinRequest
from fairapp.booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
from fairapp.core.storage import storage
from fairapp.accounts.models import Organization
from fairapp.fairs.models import Fair
from fairapp.judging.models import Assignment, Rubric
from fairapp.judging.models import Criterion as JudgingCriterion
from fairapp.nominations.models import Category, Evidence, Nomination, NominationStatus, NominatorKind
from fairapp.core.mail import outbox_messages, send_mail
from fairapp.core.time import today_local
from fairapp.extensions import db as _db
from fairapp.fairs.models import FairRole
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, create_fair, create_org, create_user, grant

ROLES = ("anonymous", "org_member", "other_org_member", "staff", "judge", "chair", "admin", "dpo")
GARBAGE = "not-a-real-token"
CSRF_WORDS = "แบบฟอร์มหมดอายุ"  # the CSRF error page's title and the start of the form message


def _all(expect: str) -> dict[str, str]:
    return {role: expect for role in ROLES}


PUBLIC = _all("200")
SIGNED_IN = {**_all("200"), "anonymous": "302 login"}
SIGNED_OUT_FORM = {**_all("302 /dashboard"), "anonymous": "200"}  # /signup, /login
ADMIN_ONLY = {**_all("403"), "anonymous": "302 login", "admin": "200"}
STAFF_ONLY = {**ADMIN_ONLY, "staff": "200"}
BAD_TOKEN = _all("400")
POST_ONLY = _all("405")  # a GET on a POST-only endpoint
# Organization A: its members, fair staff and admins see it; to anyone else it does not exist.
ORG_A_VIEW = {"anonymous": "302 login", "org_member": "200", "other_org_member": "404",
              "staff": "200", "judge": "404", "chair": "404", "admin": "200", "dpo": "404"}
# ... and only its members and admins manage it (staff may look, not touch).
ORG_A_MANAGE = {**ORG_A_VIEW, "staff": "403"}


# Booths. An application of org A: its members edit it; fair staff and admins see it; others: 404.
APP_VIEW = ORG_A_VIEW
APP_EDIT = {**ORG_A_VIEW, "staff": "403", "admin": "403"}
NOMINATION_STAFF = {**ORG_A_VIEW, "org_member": "403"}
ORG_MEMBERS = {**_all("403"), "anonymous": "302 login", "org_member": "200", "other_org_member": "200"}
# A fair's back office (and the objects under it): its staff and admins; its other role holders get 403;
# to people with no role in the fair it does not exist (404, as for a missing id).
NO_ROLE_IN_FAIR = ("org_member", "other_org_member", "dpo")
FAIR_STAFF = {**STAFF_ONLY, **{role: "404" for role in NO_ROLE_IN_FAIR}}
PLAN = "302 /fairs/{fair}/booths/plan"


# Judging. The world's judge is assigned the eligible nomination; no one else reaches it (404).
JUDGE = {**_all("404"), "anonymous": "302 login", "judge": "200"}
# The chair and admins act; fair staff may look (403 on acting); the fair's judges 403; no role: 404.
CHAIR_VIEW = {**_all("403"), "anonymous": "302 login", "staff": "200", "chair": "200", "admin": "200",
              **{role: "404" for role in NO_ROLE_IN_FAIR}}


def _judge(ok: str) -> dict[str, str]:
    return {**JUDGE, "judge": ok}


def _chair(ok: str) -> dict[str, str]:
    return {**_all("403"), "anonymous": "302 login", "chair": ok, "admin": ok,
            **{role: "404" for role in NO_ROLE_IN_FAIR}}


def _app_edit(ok: str) -> dict[str, str]:
    return {role: (ok if want == "200" else want) for role, want in APP_EDIT.items()}


def _manage_a(ok: str) -> dict[str, str]:
    return {role: (ok if want == "200" else want) for role, want in ORG_A_MANAGE.items()}


def _admin_only(ok: str) -> dict[str, str]:
    return {**ADMIN_ONLY, "admin": ok}


@dataclass(frozen=True)
class Row:
    url: str
    get: dict[str, str] | None = None
    post: dict[str, str] | None = None  # a POST with a valid CSRF token and no other fields


DPO_ONLY = {**_all("403"), "anonymous": "302 login", "dpo": "200"}


EXPECTED: dict[str, Row] = {
    # privacy (issue 15): the notice is public; the record and the breach register are the DPO's alone
    "privacy.notice": Row("/privacy", get=PUBLIC),
    "privacy.dpo_home": Row("/privacy/dpo", get=DPO_ONLY),
    "privacy.record_page": Row("/privacy/record", get=DPO_ONLY),
    "privacy.record_xlsx": Row("/privacy/record.xlsx", get=DPO_ONLY),
    "privacy.new_breach": Row("/privacy/breaches/new", get=DPO_ONLY, post={**DPO_ONLY, "dpo": "400"}),
    "privacy.breach": Row("/privacy/breaches/{breach}", get=DPO_ONLY, post={**DPO_ONLY, "dpo": "400"}),
    "privacy.breach_letter": Row("/privacy/breaches/{breach}/letter", get=DPO_ONLY),
    "privacy.my_data_page": Row("/my/data", get=SIGNED_IN),  # each person's own data, nobody else's
    "privacy.my_data_json": Row("/my/data.json", get=SIGNED_IN),
    "privacy.my_data_zip": Row("/my/data.zip", get=SIGNED_IN),
    "privacy.fair_retention": Row("/privacy/fairs/{fair}/retention", get=ADMIN_ONLY,
                                  post={**ADMIN_ONLY, "admin": "302 /privacy/fairs/{fair}/retention"}),
    "privacy.set_consent": Row("/my/consents/news", get=_all("405"), post={**_all("302 /my/data"),
                                                                          "anonymous": "302 login"}),
    "privacy.make_request": Row("/my/requests", get=_all("405"), post={**_all("400"), "anonymous": "302 login"}),
    "privacy.request_queue": Row("/privacy/requests", get=DPO_ONLY),
    "privacy.new_request": Row("/privacy/requests/new", get=DPO_ONLY, post={**DPO_ONLY, "dpo": "400"}),
    "privacy.request_detail": Row("/privacy/requests/{privacy_request}", get=DPO_ONLY,
                                  post={**DPO_ONLY, "dpo": "400"}),
    "privacy.request_data": Row("/privacy/requests/{privacy_request}/data.zip", get=DPO_ONLY),
    # core
    "core.healthz": Row("/healthz", get=PUBLIC),
    "core.livez": Row("/livez", get=PUBLIC),
    "core.set_language": Row("/lang/th", get=_all("302 /"), post=_all("302 /")),
    "core.districts": Row("/geo/districts/57", get=PUBLIC),
    "core.session_state": Row("/session", get=PUBLIC),
    # fairs: public pages
    "fairs.index": Row("/", get=PUBLIC),
    "fairs.fair": Row("/fairs/{fair}", get=PUBLIC),
    # fairs: admin set-up
    "fairs.admin_fairs": Row("/admin/fairs", get=ADMIN_ONLY),
    "fairs.create_fair": Row("/admin/fairs/new", get=ADMIN_ONLY, post=ADMIN_ONLY),
    "fairs.edit_fair": Row("/admin/fairs/{fair}/edit", get=ADMIN_ONLY, post=ADMIN_ONLY),
    "fairs.fair_roles": Row("/admin/fairs/{fair}/roles", get=ADMIN_ONLY, post=ADMIN_ONLY),
    "fairs.revoke_role": Row("/admin/fairs/{fair}/roles/{grant}/revoke", get=POST_ONLY,
                             post=_admin_only("302 /admin/fairs/{fair}/roles")),
    # accounts
    "accounts.signup": Row("/signup", get=SIGNED_OUT_FORM, post=SIGNED_OUT_FORM),
    "accounts.login": Row("/login", get=SIGNED_OUT_FORM, post=SIGNED_OUT_FORM),
    "accounts.logout": Row("/logout", get=POST_ONLY, post=_all("302 /")),
    "accounts.confirm": Row(f"/confirm/{GARBAGE}", get=BAD_TOKEN),
    # A GET of /confirm/resend is the confirmation link with the (bad) token "resend": 400.
    "accounts.resend_confirmation": Row("/confirm/resend", get=BAD_TOKEN,
                                        post={**_all("302 /dashboard"), "anonymous": "302 login"}),
    "accounts.forgot_password": Row("/password/forgot", get=PUBLIC, post=PUBLIC),
    "accounts.reset_password": Row(f"/password/reset/{GARBAGE}", get=BAD_TOKEN, post=BAD_TOKEN),
    "accounts.dashboard": Row("/dashboard", get=SIGNED_IN),
    "accounts.sign_out_everywhere": Row("/sessions/end-others", get=POST_ONLY,
                                        post={**_all("302 /dashboard"), "anonymous": "302 login"}),
    "accounts.organizations": Row("/orgs", get=STAFF_ONLY),
    # Anyone signed in may register an organization they represent (an empty form comes back to be filled).
    "accounts.new_organization": Row("/orgs/new", get=SIGNED_IN, post=SIGNED_IN),
    "accounts.organization": Row("/orgs/{org}", get=ORG_A_VIEW, post=ORG_A_MANAGE),
    "accounts.cancel_invitation": Row("/orgs/{org}/invitations/{invitation}/cancel", get=POST_ONLY,
                                      post=_manage_a("302 /orgs/{org}")),
    # Join requests (issue 16): org A's managers (its owner, the world's org_member) and admins decide; to
    # anyone else, its other members and fair staff included, they do not exist.
    "accounts.decide_join_request": Row("/orgs/{org}/join-requests/{join_request}/accept", get=POST_ONLY, post={
        **_all("404"), "anonymous": "302 login", "org_member": "302 /orgs/{org}", "admin": "302 /orgs/{org}"}),
    "accounts.join": Row(f"/join/{GARBAGE}", get=BAD_TOKEN, post=BAD_TOKEN),
    # admin
    "admin.home": Row("/admin/", get=ADMIN_ONLY),
    "admin.users": Row("/admin/users", get=ADMIN_ONLY),
    "admin.mail": Row("/admin/mail", get=ADMIN_ONLY),
    "admin.mail_message": Row("/admin/mail/{mail}", get=ADMIN_ONLY),
    "admin.mail_resend": Row("/admin/mail/{mail}/resend", get=POST_ONLY, post=_admin_only("302 /admin/mail/{mail}")),
    "admin.audit": Row("/admin/audit", get=ADMIN_ONLY),
    # booths: organizations
    "booths.fair_booths": Row("/fairs/{fair}/booths", get=PUBLIC),
    # Applying needs an organization of one's own: members of A or B; everyone else has none.
    "booths.apply": Row("/fairs/{fair}/booths/apply", get=ORG_MEMBERS, post=ORG_MEMBERS),
    "booths.application": Row("/booths/{application}", get=APP_VIEW),
    "booths.photo": Row("/booths/{application}/photo", get=APP_VIEW),
    "booths.edit": Row("/booths/{application}/edit", get=APP_EDIT, post=APP_EDIT),
    "booths.submit": Row("/booths/{application}/submit", get=POST_ONLY, post=_app_edit("302 /booths/{application}")),
    "booths.withdraw": Row("/booths/{application}/withdraw", get=POST_ONLY,
                           post=_app_edit("302 /booths/{application}")),
    "booths.accept_offer": Row("/booths/{application}/accept", get=POST_ONLY,
                               post=_app_edit("302 /booths/{application}")),
    "booths.decline_offer": Row("/booths/{application}/decline", get=POST_ONLY,
                                post=_app_edit("302 /booths/{application}")),
    # booths: fair staff (of this fair) and admins
    "booths.setup": Row("/fairs/{fair}/booths/setup", get=FAIR_STAFF, post=FAIR_STAFF),
    # An empty POST keeps the type's values (fields absent from the form keep the object's), so it saves.
    "booths.edit_type": Row("/fairs/{fair}/booths/types/{booth_type}", get=FAIR_STAFF,
                            post={**FAIR_STAFF, "staff": "302 /fairs/{fair}/booths/setup",
                                  "admin": "302 /fairs/{fair}/booths/setup"}),
    "booths.review": Row("/fairs/{fair}/booths/review", get=FAIR_STAFF, post=FAIR_STAFF),
    "booths.plan": Row("/fairs/{fair}/booths/plan", get=FAIR_STAFF),
    "booths.plan_assign": Row("/fairs/{fair}/booths/plan/assign", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_unassign": Row("/fairs/{fair}/booths/plan/unassign", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_swap": Row("/fairs/{fair}/booths/plan/swap", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_block": Row("/fairs/{fair}/booths/plan/block", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_add": Row("/fairs/{fair}/booths/plan/add", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_edit": Row("/fairs/{fair}/booths/plan/edit", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_delete": Row("/fairs/{fair}/booths/plan/delete", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_grid": Row("/fairs/{fair}/booths/plan/grid", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_image_upload": Row("/fairs/{fair}/booths/plan/image", get=POST_ONLY, post=FAIR_STAFF),
    "booths.plan_image_remove": Row("/fairs/{fair}/booths/plan/image/remove", get=POST_ONLY,
                                    post={**FAIR_STAFF, "staff": PLAN, "admin": PLAN}),
    "booths.floorplan": Row("/fairs/{fair}/floorplan", get=PUBLIC),
    "booths.floorplan_pdf": Row("/fairs/{fair}/floorplan.pdf", get=PUBLIC),
    # The world has no plan image: not found for everyone (with one, it is public like the plan).
    "booths.floorplan_image": Row("/fairs/{fair}/floorplan/image", get=_all("404")),
    # The exhibitor directory (issue 16): public; the world's application is not confirmed (submitted, no
    # booth), so its page and photo are not found for everyone; the booth signs are the fair staff's.
    "directory.directory": Row("/fairs/{fair}/exhibitors", get=PUBLIC),
    "directory.exhibitor": Row("/fairs/{fair}/exhibitors/{application}", get=_all("404")),
    "directory.photo": Row("/fairs/{fair}/exhibitors/{application}/photo", get=_all("404")),
    "directory.signs_pdf": Row("/fairs/{fair}/exhibitors/signs.pdf", get=FAIR_STAFF),
    # Awardee pages (issue 16): public once the category is final; the world's category is not: not found.
    "awardees.page": Row("/fairs/{fair}/awardees/{nomination}", get=_all("404")),
    "awardees.photo": Row("/fairs/{fair}/awardees/{nomination}/photos/{evidence}", get=_all("404")),
    # Stage mode (issue 16): the fair staff's. A POST with only the token names no move (400); the world's
    # application has no photo (404 to those who may ask).
    "stage.projector": Row("/fairs/{fair}/stage", get=FAIR_STAFF),
    "stage.state": Row("/fairs/{fair}/stage/state", get=FAIR_STAFF),
    "stage.control": Row("/fairs/{fair}/stage/control", get=FAIR_STAFF,
                         post={**FAIR_STAFF, "staff": "400", "admin": "400"}),
    # The world issued no awardee certificate: nothing to print, back to the control page (303).
    "stage.print_next": Row("/fairs/{fair}/stage/print", get=POST_ONLY,
                            post={**FAIR_STAFF, "staff": "303", "admin": "303"}),
    # The service worker (issue 16: offline on the day): public, like the static files it is made of.
    "offline.service_worker": Row("/sw.js", get=PUBLIC),
    "stage.photo": Row("/fairs/{fair}/stage/photo/{application}", get={**FAIR_STAFF, "staff": "404", "admin": "404"}),
    "booths.pass_page": Row("/booths/{application}/pass", get=APP_VIEW),
    # The world's application has no booth yet: the PDF sends those who may see it to the pass page.
    "booths.pass_pdf": Row("/booths/{application}/pass.pdf",
                           get={r: ("302 /booths/{application}/pass" if w == "200" else w) for r, w in APP_VIEW.items()}),
    "booths.checkin": Row("/fairs/{fair}/checkin", get=FAIR_STAFF),
    # The scan takes JSON: a form POST with only a token is a bad request (400) for those allowed.
    "booths.checkin_scan": Row("/fairs/{fair}/checkin/scan", get=POST_ONLY,
                               post={**FAIR_STAFF, "staff": "400", "admin": "400"}),
    "booths.checkin_dashboard": Row("/fairs/{fair}/checkin/dashboard", get=FAIR_STAFF),
    "booths.checkin_stats": Row("/fairs/{fair}/checkin/stats", get=FAIR_STAFF),
    "booths.checkin_missing": Row("/fairs/{fair}/checkin/missing", get=FAIR_STAFF),
    # nominations: nominators (org A's draft nomination of itself)
    "nominations.fair_nominations": Row("/fairs/{fair}/nominations", get=PUBLIC),
    # The world's category takes nominations from provincial offices only: a plain member's POST is refused.
    "nominations.new": Row("/fairs/{fair}/nominations/new/{category}", get=ORG_MEMBERS, post=ORG_MEMBERS),
    "nominations.view": Row("/nominations/{nomination}", get=APP_VIEW),
    "nominations.edit": Row("/nominations/{nomination}/edit", get=APP_EDIT,
                            post=_app_edit("302 /nominations/{nomination}/edit")),
    "nominations.autosave": Row("/nominations/{nomination}/autosave", get=POST_ONLY, post=_app_edit("400")),
    "nominations.submit": Row("/nominations/{nomination}/submit", get=POST_ONLY,
                              post=_app_edit("302 /nominations/{nomination}")),
    "nominations.delete": Row("/nominations/{nomination}/delete", get=POST_ONLY,
                              post=_app_edit("302 /fairs/{fair}/nominations")),
    # What may be published if awarded: the nominating organization's members, at any status.
    "nominations.publication": Row("/nominations/{nomination}/publication", get=POST_ONLY,
                                   post=_app_edit("302 /nominations/{nomination}")),
    "nominations.evidence_public": Row("/nominations/{nomination}/evidence/{evidence}/public", get=POST_ONLY,
                                       post=_app_edit("302 /nominations/{nomination}/edit")),
    "nominations.upload_evidence": Row("/nominations/{nomination}/evidence", get=POST_ONLY,
                                       post=_app_edit("302 /nominations/{nomination}/edit")),
    "nominations.delete_evidence": Row("/nominations/{nomination}/evidence/{evidence}/delete", get=POST_ONLY,
                                       post=_app_edit("302 /nominations/{nomination}/edit")),
    "nominations.evidence_file": Row("/nominations/{nomination}/evidence/{evidence}", get=APP_VIEW),
    "nominations.evidence_thumb": Row("/nominations/{nomination}/evidence/{evidence}/thumb", get=APP_VIEW),
    "nominations.dossier": Row("/nominations/{nomination}/dossier.pdf", get=APP_VIEW),
    # nominations: fair staff
    "nominations.categories": Row("/fairs/{fair}/nominations/categories", get=FAIR_STAFF, post=FAIR_STAFF),
    "nominations.edit_category": Row("/fairs/{fair}/nominations/categories/{category}", get=FAIR_STAFF,
                                     post=FAIR_STAFF),
    "nominations.review": Row("/fairs/{fair}/nominations/review", get=FAIR_STAFF, post=FAIR_STAFF),
    # The nomination's own staff pages: its members may see it (403); to anyone else it does not exist.
    "nominations.staff_view": Row("/nominations/{nomination}/review", get=NOMINATION_STAFF),
    "nominations.decide": Row("/nominations/{nomination}/decide", get=POST_ONLY, post=NOMINATION_STAFF),
    "nominations.export_csv": Row("/fairs/{fair}/nominations/export.csv", get=FAIR_STAFF),
    "nominations.export_xlsx": Row("/fairs/{fair}/nominations/export.xlsx", get=FAIR_STAFF),
    # judging: the assigned judge only (everyone else: not found, even the chair)
    "judging.judge_dashboard": Row("/fairs/{fair}/judging", get=JUDGE),
    # An empty scoring form saves nothing and sends the judge back to the page.
    "judging.score_page": Row("/judging/assignments/{assignment}", get=JUDGE,
                              post=_judge("302 /judging/assignments/{assignment}")),
    "judging.save_score": Row("/judging/assignments/{assignment}/scores", get=POST_ONLY, post=_judge("400")),
    "judging.evidence_file": Row("/judging/assignments/{assignment}/evidence/{judged_evidence}", get=JUDGE),
    "judging.evidence_thumb": Row("/judging/assignments/{assignment}/evidence/{judged_evidence}/thumb", get=JUDGE),
    "judging.declare_conflict": Row("/judging/assignments/{assignment}/conflict", get=JUDGE, post=_judge("400")),
    # judging: the chair (and admins); fair staff may look, not act
    "judging.rubric": Row("/judging/categories/{category}/rubric", get=CHAIR_VIEW, post=_chair("400")),
    "judging.assignments": Row("/judging/categories/{category}/assignments", get=CHAIR_VIEW),
    "judging.auto_assign": Row("/judging/categories/{category}/assign", get=POST_ONLY,
                               post=_chair("302 /judging/categories/{category}/assignments")),
    # Without a judge and a nomination the request is bad (400).
    "judging.add_assignment": Row("/judging/categories/{category}/assignments/add", get=POST_ONLY,
                                  post=_chair("400")),
    "judging.remove_assignment": Row("/judging/assignments/{assignment}/remove", get=POST_ONLY,
                                     post=_chair("302 /judging/categories/{category}/assignments")),
    "judging.confirm_conflict": Row("/judging/categories/{category}/conflicts/confirm", get=POST_ONLY,
                                    post=_chair("400")),
    "judging.judges": Row("/judging/fairs/{fair}/judges", get=CHAIR_VIEW, post=_chair("302 /judging/fairs/{fair}/judges")),
    "judging.judge_search": Row("/judging/fairs/{fair}/judges/search", get=CHAIR_VIEW),
    "judging.organization_search": Row("/judging/fairs/{fair}/organizations/search", get=CHAIR_VIEW),
    # the chair invites judges (issue 16): an empty form is refused (400); the link's bad token: 400
    "judging.invite_judge": Row("/judging/fairs/{fair}/judges/invite", get=POST_ONLY, post=_chair("400")),
    "judging.resend_judge_invitation": Row("/judging/fairs/{fair}/judge-invitations/{judge_invitation}/resend",
                                           get=POST_ONLY, post=_chair("302 /judging/fairs/{fair}/judges")),
    "judging.cancel_judge_invitation": Row("/judging/fairs/{fair}/judge-invitations/{judge_invitation}/cancel",
                                           get=POST_ONLY, post=_chair("302 /judging/fairs/{fair}/judges")),
    "judging.judge_invitation": Row(f"/judging/invitations/{GARBAGE}", get=BAD_TOKEN, post=BAD_TOKEN),
    "judging.chair": Row("/judging/categories/{category}/chair", get=CHAIR_VIEW),
    "judging.remind": Row("/judging/categories/{category}/remind", get=POST_ONLY,
                          post=_chair("302 /judging/categories/{category}/chair")),
    "judging.open_scores": Row("/judging/categories/{category}/open-scores", get=POST_ONLY,
                               post=_chair("302 /judging/categories/{category}/chair")),
    "judging.finalize": Row("/judging/categories/{category}/finalize", get=POST_ONLY,
                            post=_chair("302 /judging/categories/{category}/chair")),
    "judging.reopen": Row("/judging/categories/{category}/reopen", get=POST_ONLY,
                          post=_chair("302 /judging/categories/{category}/chair")),
    "judging.minutes": Row("/judging/categories/{category}/minutes.pdf", get=CHAIR_VIEW),
    "judging.results_export": Row("/judging/categories/{category}/results.csv", get=CHAIR_VIEW),
    "judging.results": Row("/fairs/{fair}/results", get=PUBLIC),
    "booths.export_applications_csv": Row("/fairs/{fair}/booths/export/applications.csv", get=FAIR_STAFF),
    "booths.export_applications_xlsx": Row("/fairs/{fair}/booths/export/applications.xlsx", get=FAIR_STAFF),
    "booths.export_allocations_csv": Row("/fairs/{fair}/booths/export/allocations.csv", get=FAIR_STAFF),
    "booths.export_allocations_xlsx": Row("/fairs/{fair}/booths/export/allocations.xlsx", get=FAIR_STAFF),
    # Staff of the fair move an application to another type; its org sees it but may not (403).
    "booths.move_type": Row("/booths/{application}/move-type", get=POST_ONLY,
                            post={**APP_VIEW, "org_member": "403", "staff": "302 /booths/{application}",
                                  "admin": "302 /booths/{application}"}),
}

EXPECTED.update({
    # certificates: the fair's staff and admins; public verification for anyone
    "certificates.index": Row("/fairs/{fair}/certificates", get=FAIR_STAFF),
    "certificates.create_template": Row("/fairs/{fair}/certificates/templates", get=POST_ONLY,
                                        post={**FAIR_STAFF, "staff": "400", "admin": "400"}),
    "certificates.edit_template": Row("/certificates/templates/{cert_template}", get=FAIR_STAFF, post=FAIR_STAFF),
    "certificates.copy_template": Row("/certificates/templates/{cert_template}/copy", get=POST_ONLY,
                                      post={**FAIR_STAFF, "staff": "302 /certificates/templates/{cert_template_copy}",
                                            "admin": "302 /certificates/templates/{cert_template_copy}"}),
    "certificates.template_image": Row("/certificates/templates/{cert_template}/images/{cert_template_logo}",
                                       get=FAIR_STAFF),
    "certificates.preview_png": Row("/certificates/templates/{cert_template}/preview.png", get=FAIR_STAFF),
    "certificates.preview_pdf": Row("/certificates/templates/{cert_template}/preview.pdf", get=FAIR_STAFF),
    "certificates.create_batch": Row("/fairs/{fair}/certificates/batches", get=POST_ONLY, post=FAIR_STAFF),
    "certificates.batch": Row("/certificates/batches/{cert_batch}", get=FAIR_STAFF),
    "certificates.batch_progress": Row("/certificates/batches/{cert_batch}/progress", get=FAIR_STAFF),
    "certificates.batch_print": Row("/certificates/batches/{cert_batch}/print", get=POST_ONLY, post=FAIR_STAFF),
    # Its pages were printed by the batch print above: staff are asked to confirm (back to the batch page).
    "certificates.batch_chunk_print": Row("/certificates/batches/{cert_batch}/chunks/0/print", get=POST_ONLY,
                                          post={**FAIR_STAFF, "staff": "302 /certificates/batches/{cert_batch}",
                                                "admin": "302 /certificates/batches/{cert_batch}"}),
    # Retrying a batch that did not fail does nothing but show its page.
    "certificates.batch_retry": Row("/certificates/batches/{cert_batch}/retry", get=POST_ONLY,
                                    post={**FAIR_STAFF, "staff": "302 /certificates/batches/{cert_batch}",
                                          "admin": "302 /certificates/batches/{cert_batch}"}),
    "certificates.issued": Row("/fairs/{fair}/certificates/issued", get=FAIR_STAFF),
    "certificates.print_issued": Row("/fairs/{fair}/certificates/issued/print", get=POST_ONLY, post={
        **FAIR_STAFF, "staff": "302 /fairs/{fair}/certificates/issued", "admin": "302 /fairs/{fair}/certificates/issued"}),
    "certificates.detail": Row("/certificates/{certificate}", get=FAIR_STAFF),
    "certificates.certificate_pdf": Row("/certificates/{certificate}/certificate.pdf", get=FAIR_STAFF),
    "certificates.certificate_png": Row("/certificates/{certificate}/preview.png", get=FAIR_STAFF),
    # The batch's print (an earlier cell) printed it: printing again asks first (back to its page).
    "certificates.print_one": Row("/certificates/{certificate}/print", get=POST_ONLY,
                                  post={**FAIR_STAFF, "staff": "302 /certificates/{certificate}",
                                        "admin": "302 /certificates/{certificate}"}),
    "certificates.print_pdf": Row("/certificates/{certificate}/print.pdf", get=FAIR_STAFF),
    "certificates.revoke": Row("/certificates/{certificate}/revoke", get=POST_ONLY,
                               post={**FAIR_STAFF, "staff": "400", "admin": "400"}),
    "certificates.reissue": Row("/certificates/{certificate}/reissue", get=POST_ONLY,
                                post={**FAIR_STAFF, "staff": "400", "admin": "400"}),
    "certificates.kiosk": Row("/fairs/{fair}/kiosk", get=FAIR_STAFF),
    "certificates.verify": Row("/verify/{serial}", get=PUBLIC),
    # Holders: org A's members download org A's booth certificate; to anyone else it does not exist.
    "certificates.mine": Row("/my/certificates", get=SIGNED_IN),
    "certificates.mine_pdf": Row("/my/certificates/{org_certificate}.pdf",
                                 get={**_all("404"), "anonymous": "302 login", "org_member": "200"}),
    "certificates.check": Row("/verify", get=PUBLIC, post=_all("400")),
    "certificates.public_key": Row("/verify/public-key", get=PUBLIC),
    "certificates.public_key_pem": Row("/verify/public-key.pem", get=PUBLIC),
    # Open Badges credentials (issue 17): public like /verify.
    "badges.credential_file": Row("/verify/{serial}/credential.json", get=PUBLIC),
    "badges.badge_png": Row("/verify/{serial}/badge.png", get=PUBLIC),
    "badges.issuer": Row("/badges/issuer", get=PUBLIC),
    "badges.status_list": Row("/badges/status/{fair}", get=PUBLIC),
    "badges.check_credential": Row("/verify/credential", get=PUBLIC, post=_all("400")),
})

# Run after every other cell, in this order: deleting the nomination, then ending the session.
LAST = ("nominations.delete", "accounts.logout")


def _routes(app) -> dict[str, set[str]]:
    """endpoint -> the methods its rules accept (HEAD and OPTIONS aside)."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            routes.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


# ---- the world: org A and B, fair F, one user per role, an invitation, a grant, a mail ----

@pytest.fixture
def world(app, db):
    org_a, org_b = create_org(), create_org()
    fair, other_fair = create_fair(), create_fair()
    users = {
        "org_member": create_user(org=org_a),
        "other_org_member": create_user(org=org_b),
        "staff": create_user(),
        "judge": create_user(),
        "chair": create_user(),
        "admin": create_user(admin=True),
        "dpo": _dpo(),
    }
    for role in ("staff", "judge", "chair"):
        grant(fair, users[role], role)
    spare = create_user()  # holds the grant that the admin's revoke cell removes
    spare_grant = grant(fair, spare, "judge")
    other_fair_grant = grant(other_fair, spare, "staff")
    invitation, invitation_token = account_ops.invite_member(org_a, "invitee-a@example.org",
                                                              users["org_member"])
    invitation_b, _ = account_ops.invite_member(org_b, "invitee-b@example.org",
                                                users["other_org_member"])
    join_request = JoinRequest(organization=org_a, user=create_user(), message="", state="pending")
    _db.session.add(join_request)
    db.session.commit()
    with app.test_request_context():
        mail_name = send_mail("someone@example.org", "ทดสอบ", "confirm", user=users["org_member"],
                              link="http://localhost/confirm/x").id
        db.session.commit()
    booth_type, application = _booth_world(app, fair, org_a, users["org_member"])
    category, nomination, evidence = _nomination_world(app, fair, org_a, users["org_member"])
    assignment, judged_evidence = _judging_world(app, category, org_a, users["judge"], users["chair"])
    judge_invitation, _ = _judge_invitation(fair.id, users["chair"], "judge-invitee@example.org")
    certificates = _certificate_world(app, fair, users["staff"], application)
    ids = {"org": org_a.id, "other_org": org_b.id, "fair": fair.id, "other_fair": other_fair.id,
           "invitation": invitation.id, "invitation_b": invitation_b.id, "grant": spare_grant.id,
           "join_request": join_request.id,
           "other_fair_grant": other_fair_grant.id, "mail": mail_name,
           "booth_type": booth_type.id, "application": application.id,
           "category": category.id, "nomination": nomination.id, "evidence": evidence.id,
           "assignment": assignment.id, "judged_evidence": judged_evidence.id,
           "judged_nomination": assignment.nomination_id, "judge_invitation": judge_invitation.id, "criterion": assignment.nomination.category_id and
           _db.session.scalar(select(JudgingCriterion.id)), "judge_id": users["judge"].id, "spare_id": spare.id, "breach": _breach(), "privacy_request": _privacy_request(users["org_member"]),
           **certificates}
    return SimpleNamespace(ids=ids, users=users, spare=spare, invitation_token=invitation_token)


def _dpo():
    """The data protection officer: no organization, no role in any fair."""
    user = create_user()
    user.is_dpo = True
    _db.session.commit()
    return user


def _breach():
    from fairapp.privacy.models import Breach
    from fairapp.core.time import utcnow
    breach = Breach(title="ส่งอีเมลผิดผู้รับ", description="", found_at=utcnow(), categories=["mail"],
                    risk="high", measures="")
    _db.session.add(breach)
    _db.session.commit()
    return breach.id


def _privacy_request(user):
    from fairapp.privacy.models import PrivacyRequest
    item = PrivacyRequest(kind="correction", subject_user=user, subject_name=user.first_name,
                          subject_contact=user.email, channel="web", received_on=today_local(), details="")
    _db.session.add(item)
    _db.session.commit()
    return item.id


def _booth_world(app, fair, org, member):
    """A booth type of the fair and a submitted application of org A, with a photo."""
    booth_type = BoothType(fair_id=fair.id, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=5)
    _db.session.add(booth_type)
    _db.session.flush()
    application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                              status=Status.submitted, show_text="นิทรรศการ", created_by_id=member.id)
    application.people = [BoothPerson(first_name="ก้องภพ", last_name="ใจดี")]
    with app.test_request_context():
        application.photo_key = storage().save(_tiny_png(), "png")
    _db.session.add(application)
    _db.session.commit()
    return booth_type, application


def _nomination_world(app, fair, org, member):
    """A category (provincial offices nominate) and org A's draft nomination of itself, with a photo."""
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ", opens_on=today_local() - timedelta(days=1),
                        closes_on=today_local() + timedelta(days=10), nominator_kind=NominatorKind.office,
                        min_photos=0, min_pdfs=0, sections=["sufficiency"])
    _db.session.add(category)
    _db.session.flush()
    nomination = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id,
                            nominee_org_id=org.id, narratives={"sufficiency": "ปลูกผักสวนครัว"},
                            created_by_id=member.id)
    _db.session.add(nomination)
    _db.session.flush()
    with app.test_request_context():
        key = storage().save(_tiny_png(), "png")
    evidence = Evidence(nomination_id=nomination.id, kind="photo", storage_key=key, thumb_key=key,
                        original_name="photo.png", size_bytes=10, sha256="0" * 64)
    _db.session.add(evidence)
    _db.session.commit()
    return category, nomination, evidence


def _judging_world(app, category, org, judge, chair):
    """A rubric for the category and an eligible nomination of org A assigned to the world's judge."""
    rubric = Rubric(category_id=category.id, judges_per_nomination=1)
    rubric.criteria = [JudgingCriterion(name_th="การมีส่วนร่วม", weight=100, scale_min=1, scale_max=5)]
    _db.session.add(rubric)
    nomination = Nomination(fair_id=category.fair_id, category_id=category.id, nominator_org_id=org.id,
                            nominee_org_id=org.id, narratives={"sufficiency": "ออมทรัพย์"},
                            status=NominationStatus.eligible)
    _db.session.add(nomination)
    _db.session.flush()
    with app.test_request_context():
        key = storage().save(_tiny_png(), "png")
    evidence = Evidence(nomination_id=nomination.id, kind="photo", storage_key=key, thumb_key=key,
                        original_name="photo.png", size_bytes=10, sha256="1" * 64)
    assignment = Assignment(nomination_id=nomination.id, judge_id=judge.id, created_by_id=chair.id)
    _db.session.add_all([evidence, assignment])
    _db.session.commit()
    return assignment, evidence


def _judge_invitation(fair_id, chair, email):
    """An open judge invitation of the fair and its link's token (only its digest is stored)."""
    from fairapp.accounts.models import token_digest
    from fairapp.core.time import utcnow
    from fairapp.judging.models_invitations import JudgeInvitation

    token = f"judge-invitation-{email}"
    invitation = JudgeInvitation(fair_id=fair_id, email=email, token_hash=token_digest(token), invited_by_id=chair.id,
                                 expires_at=utcnow() + timedelta(days=14))
    _db.session.add(invitation)
    _db.session.commit()
    return invitation, token


def _certificate_world(app, fair, staff, application):
    """A template for every kind, a participant's certificate and a finished print batch of it, and a
    certificate for org A's booth."""
    from fairapp.certificates import batches, operations as cert_ops

    with app.test_request_context():
        templates = [cert_ops.new_template(fair, kind, staff) for kind in cert_ops.KINDS]
        for template in templates:
            template.signatories = [{"name": "นายสมชาย ใจดี", "position": "ผู้อำนวยการ", "signature_key": None}]
        logo = storage().save(_tiny_png(), "png")
        templates[-1].logo_keys = [logo]
        candidates = cert_ops.participant_candidates(fair, "นางสาวมาลี ใจงาม | ชุมชนบ้านป่าซาง")
        (certificate,), _ = cert_ops.issue(fair, candidates, staff)
        (org_certificate,), _ = cert_ops.issue(fair, [cert_ops.Candidate(
            kind="exhibitor", subject_key=f"booth:{application.id}", holder_name="ชุมชนคุณธรรมทดสอบ")], staff)
        batch = batches.create(fair, "participant", candidates, staff, "ผู้เข้าร่วมงาน")
        _db.session.commit()
        assert batches.claim(batch.id)
        batches.run(batch.id)
        return {"cert_template_free": templates[0].id, "cert_template": templates[-1].id, "cert_template_copy": templates[-1].id + 1,
                "certificate": certificate.id, "serial": certificate.grouped_serial, "cert_batch": batch.id,
                "org_certificate": org_certificate.id, "cert_template_logo": logo}


def _tiny_png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def _sign_in(client, login_as, world, role: str):
    if role != "anonymous":
        login_as(world.users[role])
    return client


def _csrf(client) -> str:
    """A CSRF token for this client's session (the forgot-password form is open to everyone)."""
    response = client.get("/password/forgot")
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def _check(response, expect: str, url: str) -> str | None:
    """None when the response is what `expect` says; else what it was instead."""
    location = response.headers.get("Location", "")
    got = f"{response.status_code}" + (f" -> {location}" if location else "")
    if expect.startswith("302 "):
        if response.status_code not in (302, 303):  # 303: "see the page" after a POST
            return got
        parts = urlsplit(location)
        if expect == "302 login":
            ok = parts.path == "/login" and parse_qs(parts.query).get("next") == [url]
        else:
            ok = parts.path == expect[4:]
        return None if ok else got
    return None if str(response.status_code) == expect else got


# ---- the route list and the table agree ----

def test_every_route_has_a_row(app):
    routes = _routes(app)
    missing = sorted(set(routes) - set(EXPECTED))
    assert not missing, (
        "endpoints without a row in EXPECTED (tests/test_authz_matrix.py): " + ", ".join(missing)
        + " -- add the URL and the expected answer for every role")
    stale = sorted(set(EXPECTED) - set(routes))
    assert not stale, "rows in EXPECTED for endpoints the app no longer has: " + ", ".join(stale)


def test_every_row_is_complete_and_points_at_its_endpoint(app):
    ids = {"org": 1, "other_org": 2, "fair": 3, "other_fair": 4, "invitation": 5, "invitation_b": 6,
           "join_request": 25,
           "grant": 7, "other_fair_grant": 8, "mail": 21, "breach": 22, "privacy_request": 23,
           "booth_type": 9, "application": 10, "category": 11, "nomination": 12, "evidence": 13,
           "assignment": 14, "judged_evidence": 15, "cert_template": 16, "cert_template_copy": 17,
           "certificate": 18, "serial": "MC69-2345-6789-ABCD", "cert_batch": 19, "org_certificate": 20,
           "cert_template_logo": "0123456789abcdef0123456789abcdef.png", "judge_invitation": 24}
    adapter = app.url_map.bind("localhost")
    problems = []
    for endpoint, methods in _routes(app).items():
        row = EXPECTED.get(endpoint)
        if row is None:
            continue  # reported by test_every_route_has_a_row
        url = row.url.format(**ids)
        for method, cells in (("GET", row.get), ("POST", row.post)):
            if method in methods and cells is None:
                problems.append(f"{endpoint}: accepts {method} but the row has no {method} cells")
            if cells is not None and set(cells) != set(ROLES):
                problems.append(f"{endpoint} {method}: roles {sorted(set(ROLES) ^ set(cells))} missing/extra")
            if cells is None:
                continue
            try:
                matched, _ = adapter.match(url, method=method)
            except MethodNotAllowed:
                if set(cells.values()) != {"405"}:
                    problems.append(f"{endpoint}: {method} {row.url} is not allowed, expect 405")
                continue
            # A method the endpoint does not take may reach another route (GET /confirm/resend).
            if method in methods and matched != endpoint:
                problems.append(f"{endpoint}: {method} {row.url} routes to {matched}")
        if "POST" in methods and endpoint not in CSRF_CASES:
            problems.append(f"{endpoint}: takes POST but has no case in CSRF_CASES")
    assert not problems, "\n".join(problems)


# ---- the matrix ----

def _cells():
    gets, posts, last = [], [], []
    for endpoint, row in EXPECTED.items():
        for method, cells in (("GET", row.get), ("POST", row.post)):
            if cells is None:
                continue
            target = last if endpoint in LAST else (gets if method == "GET" else posts)
            target.append((endpoint, method, row.url, cells))
    last.sort(key=lambda cell: LAST.index(cell[0]))
    return gets + posts + last


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, client, login_as, world, role):
    """Every endpoint for one role; the failure lists every wrong cell of that role."""
    _sign_in(client, login_as, world, role)
    token = _csrf(client)
    wrong = []
    checked = 0
    for endpoint, method, url_template, cells in _cells():
        url = url_template.format(**world.ids)
        expect = cells[role].format(**world.ids)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        checked += 1
        got = _check(response, expect, url)
        response.close()  # a streamed download (an XLSX's temporary file) is closed now, not by the GC
        if got is not None:
            wrong.append(f"  {endpoint} {method} {url} as {role}: expected {expect}, got {got}")
    assert checked == sum((r.get is not None) + (r.post is not None) for r in EXPECTED.values())
    assert not wrong, f"{len(wrong)} wrong cell(s) for {role}:\n" + "\n".join(wrong)


def test_state_changing_cells_really_acted(client, login_as, world, db):
    """The 302s of cancel and revoke are real: the invitation is cancelled, the grant is gone."""
    _sign_in(client, login_as, world, "admin")
    token = _csrf(client)
    ids = world.ids
    client.post(f"/orgs/{ids['org']}/invitations/{ids['invitation']}/cancel", data={"csrf_token": token})
    client.post(f"/admin/fairs/{ids['fair']}/roles/{ids['grant']}/revoke", data={"csrf_token": token})
    assert db.session.get(Invitation, ids["invitation"]).cancelled_at is not None
    assert db.session.get(FairRole, ids["grant"]) is None


@pytest.mark.parametrize("role, method, url, expect, unchanged", [
    # An object of another organization or fair, reached through an id the actor may use.
    ("org_member", "POST", "/orgs/{org}/invitations/{invitation_b}/cancel", "404", "invitation_b"),
    ("other_org_member", "POST", "/orgs/{other_org}/invitations/{invitation}/cancel", "404", "invitation"),
    ("other_org_member", "POST", "/orgs/{other_org}/join-requests/{join_request}/accept", "404", "join_request"),
    ("admin", "POST", "/orgs/{other_org}/join-requests/{join_request}/refuse", "404", "join_request"),
    ("org_member", "POST", "/orgs/{org}/join-requests/999999/accept", "404", None),
    ("admin", "POST", "/orgs/{org}/invitations/{invitation_b}/cancel", "404", "invitation_b"),
    ("admin", "POST", "/admin/fairs/{fair}/roles/{other_fair_grant}/revoke", "404", "other_fair_grant"),
    ("org_member", "GET", "/orgs/{other_org}", "404", None),
    # Ids that do not exist: 404, not 500 (and not 403, which would confirm nothing).
    ("admin", "GET", "/orgs/999999", "404", None),
    ("staff", "GET", "/orgs/999999", "404", None),
    ("org_member", "GET", "/orgs/999999", "404", None),
    ("anonymous", "GET", "/fairs/999999", "404", None),
    ("admin", "GET", "/admin/fairs/999999/edit", "404", None),
    ("admin", "GET", "/admin/fairs/999999/roles", "404", None),
    ("admin", "POST", "/admin/fairs/{fair}/roles/999999/revoke", "404", None),
    ("org_member", "POST", "/orgs/{org}/invitations/999999/cancel", "404", None),
    # Mail is named by its row's id: a file name or a path is simply not found, never read from disk.
    ("admin", "GET", "/admin/mail/20250101T000000000000-0123abcd.eml", "404", None),
    ("admin", "GET", "/admin/mail/secret_key", "404", None),
    ("admin", "GET", "/admin/mail/..%2Fsecret_key", "404", None),
    # Confirmation and reset links of the right shape but forged.
    ("anonymous", "GET", "/confirm/eyJ1aWQiOjF9.forged.signature", "400", None),
    ("org_member", "GET", "/password/reset/eyJ1aWQiOjF9.forged.signature", "400", None),
])
def test_objects_out_of_reach(client, login_as, world, db, role, method, url, expect, unchanged):
    _sign_in(client, login_as, world, role)
    url = url.format(**world.ids)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": _csrf(client)})
    assert _check(response, expect, url) is None, f"{method} {url} as {role}: got {response.status_code}"
    if unchanged in ("invitation", "invitation_b"):
        assert db.session.get(Invitation, world.ids[unchanged]).cancelled_at is None
    elif unchanged == "join_request":
        assert db.session.get(JoinRequest, world.ids[unchanged]).state == "pending"
    elif unchanged == "other_fair_grant":
        assert db.session.get(FairRole, world.ids[unchanged]) is not None


# ---- existence is private: "there but not yours" answers as "not there" ----

# Who may know that the world's object behind a placeholder exists (beyond those it is served to): the
# fair's role holders for its back office and what lies under it, org A's members and the fair's staff for
# org A's things. To anyone else, the world's object and a missing id must look the same.
IN_FAIR = frozenset({"staff", "judge", "chair", "admin"})
ORG_A = frozenset({"org_member", "staff", "admin"})
KNOWS = {
    # A fair and its categories are public pages: anyone signed in may know them (the DPO has no role).
    "fair": IN_FAIR | {"dpo"}, "category": IN_FAIR | {"dpo"}, "booth_type": IN_FAIR, "grant": IN_FAIR,
    "assignment": IN_FAIR, "judged_evidence": IN_FAIR, "judge_invitation": IN_FAIR,
    "cert_template": IN_FAIR, "cert_template_logo": IN_FAIR, "cert_batch": IN_FAIR, "certificate": IN_FAIR,
    "join_request": frozenset({"org_member", "admin"}),  # org A's manager (its owner) and admins
    "org": ORG_A, "invitation": ORG_A, "application": ORG_A, "nomination": ORG_A, "evidence": ORG_A,
    "org_certificate": frozenset({"org_member", "admin"}), "mail": frozenset({"admin"}),
    "breach": frozenset({"dpo"}), "privacy_request": frozenset({"dpo"}),
}
MISSING = {"cert_template_logo": "0123456789abcdef0123456789abcdef.png"}


def _answer(response) -> str:
    """The status, and where a redirect goes (its path: the login page's ?next= names the URL itself)."""
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {urlsplit(location).path}" if location else "")


def _oracle_cells():
    """(endpoint, url template, placeholder) for every GET row naming an object the table knows."""
    cells = []
    for endpoint, row in EXPECTED.items():
        if row.get is None or set(row.get.values()) == {"405"}:
            continue
        for name in KNOWS:
            if "{" + name + "}" in row.url:
                cells.append((endpoint, row.url, name))
    return cells


def test_the_oracle_table_covers_every_object_placeholder():
    named = {part.split("}")[0] for row in EXPECTED.values() for part in row.url.split("{")[1:]}
    public = {"serial", "cert_template_copy"}  # /verify is public; the copy is only a redirect target
    assert named - public <= set(KNOWS), f"placeholders without a KNOWS entry: {sorted(named - public - set(KNOWS))}"


@pytest.mark.parametrize("role", ROLES)
def test_existence_is_private(client, login_as, world, role):
    """For every GET that refuses a role (403, 404, the login page), the world's object and an id that does
    not exist get the same answer unless the role may know of the object: a 403 for an outsider would let
    any account count another fair's or organization's objects."""
    _sign_in(client, login_as, world, role)
    wrong, checked = [], 0
    for endpoint, template, name in _oracle_cells():
        expect = EXPECTED[endpoint].get[role]
        if role in KNOWS[name] or expect not in ("403", "404", "302 login"):
            continue
        url = template.format(**world.ids)
        missing_url = template.format(**{**world.ids, name: MISSING.get(name, 999999)})
        there, missing = _answer(client.get(url)), _answer(client.get(missing_url))
        checked += 1
        if there != missing:
            wrong.append(f"  {endpoint} as {role}: {url} answers {there}, {missing_url} (no such {name}) {missing}")
    assert checked or role == "admin"
    assert not wrong, f"{len(wrong)} existence oracle(s) for {role}:\n" + "\n".join(wrong)


# ---- CSRF: every POST endpoint refuses a request without the token, and nothing changes ----

def _date(days: int) -> str:
    return (today_local() + timedelta(days=days)).isoformat()


def _fair_data(name: str) -> dict:
    return {"name_th": name, "venue_th": "หอประชุมจังหวัดน่าน", "province": "55",
            "organizer_th": "ศูนย์คุณธรรม (องค์การมหาชน)", "starts_on": _date(60), "ends_on": _date(61),
            "booth_opens": _date(0), "booth_closes": _date(50), "nomination_opens": _date(0),
            "nomination_closes": _date(50), "judging_opens": _date(51), "judging_closes": _date(60)}


PERSON = {"title": "นาง", "first_name": "บัวคำ", "last_name": "ใจงาม", "phone": "081 234 5678",
          "password": "ตลาดนัด-คุณธรรม-2569", "password2": "ตลาดนัด-คุณธรรม-2569"}
NEW_PASSWORD = "ดอกบัว-บาน-ริมน้ำ-2569"


@dataclass
class CsrfCase:
    """A POST that would succeed with a token: who sends it, where, what, and how it is refused.

    refusal "400": the global CSRF check answers with the error page;
    refusal "form": the view's own form re-renders (200) with the CSRF message and the input kept;
    refusal "form-400": the same, answered 400 (the judging pages answer a failed form with 400).
    """

    role: str
    url: str
    data: dict | Callable = field(default_factory=dict)
    refusal: str = "400"
    setup: Callable | None = None  # setup(world) -> dict of extra placeholders
    json: bool = False  # a JSON endpoint: the token travels in the X-CSRFToken header
    ok: int = 302       # the status of the same request with the token
    changes: bool = True  # False for a read-only form (checking a serial): only the refusal is checked


def _set_status(world, status):
    application = _db.session.get(Application, world.ids["application"])
    application.status = status
    if status == Status.offered:
        from fairapp.core.time import utcnow
        application.offer_expires_at = utcnow() + timedelta(days=1)
    _db.session.commit()
    return {}


def _failed_mail(world):
    from fairapp.core.mail import MailMessage
    _db.session.get(MailMessage, world.ids["mail"]).status = "failed"
    _db.session.commit()
    return {}


def _second_type(world):
    booth_type = BoothType(fair_id=world.ids["fair"], name_th="บูธคู่", size_label="6 x 3 ม.", capacity=2)
    _db.session.add(booth_type)
    _db.session.commit()
    world.ids["second_type"] = booth_type.id
    return {}


def _plan_booths(world, *, allocated=False, second=False, approved=False):
    application = _db.session.get(Application, world.ids["application"])
    if allocated or approved:
        application.status = Status.approved
    first = Booth(fair_id=world.ids["fair"], booth_type_id=world.ids["booth_type"], code="P01", zone="P",
                  x=0, y=0, w=2, h=2, application_id=application.id if allocated else None)
    _db.session.add(first)
    if second:
        other = Booth(fair_id=world.ids["fair"], booth_type_id=world.ids["booth_type"], code="P02", zone="P",
                      x=2, y=0, w=2, h=2)
        _db.session.add(other)
    _db.session.commit()
    world.ids["booth"] = first.id
    if second:
        world.ids["booth2"] = other.id
    return {}


def _plan_image(world):
    from flask import current_app
    with current_app.test_request_context():
        key = storage().save(_tiny_png(), "png")
    _db.session.add(BoothSetup(fair_id=world.ids["fair"], plan_image_key=key))
    _db.session.commit()
    return {}


class _Png:
    """A PNG that can be posted twice (each case posts its data without, then with the token)."""

    def __init__(self):
        self.data, self.pos = _tiny_png(), 0

    def read(self, size=-1):
        if self.pos >= len(self.data):
            self.pos = 0
            return b""
        chunk = self.data[self.pos:] if size is None or size < 0 else self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def _allocated(world):
    application = _db.session.get(Application, world.ids["application"])
    application.status = Status.approved
    _db.session.add(Booth(fair_id=world.ids["fair"], booth_type_id=world.ids["booth_type"], code="A01",
                          zone="A", x=0, y=0, w=1, h=1, application_id=application.id))
    _db.session.commit()
    return {}


def _office(world):
    org = _db.session.get(Organization, world.ids["org"])
    org.is_provincial_office = True
    _db.session.commit()
    return {}


def _submitted(world):
    nomination = _db.session.get(Nomination, world.ids["nomination"])
    nomination.status = NominationStatus.submitted
    _db.session.commit()
    return {}


def _category_data(world):
    fair = _db.session.get(Fair, world.ids["fair"])
    return {"name_th": "ชุมชนคุณธรรมต้นแบบ", "nominee_kind": "community", "nominator_kind": "both",
            "opens_on": fair.nomination_opens.isoformat(), "closes_on": fair.nomination_closes.isoformat(),
            "max_per_nominator": "3", "sections": ["sufficiency", "outcomes"], "narrative_max_chars": "3000",
            "min_photos": "1", "min_pdfs": "0", "max_files": "10"}


def _affiliated(world):
    from fairapp.judging.models import JudgeProfile
    _db.session.add(JudgeProfile(fair_id=world.ids["fair"], user_id=world.ids["judge_id"],
                                 affiliation_org_id=world.ids["org"]))  # the nominee: a detected conflict
    _db.session.commit()
    return {}


def _two_judges(world):
    rubric = _db.session.scalar(select(Rubric))
    rubric.judges_per_nomination = 2  # the spare judge is then added by the automatic assignment
    _db.session.commit()
    return {}


def _judging_open(world):
    fair = _db.session.get(Fair, world.ids["fair"])
    fair.judging_opens = today_local() - timedelta(days=1)  # finalizing is refused before the window opens
    _db.session.commit()
    return {}


def _finalized(world):
    from fairapp.core.time import utcnow
    rubric = _db.session.scalar(select(Rubric))
    rubric.finalized_at = utcnow()
    _db.session.commit()
    return {}


def _failed_batch(world):
    from fairapp.certificates.models import PrintBatch
    batch = _db.session.get(PrintBatch, world.ids["cert_batch"])
    batch.status, batch.error = "failed", "RuntimeError: disk full"
    _db.session.commit()
    return {}


def _draft(world):
    return _set_status(world, Status.draft)


def _offered(world):
    return _set_status(world, Status.offered)


def _unconfirmed(world):
    user = create_user(confirmed=False)
    world.users["unconfirmed"] = user
    return {}


def _breach_form(world):
    from fairapp.core.time import BANGKOK, utcnow
    return {"title": "ส่งอีเมลผิดผู้รับ", "description": "รายชื่อแนบไปผิดคน", "risk": "risk",
            "found_at": utcnow().astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M"), "categories": ["mail"]}


def _reset_token(world):
    return {"reset_token": account_ops.make_reset_token(world.users["org_member"])}


def _judge_invitation_link(world):
    _, token = _judge_invitation(world.ids["fair"], world.users["chair"], "new-judge@example.org")
    return {"judge_invitation_token": token}


def _judge_invitee_signed_in(world):
    world.users["judge_invitee"] = create_user("new-judge@example.org")
    return _judge_invitation_link(world)


def _invitee_signed_in(world):
    world.users["invitee"] = create_user("invitee-a@example.org")
    return {}


CSRF_CASES: dict[str, list[CsrfCase]] = {
    "privacy.new_breach": [CsrfCase("dpo", "/privacy/breaches/new", refusal="form-400", data=_breach_form, ok=303)],
    "privacy.breach": [CsrfCase("dpo", "/privacy/breaches/{breach}", refusal="form-400", data=_breach_form, ok=303)],
    "privacy.fair_retention": [CsrfCase("admin", "/privacy/fairs/{fair}/retention", refusal="form-400", ok=303,
                                        data={"checkin": "30"})],
    "privacy.set_consent": [CsrfCase("org_member", "/my/consents/news", ok=303, data={"given": "1"})],
    "privacy.make_request": [CsrfCase("org_member", "/my/requests", refusal="form-400", ok=303,
                                      data={"kind": "erasure", "details": "ลบภาพของฉัน"})],
    "privacy.new_request": [CsrfCase("dpo", "/privacy/requests/new", refusal="form-400", ok=303, data={
        "subject_name": "นายบุญมี ใจงาม", "channel": "post", "received_on": today_local().isoformat(),
        "kind": "erasure"})],
    "privacy.request_detail": [CsrfCase("dpo", "/privacy/requests/{privacy_request}", refusal="form-400", ok=303,
                                        data={"decision": "granted"})],
    "accounts.signup": [CsrfCase("anonymous", "/signup", refusal="form", data={
        **PERSON, "email": "mali@example.org", "org_name_th": "ชุมชนคุณธรรมบ้านป่าซาง", "sector": "civil",
        "province": "57", "district": "5701", "accept": "y"})],
    "accounts.login": [CsrfCase("anonymous", "/login", refusal="form",
                                data=lambda w: {"email": w.users["org_member"].email, "password": PASSWORD})],
    "accounts.logout": [CsrfCase("org_member", "/logout")],
    "accounts.sign_out_everywhere": [CsrfCase("org_member", "/sessions/end-others")],
    "core.set_language": [CsrfCase("org_member", "/lang/en")],  # the account's language changes
    "accounts.resend_confirmation": [CsrfCase("unconfirmed", "/confirm/resend", setup=_unconfirmed)],
    "accounts.forgot_password": [CsrfCase("anonymous", "/password/forgot", refusal="form",
                                          data=lambda w: {"email": w.users["org_member"].email})],
    "accounts.reset_password": [CsrfCase("anonymous", "/password/reset/{reset_token}", refusal="form",
                                         setup=_reset_token,
                                         data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})],
    "accounts.organization": [CsrfCase("org_member", "/orgs/{org}", refusal="form",
                                       data={"email": "colleague@example.org"})],
    "accounts.cancel_invitation": [CsrfCase("org_member", "/orgs/{org}/invitations/{invitation}/cancel")],
    "accounts.new_organization": [CsrfCase("judge", "/orgs/new", refusal="form", data={
        "org_name_th": "ชุมชนคุณธรรมบ้านสันติสุข", "sector": "civil", "province": "57", "district": "5701"})],
    "accounts.decide_join_request": [CsrfCase("org_member", "/orgs/{org}/join-requests/{join_request}/accept")],
    "accounts.join": [
        CsrfCase("anonymous", "/join/{invitation_token}", refusal="form", data=PERSON),
        CsrfCase("invitee", "/join/{invitation_token}", refusal="form", setup=_invitee_signed_in),
    ],
    "fairs.create_fair": [CsrfCase("admin", "/admin/fairs/new", refusal="form",
                                   data=_fair_data("ตลาดนัดคุณธรรม จังหวัดน่าน"))],
    "fairs.edit_fair": [CsrfCase("admin", "/admin/fairs/{fair}/edit", refusal="form",
                                 data=_fair_data("ชื่องานใหม่"))],
    "fairs.fair_roles": [CsrfCase("admin", "/admin/fairs/{fair}/roles", refusal="form",
                                  data=lambda w: {"email": w.spare.email, "role": "staff"})],
    "fairs.revoke_role": [CsrfCase("admin", "/admin/fairs/{fair}/roles/{grant}/revoke")],
    "admin.mail_resend": [CsrfCase("admin", "/admin/mail/{mail}/resend", setup=_failed_mail)],
    "booths.apply": [CsrfCase("other_org_member", "/fairs/{fair}/booths/apply", refusal="form",
                              data=lambda w: {"booth_type": w.ids["booth_type"], "show_text": "นิทรรศการ",
                                              "people-0-first_name": "บัวคำ", "action": "save"})],
    "booths.edit": [CsrfCase("org_member", "/booths/{application}/edit", refusal="form",
                             data=lambda w: {"booth_type": w.ids["booth_type"], "show_text": "นิทรรศการใหม่",
                                             "people-0-first_name": "บัวคำ", "action": "save"})],
    "booths.submit": [CsrfCase("org_member", "/booths/{application}/submit", refusal="400", setup=_draft)],
    "booths.withdraw": [CsrfCase("org_member", "/booths/{application}/withdraw")],
    "booths.accept_offer": [CsrfCase("org_member", "/booths/{application}/accept", setup=_offered)],
    "booths.decline_offer": [CsrfCase("org_member", "/booths/{application}/decline", setup=_offered)],
    "booths.setup": [CsrfCase("staff", "/fairs/{fair}/booths/setup", refusal="form",
                              data={"form": "type", "name_th": "เต็นท์", "size_label": "4 x 4 ม.", "capacity": "3"})],
    "booths.edit_type": [CsrfCase("staff", "/fairs/{fair}/booths/types/{booth_type}", refusal="form",
                                  data={"name_th": "บูธใหญ่", "size_label": "3 x 3 ม.", "capacity": "7"})],
    "booths.move_type": [CsrfCase("staff", "/booths/{application}/move-type", setup=_second_type,
                                  data=lambda w: {"booth_type": w.ids["second_type"]})],
    "booths.plan_assign": [CsrfCase("staff", "/fairs/{fair}/booths/plan/assign", refusal="form",
                                    setup=lambda w: _plan_booths(w, approved=True),
                                    data=lambda w: {"booth": w.ids["booth"], "application": w.ids["application"]})],
    "booths.plan_unassign": [CsrfCase("staff", "/fairs/{fair}/booths/plan/unassign", refusal="form",
                                      setup=lambda w: _plan_booths(w, allocated=True),
                                      data=lambda w: {"booth": w.ids["booth"]})],
    "booths.plan_swap": [CsrfCase("staff", "/fairs/{fair}/booths/plan/swap", refusal="form",
                                  setup=lambda w: _plan_booths(w, allocated=True, second=True),
                                  data=lambda w: {"booth": w.ids["booth"], "other": w.ids["booth2"]})],
    "booths.plan_block": [CsrfCase("staff", "/fairs/{fair}/booths/plan/block", refusal="form", setup=_plan_booths,
                                   data=lambda w: {"booth": w.ids["booth"], "blocked": "1"})],
    "booths.plan_add": [CsrfCase("staff", "/fairs/{fair}/booths/plan/add", refusal="form",
                                 data=lambda w: {"code": "Z01", "zone": "Z", "booth_type": w.ids["booth_type"],
                                                 "x": "0", "y": "0", "w": "2", "h": "2"})],
    "booths.plan_edit": [CsrfCase("staff", "/fairs/{fair}/booths/plan/edit", refusal="form", setup=_plan_booths,
                                  data=lambda w: {"booth": w.ids["booth"], "code": "P09", "zone": "P",
                                                  "booth_type": w.ids["booth_type"], "x": "5", "y": "5",
                                                  "w": "2", "h": "2"})],
    "booths.plan_delete": [CsrfCase("staff", "/fairs/{fair}/booths/plan/delete", refusal="form",
                                    setup=_plan_booths, data=lambda w: {"booth": w.ids["booth"]})],
    "booths.plan_grid": [CsrfCase("staff", "/fairs/{fair}/booths/plan/grid", refusal="form",
                                  data={"cols": "30", "rows": "20"})],
    "booths.plan_image_upload": [CsrfCase("staff", "/fairs/{fair}/booths/plan/image", refusal="form",
                                          data=lambda w: {"image": (_Png(), "plan.png")})],
    "booths.plan_image_remove": [CsrfCase("staff", "/fairs/{fair}/booths/plan/image/remove", refusal="form",
                                          setup=_plan_image)],
    "booths.checkin_scan": [CsrfCase("staff", "/fairs/{fair}/checkin/scan", json=True, ok=200, setup=_allocated,
                                     data={"client_id": "0c4d2f4e-7a51-4f0e-9a55-3b8f0d6a2e11",
                                           "booth_code": "A01"})],
    "stage.control": [CsrfCase("staff", "/fairs/{fair}/stage/control", ok=303, data={"action": "next"})],
    "stage.print_next": [CsrfCase("staff", "/fairs/{fair}/stage/print", ok=303, data={"n": "5"}, changes=False)],
    "nominations.new": [CsrfCase("org_member", "/fairs/{fair}/nominations/new/{category}", refusal="form",
                                 setup=_office,
                                 data={"nominee": "community", "community_name": "ชุมชนบ้านป่าซาง",
                                       "province": "57", "district": "5707"})],
    "nominations.edit": [CsrfCase("org_member", "/nominations/{nomination}/edit", refusal="form",
                                  data={"s_sufficiency": "ปลูกผักสวนครัวทุกหลังคาเรือน", "action": "save"})],
    "nominations.autosave": [CsrfCase("org_member", "/nominations/{nomination}/autosave", json=True, ok=200,
                                      data={"sufficiency": "ออมเงินวันละบาท"})],
    "nominations.submit": [CsrfCase("org_member", "/nominations/{nomination}/submit")],
    "nominations.delete": [CsrfCase("org_member", "/nominations/{nomination}/delete")],
    "nominations.upload_evidence": [CsrfCase("org_member", "/nominations/{nomination}/evidence", ok=303,
                                             data=lambda w: {"files": (_Png(), "garden.png"),
                                                             "caption": "แปลงผัก"})],
    "nominations.publication": [CsrfCase("org_member", "/nominations/{nomination}/publication", ok=303,
                                         data={"public_sections": "sufficiency"})],
    "nominations.evidence_public": [CsrfCase("org_member", "/nominations/{nomination}/evidence/{evidence}/public",
                                             ok=303, data={"public": "1"})],
    "nominations.delete_evidence": [CsrfCase("org_member", "/nominations/{nomination}/evidence/{evidence}/delete",
                                             ok=303)],
    "nominations.categories": [CsrfCase("staff", "/fairs/{fair}/nominations/categories", refusal="form",
                                        data=_category_data)],
    "nominations.edit_category": [CsrfCase("staff", "/fairs/{fair}/nominations/categories/{category}",
                                           refusal="form", data=_category_data)],
    "nominations.decide": [CsrfCase("staff", "/nominations/{nomination}/decide", refusal="form", setup=_submitted,
                                    data={"action": "eligible"})],
    "judging.score_page": [CsrfCase("judge", "/judging/assignments/{assignment}", refusal="form-400", ok=303,
                                    data=lambda w: {f"score-{w.ids['criterion']}": "4"})],
    "judging.save_score": [CsrfCase("judge", "/judging/assignments/{assignment}/scores", json=True, ok=200,
                                    data=lambda w: {"criterion_id": w.ids["criterion"], "value": 4, "comment": "",
                                                    "client_id": "5b7a3c1e-2f4d-4e6a-9b8c-0d1e2f3a4b5c"})],
    "judging.declare_conflict": [CsrfCase("judge", "/judging/assignments/{assignment}/conflict", refusal="form-400", ok=303,
                                          data={"reason": "เคยเป็นที่ปรึกษาขององค์กรนี้"})],
    "judging.rubric": [CsrfCase("chair", "/judging/categories/{category}/rubric", refusal="form-400",
                                data=lambda w: {"judges_per_nomination": "2", "ranking": "z",
                                                "criteria-0-id": str(w.ids["criterion"]),
                                                "criteria-0-name_th": "การมีส่วนร่วม", "criteria-0-weight": "100",
                                                "criteria-0-scale_min": "1", "criteria-0-scale_max": "5",
                                                "levels-0-min_score": "80", "levels-0-name_th": "ต้นแบบ",
                                                "tie_rules-0-kind": ""})],
    "judging.auto_assign": [CsrfCase("chair", "/judging/categories/{category}/assign", setup=_two_judges)],
    "judging.add_assignment": [CsrfCase("chair", "/judging/categories/{category}/assignments/add",
                                        data=lambda w: {"judge_id": w.ids["spare_id"],
                                                        "nomination_id": w.ids["judged_nomination"]})],
    "judging.remove_assignment": [CsrfCase("chair", "/judging/assignments/{assignment}/remove")],
    "judging.confirm_conflict": [CsrfCase("chair", "/judging/categories/{category}/conflicts/confirm",
                                          setup=_affiliated, data=lambda w: {"judge_id": w.ids["judge_id"],
                                                          "nomination_id": w.ids["judged_nomination"],
                                                          "reason": "สังกัดเดียวกับผู้ถูกเสนอชื่อ"})],
    "judging.judges": [CsrfCase("chair", "/judging/fairs/{fair}/judges",
                                data=lambda w: {f"affiliation-{w.ids['judge_id']}": str(w.ids["org"])})],
    "judging.remind": [CsrfCase("chair", "/judging/categories/{category}/remind")],
    "judging.invite_judge": [CsrfCase("chair", "/judging/fairs/{fair}/judges/invite", refusal="form-400",
                                      data={"email": "judge-to-be@example.org"})],
    "judging.resend_judge_invitation": [
        CsrfCase("chair", "/judging/fairs/{fair}/judge-invitations/{judge_invitation}/resend")],
    "judging.cancel_judge_invitation": [
        CsrfCase("chair", "/judging/fairs/{fair}/judge-invitations/{judge_invitation}/cancel")],
    "judging.judge_invitation": [
        CsrfCase("anonymous", "/judging/invitations/{judge_invitation_token}", refusal="form",
                 setup=_judge_invitation_link, data=PERSON),
        CsrfCase("judge_invitee", "/judging/invitations/{judge_invitation_token}", refusal="form",
                 setup=_judge_invitee_signed_in),
    ],
    "judging.open_scores": [CsrfCase("chair", "/judging/categories/{category}/open-scores")],
    # The world's nomination is not scored yet: finalizing then needs the chair's reason.
    "judging.finalize": [CsrfCase("chair", "/judging/categories/{category}/finalize", setup=_judging_open,
                                  data={"reason": "ที่ประชุมมีมติสรุปผลด้วยคะแนนที่มี"})],
    "judging.reopen": [CsrfCase("chair", "/judging/categories/{category}/reopen", setup=_finalized,
                                data={"reason": "ทบทวนคะแนนที่บันทึกผิด"})],
    "certificates.create_template": [CsrfCase("staff", "/fairs/{fair}/certificates/templates",
                                              data={"kind": "judge"})],
    "certificates.edit_template": [CsrfCase("staff", "/certificates/templates/{cert_template_free}", refusal="form",
                                            data={"name": "เกียรติบัตรผู้เข้าร่วม", "page_size": "A4",
                                                  "orientation": "landscape", "title_th": "เกียรติบัตร",
                                                  "issuer_th": "[หน่วยงาน]", "preamble_th": "ขอมอบเกียรติบัตรฉบับนี้",
                                                  "reason_th": "ได้เข้าร่วมงาน[งาน]",
                                                  "date_line_th": "ให้ไว้ ณ วันที่ [วันที่]",
                                                  "signatories-0-name": "นายสมชาย ใจดี",
                                                  "signatories-0-position": "ผู้อำนวยการ"})],
    "certificates.copy_template": [CsrfCase("staff", "/certificates/templates/{cert_template}/copy")],
    "certificates.create_batch": [CsrfCase("staff", "/fairs/{fair}/certificates/batches", refusal="form",
                                           data={"kind": "participant", "names": "นายสมชาย ใจดี"})],
    "certificates.batch_print": [CsrfCase("staff", "/certificates/batches/{cert_batch}/print", ok=200)],
    "certificates.batch_chunk_print": [CsrfCase("staff", "/certificates/batches/{cert_batch}/chunks/0/print", ok=200)],
    "certificates.batch_retry": [CsrfCase("staff", "/certificates/batches/{cert_batch}/retry", setup=_failed_batch)],
    "certificates.print_one": [CsrfCase("staff", "/certificates/{certificate}/print", ok=200)],
    "certificates.revoke": [CsrfCase("staff", "/certificates/{certificate}/revoke", refusal="form-400",
                                     data={"reason": "ออกให้ผิดคน", "public_reason": "issued_in_error"})],
    "certificates.reissue": [CsrfCase("staff", "/certificates/{certificate}/reissue", refusal="form-400",
                                      data={"holder_name": "นางสาวมาลี ใจงามดี", "reason": "สะกดชื่อผิด"})],
    "certificates.check": [CsrfCase("anonymous", "/verify", refusal="form-400",
                                    data=lambda w: {"serial": w.ids["serial"].lower()}, changes=False)],
    "badges.check_credential": [CsrfCase("anonymous", "/verify/credential", refusal="form-400", ok=400,
                                         changes=False)],  # with the token: asks for the file (400)
    "booths.review": [CsrfCase("staff", "/fairs/{fair}/booths/review", refusal="form",
                               data=lambda w: {"ids": str(w.ids["application"]), "action": "approve"})],
    "nominations.review": [CsrfCase("staff", "/fairs/{fair}/nominations/review", refusal="form", setup=_submitted,
                                    data=lambda w: {"ids": str(w.ids["nomination"]), "action": "eligible"})],
    "certificates.print_issued": [CsrfCase("staff", "/fairs/{fair}/certificates/issued/print",
                                           data=lambda w: {"ids": str(w.ids["certificate"]), "scope": "page",
                                                           "confirmed": "1"})],
}


def _snapshot(app, client) -> dict:
    """Every row of every table, the outbox, and whether the client is signed in."""
    rows = {}
    for table in _db.metadata.sorted_tables:
        if table.name == "rate_limits":  # a refused request still counts against its limit, rightly
            continue
        rows[table.name] = sorted(repr(tuple(row)) for row in _db.session.execute(table.select()))
    _db.session.rollback()
    with app.test_request_context():
        mail = [m.name for m in outbox_messages()]
    signed_in = client.get("/dashboard").status_code == 200
    return {"rows": rows, "mail": mail, "signed_in": signed_in}


def _diff(before: dict, after: dict) -> list[str]:
    changed = [f"table {name}" for name in before["rows"] if before["rows"][name] != after["rows"].get(name)]
    if before["mail"] != after["mail"]:
        changed.append("mail outbox")
    if before["signed_in"] != after["signed_in"]:
        changed.append("signed-in state")
    return changed


@pytest.mark.parametrize("endpoint, index", [
    (endpoint, i) for endpoint, cases in CSRF_CASES.items() for i in range(len(cases))])
def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, login_as, world,
                                                                endpoint, index):
    case = CSRF_CASES[endpoint][index]
    extra = case.setup(world) if case.setup else {}
    _sign_in(client, login_as, world, case.role)
    url = case.url.format(**world.ids, invitation_token=world.invitation_token, **extra)
    data = case.data(world) if callable(case.data) else dict(case.data)
    before = _snapshot(app, client)

    if case.json:
        response = client.post(url, json=data, headers={"Accept": "application/json"})
        assert response.status_code == 400, f"POST {url} without a token: {response.status_code}"
        assert CSRF_WORDS in response.get_json()["title"]
    else:
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        if case.refusal in ("400", "form-400"):
            assert response.status_code == 400, f"POST {url} without a token: {response.status_code}"
        else:
            assert response.status_code == 200, f"POST {url} without a token: {response.status_code}"
        assert CSRF_WORDS in body
    changed = _diff(before, _snapshot(app, client))
    assert not changed, f"POST {url} without a CSRF token changed: {', '.join(changed)}"

    # The control: the very same request with the token goes through, so the token was the reason.
    if case.json:
        response = client.post(url, json=data, headers={"X-CSRFToken": _csrf(client)})
    else:
        response = client.post(url, data={**data, "csrf_token": _csrf(client)})
    assert response.status_code == case.ok, f"POST {url} with a token: {response.status_code}"
    if case.changes:
        assert _diff(before, _snapshot(app, client)), f"POST {url} with a token changed nothing"

