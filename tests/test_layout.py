"""The shape the design asks of the code, checked on the source so that it cannot drift back.

- one unit of work: nothing in fairapp/ commits or rolls back but core/transaction.py;
- one JSON error shape: only core/errors.py writes `"ok": false` answers;
- one file-response helper: only core/responses.py writes Content-Disposition;
- no file in fairapp/ over 400 lines; one access layer per feature that has objects of its own.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fairapp"
MAX_LINES = 400


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _offenders(pattern: str, allowed: set[str]) -> list[str]:
    regex = re.compile(pattern)
    found = []
    for name, text in _sources():
        if name in allowed:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if regex.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_only_the_unit_of_work_commits_or_rolls_back():
    found = _offenders(r"\.(commit|rollback)\(\)|\btransaction\.(commit|rollback)\b|"
                       r"\b(send_queued_mail|discard_queued_mail)\(",
                       {"fairapp/core/transaction.py", "fairapp/core/mail.py", "fairapp/core/storage.py"})
    assert not found, "commit/rollback outside core.transaction:\n" + "\n".join(found)


def test_one_json_error_shape():
    found = _offenders(r"jsonify\([^)]*\b(ok=False|error=|warning=)|[\"']ok[\"']\s*:\s*False",
                       {"fairapp/core/errors.py"})
    assert not found, "JSON errors not through core.errors.envelope:\n" + "\n".join(found)


def test_one_file_response_helper():
    found = _offenders(r"[\"']Content-Disposition[\"']|send_file\(", {"fairapp/core/responses.py"})
    assert not found, "file responses not through core.responses.send_bytes:\n" + "\n".join(found)


def test_no_file_over_400_lines():
    long = [f"{name}: {text.count(chr(10))} lines" for name, text in _sources()
            if text.count("\n") > MAX_LINES]
    assert not long, "split these by sub-resource:\n" + "\n".join(long)


def test_every_feature_has_one_access_layer():
    features = ("accounts", "fairs", "booths", "nominations", "judging", "certificates")
    missing = [f for f in features if not (PACKAGE / f / "access.py").is_file()]
    assert not missing, f"features without an access.py: {missing}"


def test_the_layout_checks_can_fail(tmp_path):
    """The scanners above do find what they look for (a scanner that cannot fail proves nothing)."""
    bad = tmp_path / "fairapp" / "x"
    bad.mkdir(parents=True)
    (bad / "views.py").write_text("db.session.commit()\nreturn jsonify(ok=False)\n"
                                  "h['Content-Disposition'] = 'x'\n" + "\n" * 401)
    global ROOT, PACKAGE
    saved = ROOT, PACKAGE
    ROOT, PACKAGE = tmp_path, tmp_path / "fairapp"
    try:
        assert _offenders(r"\.(commit|rollback)\(\)", set()) == ["fairapp/x/views.py:1: db.session.commit()"]
        assert len(_offenders(r"jsonify\([^)]*\bok=False", set())) == 1
        assert len(_offenders(r"[\"']Content-Disposition[\"']", set())) == 1
        assert [n for n, t in _sources() if t.count("\n") > MAX_LINES] == ["fairapp/x/views.py"]
    finally:
        ROOT, PACKAGE = saved


def test_every_forms_csrf_field_is_rendered_only_when_the_form_has_one():
    """`{{ form.csrf_token(...) }}` fails (500) where CSRF is off for the app (benchmarks, tools): every such
    field is written `{{ form.csrf_token(id=False) if form.csrf_token is defined }}`. The benchmark found a
    page that was not (the chair's invite form)."""
    import re

    bare = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in re.finditer(r"\{\{\s*(\w+)\.csrf_token\b[^}]*\}\}", line):
                if f"if {m.group(1)}.csrf_token is defined" not in m.group(0):
                    bare.append(f"{path.relative_to(ROOT)}:{n}")
    assert not bare, bare


def test_no_markup_filter_inside_a_pages_title():
    """A page's <title> is text: `|thai` (a <span lang="th">) there would show its tags in the tab."""
    found = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "templates").rglob("*.html"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if ("{% block title" in line or "<title>" in line) and "|thai" in line.replace("|thai_attr", "")]
    assert not found, found
