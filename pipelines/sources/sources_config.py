"""The crawler's sources file (``sources.toml``): which portals to crawl and how politely.

Format (see ``sources.example.toml`` at the repository root)::

    [defaults]                      # optional; any source field except name / start_urls
    user_agent = "xxgk-warehouse/0.1 (+https://example.org/xxgk; data@example.org)"

    [[sources]]
    name = "example-province"
    start_urls = ["https://www.example.gov.cn/xxgk/ndbg/index.htm"]
    allowed_hosts = ["www.example.gov.cn"]

Unknown keys are errors (a typo such as ``max_page`` must not silently fall back to a default), and every
error names the source and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_USER_AGENT = "xxgk-warehouse/0.1 (+contact: set user_agent in sources.toml)"
DEFAULT_MAX_BYTES_PER_FILE = 50 * 1024 * 1024

_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_HOST_PATTERN = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9\-.]*[a-z0-9])?(:\d{1,5})?")
# A contact is an e-mail address, a URL, or at least the word "contact" (the default says where to set it).
_CONTACT_PATTERN = re.compile(r"@|https?://|contact", re.IGNORECASE)


class SourcesConfigError(ValueError):
    """An invalid sources file; the message names the source and the field."""


@dataclass(frozen=True)
class SourceConfig:
    """One portal to crawl. Only ``name`` and ``start_urls`` are required."""

    name: str
    start_urls: tuple[str, ...]
    # host names the crawler may request; "host:port" pins a port, "*.example.gov.cn" allows subdomains.
    # Defaults to the hosts of start_urls.
    allowed_hosts: tuple[str, ...] = ()
    # regexes (re.search); when set, a report page or attachment URL must match at least one
    link_patterns: tuple[str, ...] = ()
    max_pages: int = 50  # list pages (start URLs + pagination) fetched per crawl
    max_depth: int = 2  # link hops from a list page: 1 = report pages, 2 = their attachments
    max_bytes_per_file: int = DEFAULT_MAX_BYTES_PER_FILE
    requests_per_second: float = 1.0  # per host; robots.txt Crawl-delay wins when slower
    user_agent: str = DEFAULT_USER_AGENT
    timeout_seconds: float = 30.0  # per network read
    # a whole download (all reads of one response): a server trickling bytes never trips the per-read
    # timeout, so it is cut off here
    max_seconds_per_file: float = 300.0
    max_attempts: int = 3  # tries per request on timeouts, connection errors, 429 and 5xx
    backoff_seconds: float = 2.0  # first retry delay; doubles per attempt, plus up to 100 % jitter
    max_retry_after_seconds: float = 600.0  # a longer Retry-After fails the URL instead of waiting
    # > 0: a URL whose last manifest row is younger than this is not requested again (resume a crawl
    # cycle without even conditional GETs); 0: always revalidate with a conditional GET.
    revisit_after_hours: float = 0.0

    @property
    def min_interval_seconds(self) -> float:
        return 1.0 / self.requests_per_second

    def host_allowed(self, host: str | None, port: int | None = None) -> bool:
        """True when ``host`` (lower-case, without port) and ``port`` match an allowed_hosts entry."""
        if not host:
            return False
        host = host.lower().rstrip(".")
        for entry in self.allowed_hosts:
            name, _, entry_port = entry.partition(":")
            if entry_port and (port is None or int(entry_port) != port):
                continue
            if name.startswith("*."):
                if host == name[2:] or host.endswith(name[1:]):
                    return True
            elif host == name:
                return True
        return False


_FIELDS = {f.name: f for f in fields(SourceConfig)}
_TUPLE_FIELDS = {"start_urls", "allowed_hosts", "link_patterns"}
_INT_FIELDS = {"max_pages", "max_depth", "max_bytes_per_file", "max_attempts"}
_FLOAT_FIELDS = {
    "requests_per_second",
    "timeout_seconds",
    "max_seconds_per_file",
    "backoff_seconds",
    "max_retry_after_seconds",
    "revisit_after_hours",
}
_NOT_IN_DEFAULTS = {"name", "start_urls"}


def load_sources(path: Path | str) -> list[SourceConfig]:
    """Parse and validate a sources TOML file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise SourcesConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse_sources(document, origin=str(path))


def parse_sources(document: Mapping[str, Any], *, origin: str = "sources") -> list[SourceConfig]:
    """Validate an already parsed sources document (``{"defaults": {...}, "sources": [...]}``)."""
    unknown_top = set(document) - {"defaults", "sources"}
    if unknown_top:
        raise SourcesConfigError(
            f"{origin}: unknown top-level key(s) {sorted(unknown_top)}; expected [defaults] and [[sources]]"
        )
    defaults = document.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise SourcesConfigError(f"{origin}: [defaults] must be a table")
    for key in defaults:
        if key not in _FIELDS or key in _NOT_IN_DEFAULTS:
            raise SourcesConfigError(f"{origin}: [defaults]: unknown or per-source-only field {key!r}")
    raw_sources = document.get("sources", [])
    if not isinstance(raw_sources, list) or not all(isinstance(s, Mapping) for s in raw_sources):
        raise SourcesConfigError(f"{origin}: 'sources' must be an array of tables ([[sources]])")
    result: list[SourceConfig] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sources, start=1):
        source = _parse_source({**defaults, **raw}, label=f"{origin}: source #{index}")
        if source.name in seen:
            raise SourcesConfigError(f"{origin}: source {source.name!r}: field 'name': duplicate source name")
        seen.add(source.name)
        result.append(source)
    return result


def _parse_source(raw: Mapping[str, Any], *, label: str) -> SourceConfig:
    name = raw.get("name")
    if isinstance(name, str) and name:
        label = f"{label.rsplit(': source #', 1)[0]}: source {name!r}"

    def fail(field_name: str, message: str) -> SourcesConfigError:
        return SourcesConfigError(f"{label}: field {field_name!r}: {message}")

    unknown = set(raw) - set(_FIELDS)
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    if not isinstance(name, str) or not _NAME_PATTERN.fullmatch(name):
        raise fail("name", "required; letters, digits, '_', '-', '.' (it becomes the manifest source)")

    values: dict[str, Any] = {"name": name}
    for key, value in raw.items():
        if key == "name":
            continue
        if key in _TUPLE_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise fail(key, "must be a list of non-empty strings")
            values[key] = tuple(v.strip() for v in value)
        elif key in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise fail(key, f"must be a positive integer, got {value!r}")
            values[key] = value
        elif key in _FLOAT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail(key, f"must be a number, got {value!r}")
            minimum_ok = value >= 0 if key == "revisit_after_hours" else value > 0
            if not minimum_ok:
                raise fail(key, f"must be {'>= 0' if key == 'revisit_after_hours' else '> 0'}, got {value!r}")
            values[key] = float(value)
        elif key == "user_agent":
            if not isinstance(value, str) or not value.strip():
                raise fail(key, "must be a non-empty string")
            if not _CONTACT_PATTERN.search(value):
                raise fail(
                    key, "must include a contact (an e-mail address or a URL) so webmasters can reach you"
                )
            if any(ord(ch) < 32 for ch in value):
                raise fail(key, "must not contain control characters")
            values[key] = value.strip()

    start_urls = values.get("start_urls", ())
    if not start_urls:
        raise fail("start_urls", "required: at least one list-page URL")
    for url in start_urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise fail("start_urls", f"not an absolute http(s) URL: {url!r}")

    hosts = values.get("allowed_hosts")
    if hosts is None:
        hosts = tuple(dict.fromkeys(urlsplit(url).hostname or "" for url in start_urls))
    hosts = tuple(h.lower().rstrip(".") for h in hosts)
    for host in hosts:
        if not _HOST_PATTERN.fullmatch(host):
            raise fail("allowed_hosts", f"not a host name (no scheme or path): {host!r}")
    values["allowed_hosts"] = hosts

    for pattern in values.get("link_patterns", ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail("link_patterns", f"invalid regex {pattern!r}: {exc}") from exc

    source = SourceConfig(**values)
    for url in start_urls:
        parts = urlsplit(url)
        if not source.host_allowed(parts.hostname, parts.port):
            raise fail("start_urls", f"{url!r} is not on an allowed host {list(hosts)}")
    return source
