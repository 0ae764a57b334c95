"""Real channels on 127.0.0.1: an aiosmtpd SMTP server (with AUTH) and a stdlib HTTP server that records
every POST and answers like the real endpoints (robots: errcode JSON; Slack: "ok")."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipelines import lake
from pipelines.paths import ProjectPaths

SMTP_USER = "xxgk-alerts"
SMTP_PASSWORD = "s3cret-pw"  # smtplib sends credentials as ASCII
DINGTALK_SECRET = "SECtest0123456789abcdef"
SECRETS = {"TEST_SMTP_PASSWORD": SMTP_PASSWORD, "TEST_DINGTALK_SECRET": DINGTALK_SECRET}


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if (
            isinstance(data, LoginPassword)
            and data.login.decode() == SMTP_USER
            and data.password.decode() == SMTP_PASSWORD
        ):
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port to confirm start-up, so port 0 cannot be used directly.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=False,  # the test server has no certificate; production config uses starttls/ssl
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@dataclass(frozen=True)
class Post:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class WebhookServer:
    """Records POSTs; a path in ``down`` answers 500 until removed (an endpoint that is down, then back)."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.down: set[str] = set()
        self.refusing: set[str] = set()  # robots that answer 200 with a non-zero errcode
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.webhooks = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def posts_to(self, path: str) -> list[Post]:
        with self._lock:
            return [p for p in self.posts if p.path == path]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def record(self, post: Post) -> tuple[int, bytes]:
        with self._lock:
            self.posts.append(post)
        if post.path in self.down:
            return 500, b"internal error"
        if post.path in {"/wecom", "/dingtalk"}:
            errcode = 310000 if post.path in self.refusing else 0
            return 200, json.dumps(
                {"errcode": errcode, "errmsg": "ok" if errcode == 0 else "refused"}
            ).encode()
        if post.path == "/slack":
            return 200, b"ok"
        return 200, b"{}"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server hook name)
        parts = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        post = Post(
            path=parts.path,
            query=dict(urllib.parse.parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        status, reply = self.server.webhooks.record(post)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhooks() -> Iterator[WebhookServer]:
    server = WebhookServer()
    try:
        yield server
    finally:
        server.close()


def channels_toml(smtp: SmtpServer, webhooks: WebhookServer, **settings: Any) -> str:
    """A config with one channel of every type, all pointing at the local servers."""
    defaults: dict[str, Any] = {"retry_attempts": 3, "retry_backoff_seconds": 0.01, "timeout_seconds": 5}
    head = "\n".join(f"{key} = {json.dumps(value)}" for key, value in (defaults | settings).items())
    return f"""{head}

[[channels]]
type = "smtp"
name = "mail"
host = "{smtp.host}"
port = {smtp.port}
username = "{SMTP_USER}"
password_env = "TEST_SMTP_PASSWORD"
from = "xxgk@example.org"
to = ["数据组 <data-team@example.org>", "ops@example.org"]

[[channels]]
type = "webhook"
name = "hook"
url = "{webhooks.url("/webhook")}"
headers = {{ "X-Source" = "xxgk-test" }}

[[channels]]
type = "wecom"
url = "{webhooks.url("/wecom")}?key=wecom-key"

[[channels]]
type = "dingtalk"
url = "{webhooks.url("/dingtalk")}?access_token=ding-token"
secret_env = "TEST_DINGTALK_SECRET"

[[channels]]
type = "slack"
url = "{webhooks.url("/slack")}"
"""


def finding_row(sha: str, agency: str, check: str, message: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sha256": sha,
        "year": 2021,
        "agency": agency,
        "check": check,
        "metric": "t3.received.new",
        "applicant": "natural_person",
        "severity": "warning",
        "message": message,
        "values_json": "{}",
        "extractor_version": "1",
    }
    return row | extra


def write_findings(root: Path, rows: list[dict[str, Any]]) -> ProjectPaths:
    paths = ProjectPaths(root)
    lake.write_rows(paths, "findings", pd.DataFrame(rows), {r["sha256"] for r in rows})
    return paths
