"""A file accepted once survives a failed submit of its form (core.kept_files), and only for its owner."""
from __future__ import annotations

import io
import re

import pytest
from flask import Blueprint, render_template_string
from flask_wtf.file import FileField
from wtforms import StringField

from fairapp.core.forms import BaseForm, form_csrf, required
from fairapp.core.kept_files import keep_upload
from fairapp.core.storage import storage
from fairapp.core.uploads import accept_image
from fairapp.extensions import db as _db
from tests.core.test_uploads import jpeg_with_gps
from tests.core.route_app import route_app
from tests.factories import create_user

SAVED: list[str] = []


class PhotoForm(BaseForm):
    class Meta:
        csrf = False

    title = StringField(validators=[required()])
    photo = FileField()


@pytest.fixture(scope="module")
def kept_app(app):
    bp = Blueprint("kept_test", __name__)

    @bp.route("/_k/form", methods=["GET", "POST"])
    @form_csrf
    def form():
        form = PhotoForm()
        valid = form.validate_on_submit()
        key = keep_upload(form.photo, accept_image) if form.is_submitted() else None
        if valid and key:
            SAVED.append(key)
            return "saved"
        return render_template_string('{% from "_forms.html" import field %}{{ field(form.title) }}'
                                      '{{ field(form.photo) }}', form=form)

    with route_app(app, bp) as test_app:
        yield test_app


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _token(html: str) -> str:
    match = re.search(r'name="photo-kept" value="([^"]+)"', html)
    assert match, "the form does not carry the kept file"
    return match.group(1)


def test_a_photo_survives_an_error_elsewhere_and_is_used_on_the_next_submit(kept_app, db):
    SAVED.clear()
    user = create_user()
    _db.session.commit()
    client = kept_app.test_client()
    _login(client, user)
    html = client.post("/_k/form", data={"title": "", "photo": (io.BytesIO(jpeg_with_gps()), "booth.jpg")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "แนบไฟล์ booth.jpg ไว้แล้ว ไม่ต้องแนบใหม่" in html
    token = _token(html)
    assert client.post("/_k/form", data={"title": "ok", "photo-kept": token}).get_data(as_text=True) == "saved"
    assert storage().exists(SAVED[0])


def test_a_kept_file_is_the_uploaders_only_and_a_forged_token_is_ignored(kept_app, db):
    SAVED.clear()
    owner, other = create_user(), create_user()
    _db.session.commit()
    client = kept_app.test_client()
    _login(client, owner)
    html = client.post("/_k/form", data={"title": "", "photo": (io.BytesIO(jpeg_with_gps()), "a.jpg")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = _token(html)
    _login(client, other)
    html = client.post("/_k/form", data={"title": "ok", "photo-kept": token}).get_data(as_text=True)
    assert "saved" not in html and "photo-kept" not in html
    html = client.post("/_k/form", data={"title": "ok", "photo-kept": token[:-2] + "xx"}).get_data(as_text=True)
    assert "saved" not in html
    assert SAVED == []


def test_a_refused_new_file_is_said_on_the_field_and_the_kept_one_stays(kept_app, db):
    user = create_user()
    _db.session.commit()
    client = kept_app.test_client()
    _login(client, user)
    html = client.post("/_k/form", data={"title": "", "photo": (io.BytesIO(jpeg_with_gps()), "a.jpg")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = _token(html)
    html = client.post("/_k/form", data={"title": "", "photo-kept": token,
                                         "photo": (io.BytesIO(b"<html>not an image</html>"), "evil.jpg")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "evil.jpg" in html and 'class="error"' in html
    assert _token(html) == token
