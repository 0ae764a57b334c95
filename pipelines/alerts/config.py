"""Alert channels and digest limits, read from a TOML file (see alerts.example.toml at the repository root).

Secrets never sit in the file: it names environment variables (``password_env``, ``secret_env``,
``url_env``, ``headers_env``) and the caller passes the environment in as ``secrets``, so this module
reads no environment itself (the Dagster resource and the CLI decide where secrets come from). Unknown
keys are errors, so a typo such as ``pasword_env`` fails loudly instead of silently sending without auth.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "warning", "error")  # ascending; the lake's finding severities


class AlertsConfigError(ValueError):
    """The alerts file is malformed, or names a secret variable that is not set."""


def severity_rank(severity: str | None) -> int:
    """Position in :data:`SEVERITIES`; an unknown or missing severity ranks highest, so it is never hidden."""
    if severity is None:
        return len(SEVERITIES)
    try:
        return SEVERITIES.index(severity.lower())
    except ValueError:
        return len(SEVERITIES)


@dataclass(frozen=True)
class SmtpChannel:
    name: str
    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    min_severity: str | None = None


@dataclass(frozen=True)
class WebhookChannel:
    """A generic endpoint that receives the digest as JSON (``Digest.to_json``)."""

    name: str
    url: str = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    min_severity: str | None = None


@dataclass(frozen=True)
class WeComChannel:
    """企业微信 group robot (msgtype markdown)."""

    name: str
    url: str = field(repr=False)
    min_severity: str | None = None


@dataclass(frozen=True)
class DingTalkChannel:
    """钉钉 group robot; with ``secret`` the URL is signed (加签) on every request."""

    name: str
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    min_severity: str | None = None


@dataclass(frozen=True)
class SlackChannel:
    """Slack incoming webhook, or any Slack-compatible one (Mattermost, Rocket.Chat)."""

    name: str
    url: str = field(repr=False)
    min_severity: str | None = None


Channel = SmtpChannel | WebhookChannel | WeComChannel | DingTalkChannel | SlackChannel


@dataclass(frozen=True)
class AlertsConfig:
    channels: tuple[Channel, ...]
    min_severity: str = "warning"
    max_findings: int = 50  # finding lines listed in one digest; every finding is still counted
    messages_per_group: int = 3  # first N messages shown per (agency, check) group
    max_groups: int = 30  # (agency, check) groups listed; the rest are summarised in one line
    retry_attempts: int = 3  # per delivery, within one sensor tick
    retry_backoff_seconds: float = 2.0  # first pause; doubles after each failed attempt
    timeout_seconds: float = 10.0
    initial_lookback_hours: float = 24.0  # how far back the first tick looks for failed runs and gates

    def channel_min_severity(self, channel: Channel) -> str:
        return channel.min_severity or self.min_severity


_GLOBAL_KEYS = {
    "channels",
    "min_severity",
    "max_findings",
    "messages_per_group",
    "max_groups",
    "retry_attempts",
    "retry_backoff_seconds",
    "timeout_seconds",
    "initial_lookback_hours",
}
_COMMON_CHANNEL_KEYS = {"type", "name", "min_severity"}
_HTTP_KEYS = {"url", "url_env"}
_CHANNEL_KEYS = {
    "smtp": {"host", "port", "starttls", "ssl", "username", "password_env", "from", "to"},
    "webhook": _HTTP_KEYS | {"headers", "headers_env"},
    "wecom": _HTTP_KEYS,
    "dingtalk": _HTTP_KEYS | {"secret_env"},
    "slack": _HTTP_KEYS,
}


def load_alerts_config(path: Path, secrets: Mapping[str, str]) -> AlertsConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AlertsConfigError(f"cannot read alerts config {path}: {exc}") from exc
    return parse_alerts_config(text, secrets, source=str(path))


def parse_alerts_config(
    text: str, secrets: Mapping[str, str], source: str = "<alerts config>"
) -> AlertsConfig:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AlertsConfigError(f"{source}: not valid TOML: {exc}") from exc
    _reject_unknown(document, _GLOBAL_KEYS, source)
    raw_channels = document.get("channels", [])
    if not isinstance(raw_channels, list):
        raise AlertsConfigError(f"{source}: `channels` must be an array of tables ([[channels]])")
    channels = tuple(
        _parse_channel(raw, secrets, f"{source}: channels[{i}]") for i, raw in enumerate(raw_channels)
    )
    names = [c.name for c in channels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AlertsConfigError(f"{source}: channel names must be unique (give each a `name`): {duplicates}")
    config = AlertsConfig(
        channels=channels,
        min_severity=_severity(document.get("min_severity", "warning"), source),
        max_findings=_positive_int(document, "max_findings", 50, source),
        messages_per_group=_positive_int(document, "messages_per_group", 3, source),
        max_groups=_positive_int(document, "max_groups", 30, source),
        retry_attempts=_positive_int(document, "retry_attempts", 3, source),
        retry_backoff_seconds=_non_negative_float(document, "retry_backoff_seconds", 2.0, source),
        timeout_seconds=_non_negative_float(document, "timeout_seconds", 10.0, source),
        initial_lookback_hours=_non_negative_float(document, "initial_lookback_hours", 24.0, source),
    )
    return config


def _parse_channel(raw: Any, secrets: Mapping[str, str], where: str) -> Channel:
    if not isinstance(raw, dict):
        raise AlertsConfigError(f"{where}: must be a table")
    kind = raw.get("type")
    if kind not in _CHANNEL_KEYS:
        raise AlertsConfigError(f"{where}: `type` must be one of {sorted(_CHANNEL_KEYS)}, got {kind!r}")
    _reject_unknown(raw, _COMMON_CHANNEL_KEYS | _CHANNEL_KEYS[kind], where)
    name = str(raw.get("name") or kind)
    where = f"{where} ({name})"
    min_severity = _severity(raw["min_severity"], where) if "min_severity" in raw else None
    if kind == "smtp":
        return _parse_smtp(raw, secrets, name, min_severity, where)
    url = _url(raw, secrets, where)
    if kind == "webhook":
        headers = {str(k): str(v) for k, v in _table(raw, "headers", where).items()}
        for header, variable in _table(raw, "headers_env", where).items():
            headers[str(header)] = _secret(secrets, str(variable), where)
        return WebhookChannel(name=name, url=url, headers=headers, min_severity=min_severity)
    if kind == "wecom":
        return WeComChannel(name=name, url=url, min_severity=min_severity)
    if kind == "dingtalk":
        secret = _secret(secrets, str(raw["secret_env"]), where) if "secret_env" in raw else None
        return DingTalkChannel(name=name, url=url, secret=secret, min_severity=min_severity)
    return SlackChannel(name=name, url=url, min_severity=min_severity)


def _parse_smtp(
    raw: dict[str, Any], secrets: Mapping[str, str], name: str, min_severity: str | None, where: str
) -> SmtpChannel:
    for required in ("host", "from", "to"):
        if not raw.get(required):
            raise AlertsConfigError(f"{where}: `{required}` is required for smtp")
    starttls, ssl = bool(raw.get("starttls", False)), bool(raw.get("ssl", False))
    if starttls and ssl:
        raise AlertsConfigError(
            f"{where}: choose `starttls` (usually port 587) or `ssl` (port 465), not both"
        )
    security = "starttls" if starttls else "ssl" if ssl else "none"
    recipients = raw["to"]
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) and r for r in recipients):
        raise AlertsConfigError(f"{where}: `to` must be a list of e-mail addresses")
    password = _secret(secrets, str(raw["password_env"]), where) if "password_env" in raw else None
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    return SmtpChannel(
        name=name,
        host=str(raw["host"]),
        port=_positive_int(raw, "port", default_port, where),
        security=security,
        sender=str(raw["from"]),
        recipients=tuple(recipients),
        username=str(raw["username"]) if raw.get("username") else None,
        password=password,
        min_severity=min_severity,
    )


def _url(raw: dict[str, Any], secrets: Mapping[str, str], where: str) -> str:
    # Robot webhook URLs embed their access token, hence `url_env` as an alternative to a literal `url`.
    if ("url" in raw) == ("url_env" in raw):
        raise AlertsConfigError(f"{where}: give exactly one of `url` or `url_env`")
    url = str(raw["url"]) if "url" in raw else _secret(secrets, str(raw["url_env"]), where)
    if not url.startswith(("http://", "https://")):
        raise AlertsConfigError(f"{where}: url must start with http:// or https://")
    return url


def _secret(secrets: Mapping[str, str], variable: str, where: str) -> str:
    value = secrets.get(variable)
    if not value:
        raise AlertsConfigError(f"{where}: environment variable {variable} is not set")
    return value


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise AlertsConfigError(f"{where}: `{key}` must be a table")
    return value


def _reject_unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise AlertsConfigError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")


def _severity(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in SEVERITIES:
        raise AlertsConfigError(f"{where}: severity must be one of {list(SEVERITIES)}, got {value!r}")
    return value.lower()


def _positive_int(table: dict[str, Any], key: str, default: int, where: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AlertsConfigError(f"{where}: `{key}` must be a positive integer, got {value!r}")
    return value


def _non_negative_float(table: dict[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AlertsConfigError(f"{where}: `{key}` must be a number ≥ 0, got {value!r}")
    return float(value)
