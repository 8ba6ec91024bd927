"""An independent implementation verifies fairapp's credentials: Digital Bazaar's @digitalbazaar/vc with its
eddsa-rdfc-2022 cryptosuite (npm, pinned in tests/badges/node/package-lock.json and installed by
scripts/system-deps.sh), run by node with the bundled contexts and nothing from the network. It accepts a
fairapp credential, rejects one whose holder's name was changed, and reads the revocation bit from our
signed status list."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fairapp.certificates import operations as ops
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world

NODE_DIR = Path(__file__).parent / "node"


def _node_ready() -> None:
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        message = "node or tests/badges/node/node_modules missing: run scripts/system-deps.sh (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _verify(tmp_path: Path, credential: dict, controller: dict, status_list: dict) -> dict:
    files = []
    for name, doc in (("credential", credential), ("controller", controller), ("status", status_list)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        files.append(str(path))
    run = subprocess.run(["node", str(NODE_DIR / "verify.mjs"), *files], capture_output=True, text=True,
                         timeout=60, cwd=NODE_DIR)
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_digital_bazaar_verifies_ours_and_rejects_a_changed_name(app, db, client, tmp_path):
    _node_ready()
    w = build_issued_world(app, db)
    serial = w.cert.grouped_serial
    credential = client.get(f"/verify/{serial}/credential.json").get_json()
    controller = client.get("/badges/issuer").get_json()
    status_list = client.get(f"/badges/status/{w.fair.id}").get_json()
    assert _verify(tmp_path, credential, controller, status_list) == {"verified": True, "error": None,
                                                                      "revoked": False}
    changed = json.loads(json.dumps(credential))
    changed["credentialSubject"]["name"] = "นางสาวมาลี ใจร้าย"
    answer = _verify(tmp_path, changed, controller, status_list)
    assert answer["verified"] is False and "signature" in answer["error"].lower()
    # revoked: the same credential, checked against the fair's new status list
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(type(w.cert), w.cert.id), "มอบผิดคน", w.staff, public_reason="issued_in_error")
    status_list = client.get(f"/badges/status/{w.fair.id}").get_json()
    answer = _verify(tmp_path, credential, controller, status_list)
    assert answer["verified"] is False and answer["revoked"] is True
