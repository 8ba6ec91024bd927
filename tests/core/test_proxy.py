"""Behind a reverse proxy (PROXY_COUNT=1) the client's address is the forwarded one, so per-address rate
limits count people, not the proxy; without it, forwarded headers are ignored (they could be forged)."""
from flask import request

from fairapp import create_app


def _seen(app, headers):
    @app.get("/_whoami")
    def whoami():
        return f"{request.remote_addr} {request.scheme}"
    return app.test_client().get("/_whoami", headers=headers).get_data(as_text=True)


def test_forwarded_address_only_when_configured(tmp_path):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    base = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db", "SECRET_KEY": "x"}
    assert _seen(create_app({**base, "PROXY_COUNT": 1}), headers) == "203.0.113.7 https"
    assert _seen(create_app(base), headers) == "127.0.0.1 http"
