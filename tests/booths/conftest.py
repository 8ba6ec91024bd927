"""Fixtures shared by the booth tests: a fair, its staff member, and a request context for operations
(they translate labels and queue mail, as they do inside a view). A module may define its own."""
from __future__ import annotations

import pytest

from fairapp.core.mail import discard_queued_mail
from tests.factories import create_fair, create_user, grant


@pytest.fixture
def fair(db):
    return create_fair()


@pytest.fixture
def staff(fair):
    user = create_user()
    grant(fair, user, "staff")
    return user


@pytest.fixture
def ctx(app, db):
    with app.test_request_context():
        yield
        discard_queued_mail()
