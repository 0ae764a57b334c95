"""Delivery of one rendered :class:`~pipelines.alerts.digest.Message` to one channel, with retries.

Every channel raises :class:`DeliveryError` on anything but an explicit success: robot webhooks (WeCom,
DingTalk) answer HTTP 200 with ``{"errcode": …}`` on failure, so their body is checked, not only the status.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from pipelines.alerts.config import (
    Channel,
    DingTalkChannel,
    SlackChannel,
    SmtpChannel,
    WebhookChannel,
    WeComChannel,
)
from pipelines.alerts.digest import Message

WECOM_MARKDOWN_MAX_BYTES = 4096  # documented limit of a WeCom robot markdown message
DINGTALK_MARKDOWN_MAX_BYTES = 18000  # DingTalk documents ~20000; headroom for the title and JSON
SLACK_SECTION_MAX_CHARS = 3000  # Block Kit section text limit
SLACK_MAX_BLOCKS = 45  # Block Kit allows 50 per message
# Robot error codes that mean "slow down", worth retrying: DingTalk 130101, WeCom 45009.
_RATE_LIMIT_ERRCODES = {130101, 45009}


class DeliveryError(Exception):
    """A channel did not accept the message; ``transient`` errors are retried within the same tick."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Attempt:
    at: datetime
    error: str | None  # None: accepted


@dataclass(frozen=True)
class DeliveryResult:
    channel: str
    channel_type: str
    attempts: tuple[Attempt, ...]

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].error is None

    @property
    def error(self) -> str | None:
        return None if self.ok or not self.attempts else self.attempts[-1].error


def channel_type(channel: Channel) -> str:
    return {
        SmtpChannel: "smtp",
        WebhookChannel: "webhook",
        WeComChannel: "wecom",
        DingTalkChannel: "dingtalk",
        SlackChannel: "slack",
    }[type(channel)]


def deliver_with_retry(
    channel: Channel,
    message: Message,
    *,
    attempts: int,
    backoff_seconds: float,
    timeout_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Try up to ``attempts`` times, pausing ``backoff_seconds`` × 2^n between transient failures."""
    made: list[Attempt] = []
    pause = backoff_seconds
    for attempt in range(1, attempts + 1):
        started = datetime.now(UTC)
        try:
            send(channel, message, timeout_seconds=timeout_seconds)
        except DeliveryError as exc:
            made.append(Attempt(at=started, error=str(exc)))
            if not exc.transient or attempt == attempts:
                break
            sleep(pause)
            pause *= 2
            continue
        made.append(Attempt(at=started, error=None))
        break
    return DeliveryResult(channel=channel.name, channel_type=channel_type(channel), attempts=tuple(made))


def send(channel: Channel, message: Message, *, timeout_seconds: float) -> None:
    """One delivery attempt; raises :class:`DeliveryError` unless the channel accepted the message."""
    if isinstance(channel, SmtpChannel):
        _send_email(channel, message, timeout_seconds)
    elif isinstance(channel, WebhookChannel):
        _post_json(channel.url, message.payload, timeout_seconds, headers=dict(channel.headers))
    elif isinstance(channel, WeComChannel):
        content = truncate_utf8(message.markdown, WECOM_MARKDOWN_MAX_BYTES)
        body = {"msgtype": "markdown", "markdown": {"content": content}}
        _check_robot_reply(_post_json(channel.url, body, timeout_seconds))
    elif isinstance(channel, DingTalkChannel):
        text = truncate_utf8(message.markdown, DINGTALK_MARKDOWN_MAX_BYTES)
        body = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
        url = dingtalk_signed_url(channel.url, channel.secret) if channel.secret else channel.url
        _check_robot_reply(_post_json(url, body, timeout_seconds))
    else:
        _post_json(channel.url, slack_body(message), timeout_seconds)


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk 加签: sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def slack_body(message: Message) -> dict[str, Any]:
    """``text`` is the notification fallback; blocks carry the digest in sections of ≤ 3000 characters."""
    sections: list[str] = []
    current = ""
    for line in message.slack.splitlines():
        line = line[: SLACK_SECTION_MAX_CHARS - 1]
        if current and len(current) + len(line) + 1 > SLACK_SECTION_MAX_CHARS:
            sections.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        sections.append(current)
    if len(sections) > SLACK_MAX_BLOCKS:
        sections = sections[: SLACK_MAX_BLOCKS - 1] + ["… (truncated; see the warehouse findings table)"]
    return {
        "text": message.subject,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections],
    }


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut at a line boundary so the UTF-8 encoding fits ``max_bytes``, saying that it was cut."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    notice = "\n… (truncated; see the warehouse findings table)\n"
    budget = max_bytes - len(notice.encode("utf-8"))
    kept: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        size = len(line.encode("utf-8"))
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "".join(kept).rstrip("\n") + notice


def _send_email(channel: SmtpChannel, message: Message, timeout_seconds: float) -> None:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = channel.sender
    email["To"] = ", ".join(channel.recipients)
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain="xxgk.alerts")
    email.set_content(message.text, charset="utf-8")
    try:
        smtp: smtplib.SMTP
        if channel.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                channel.host, channel.port, timeout=timeout_seconds, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(channel.host, channel.port, timeout=timeout_seconds)
        with smtp:
            if channel.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if channel.username:
                smtp.login(channel.username, channel.password or "")
            refused = smtp.send_message(email)
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise DeliveryError(f"smtp {channel.host}:{channel.port} refused: {exc}", transient=False) from exc
    except UnicodeEncodeError as exc:
        # smtplib encodes AUTH credentials as ASCII; a non-ASCII password can never log in this way.
        raise DeliveryError(
            f"smtp {channel.host}:{channel.port}: credentials must be ASCII: {exc}", transient=False
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"smtp {channel.host}:{channel.port}: {type(exc).__name__}: {exc}", transient=True
        ) from exc
    if refused:
        # Some recipients got it; the digest is re-sent to all on the next tick rather than lost for some.
        raise DeliveryError(f"smtp refused recipients: {sorted(refused)}", transient=False)


def _post_json(
    url: str, body: dict[str, Any], timeout_seconds: float, headers: dict[str, str] | None = None
) -> httpx.Response:
    where = _redacted(url)
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        response = httpx.post(url, content=content, headers=request_headers, timeout=timeout_seconds)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"POST {where}: {type(exc).__name__}: {exc}", transient=True) from exc
    if response.is_success:
        return response
    transient = response.status_code >= 500 or response.status_code == 429
    raise DeliveryError(
        f"POST {where}: HTTP {response.status_code}: {response.text[:200]}", transient=transient
    )


def _check_robot_reply(response: httpx.Response) -> None:
    try:
        reply = response.json()
    except ValueError as exc:
        raise DeliveryError(f"robot reply is not JSON: {response.text[:200]!r}", transient=True) from exc
    errcode = reply.get("errcode") if isinstance(reply, dict) else None
    if errcode != 0:
        errmsg = reply.get("errmsg") if isinstance(reply, dict) else None
        raise DeliveryError(
            f"robot refused the message: errcode={errcode} errmsg={errmsg}",
            transient=errcode in _RATE_LIMIT_ERRCODES,
        )


def _redacted(url: str) -> str:
    """Webhook URLs carry their token (WeCom key=, DingTalk access_token=, Slack's path): log the host only."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"
