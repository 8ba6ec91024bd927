def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_healthz_reports_database_down(client, monkeypatch):
    from fairapp.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(db.session, "execute", broken)
    # The request runs in its own context; break the session class it will use.
    from sqlalchemy.orm import Session
    monkeypatch.setattr(Session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error"


def test_livez_answers_without_asking_the_database(client, app):
    """The liveness probe (and the load run's floor) checks nothing but that the process answers."""
    from sqlalchemy import event

    from fairapp.extensions import db

    queries = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: queries.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/livez")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    assert queries == []
