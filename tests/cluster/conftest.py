"""The cluster tests: HTTP against a running local cluster (scripts/cluster.sh), never an app in this process.

They run only when FAIRAPP_CLUSTER_URL names the cluster's balancer (`make test-cluster`, the last part of
`make test`, starts a fresh cluster on its own ports and sets it); the plain `pytest` runs skip them. The
app servers listen on the balancer's port + 1 and + 2 (scripts/cluster.sh). A test that stops a part of the
cluster (the broker, a worker) starts it again, whatever happens.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CLUSTER_URL = os.environ.get("FAIRAPP_CLUSTER_URL", "").rstrip("/")
DEMO_PASSWORD = "fair-demo-2564"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"')


def pytest_configure(config):
    config.addinivalue_line("markers", "cluster: runs against the local cluster (FAIRAPP_CLUSTER_URL)")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="no cluster: make test-cluster starts one and sets FAIRAPP_CLUSTER_URL")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker("cluster")
            if not CLUSTER_URL:
                item.add_marker(skip)


class Cluster:
    """Where the cluster's parts answer, its shared environment, and its script (start/stop one part)."""

    def __init__(self, url: str):
        self.url = url
        port = urlsplit(url).port or 80
        self.port = port
        self.a = f"http://127.0.0.1:{port + 1}"
        self.b = f"http://127.0.0.1:{port + 2}"
        self.script_env = {**os.environ, "CLUSTER_PORT": str(port)}
        self.run = Path(self.script("env").strip()).parent
        self.env = dict(re.findall(r"^export (\w+)='?([^'\n]*)'?$", (self.run / "env").read_text(), re.M))

    def script(self, *args: str) -> str:
        done = subprocess.run([str(ROOT / "scripts" / "cluster.sh"), *args], env=self.script_env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"cluster.sh {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def sql(self, query: str, *params):
        import psycopg

        url = self.env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    return Cluster(CLUSTER_URL)


class Client:
    """A browser of one person: its cookies, sent to whichever server `base` names; a client address of its
    own in X-Forwarded-For when talking to an app server directly (as the balancer would say it), so the
    tests' request limits never share an address."""

    def __init__(self, base: str, address: str | None = None):
        import requests

        self.http = requests.Session()
        self.base = base
        self.address = address or f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"

    def request(self, method: str, path: str, base: str | None = None, **kwargs):
        base = base or self.base
        headers = kwargs.pop("headers", {})
        if base != CLUSTER_URL:  # the balancer sets its own (the app trusts one proxy)
            headers.setdefault("X-Forwarded-For", self.address)
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, base + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def csrf(self, path: str, base: str | None = None) -> str:
        page = self.get(path, base=base)
        assert page.status_code == 200, (path, page.status_code)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def login(self, email: str, password: str = DEMO_PASSWORD, base: str | None = None):
        token = self.csrf("/login", base=base)
        return self.post("/login", base=base, data={"csrf_token": token, "email": email, "password": password})


@pytest.fixture
def client_factory():
    return Client


def wait_until(check, seconds: float, every: float = 0.5, what: str = "condition"):
    """check() until it returns something true; that value. Fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {seconds:.0f} s")
        time.sleep(every)


def both_servers_behind_the_balancer(cluster, seconds: float = 20) -> None:
    """Wait until the balancer sends requests to both app servers again (its checks run every 2 s): what a
    test that stopped a part of the cluster leaves behind it."""
    def both():
        seen = {Client(cluster.url).get("/healthz").headers.get("X-Served-By") for _ in range(4)}
        return seen == {"a", "b"}
    wait_until(both, seconds, what="both app servers behind the balancer")
