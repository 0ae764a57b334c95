"""The crawler's HTTP layer: one polite GET with throttling, robots.txt, retries, redirects and a size cap.

Every HTTP request (each retry attempt and each redirect hop) appends one JSON line to the request log and
flushes it, so the log survives a crash and a resumed crawl can be audited request by request.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any, Protocol

import httpx
from protego import Protego

from pipelines.sources.crawl_links import host_and_port, normalize_url, origin
from pipelines.sources.sources_config import SourceConfig

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
ROBOTS_MAX_BYTES = 512 * 1024


class Clock(Protocol):
    """Time source for throttling and back-off; tests inject a fake one to assert the requested waits."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class RequestLog:
    """Append-only JSON Lines file, one row per HTTP request, flushed per row (crash-safe, resumable).

    Row fields: url, source, status (null when no response), bytes (body bytes read), elapsed_ms, error
    (null on success), started_at (ISO 8601 UTC), plus kind (robots | list | page | attachment), attempt
    and dry_run.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def write(self, row: Mapping[str, Any]) -> None:
        if self.path is None:
            return
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def read_request_log(path: Path) -> list[dict[str, Any]]:
    """All rows of a request log; a torn last line (crash mid-write) is ignored."""
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes | None = None  # None unless a 2xx body was read completely
    error: str | None = None  # why the fetch failed; None for 2xx and 304

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    @property
    def charset(self) -> str | None:
        content_type = self.headers.get("content-type", "")
        for part in content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None


@dataclass
class _Attempt:
    result: FetchResult
    retryable: bool = False
    retry_after: float | None = None
    location: str | None = None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_DENY_ALL = Protego.parse("User-agent: *\nDisallow: /\n")


class Fetcher:
    """GETs for one source: per-host throttle, robots.txt, retries, manual redirects within allowed hosts."""

    def __init__(
        self,
        client: httpx.Client,
        source: SourceConfig,
        log: RequestLog,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        dry_run: bool = False,
    ) -> None:
        self.client = client
        self.source = source
        self.log = log
        self.clock = clock
        self.rng = rng or random.Random()
        self.dry_run = dry_run
        self.requests = 0
        self.robots_failures: list[tuple[str, str]] = []
        self._last_request_end: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}

    # -- robots.txt ------------------------------------------------------------------------------------

    def _robots_for(self, url: str) -> Protego | None:
        key = origin(url)
        if key not in self._robots:
            self._robots[key] = None  # no robots check (and no recursion) while fetching robots.txt
            self._robots[key] = self._load_robots(key + "/robots.txt")
        return self._robots[key]

    def _load_robots(self, robots_url: str) -> Protego | None:
        """RFC 9309: 4xx → everything allowed; 5xx or unreachable → nothing allowed for this crawl."""
        result = self.fetch(robots_url, kind="robots", max_bytes=ROBOTS_MAX_BYTES)
        if result.ok and result.body is not None:
            return Protego.parse(result.body.decode("utf-8", errors="replace"))
        if result.status is not None and 400 <= result.status < 500:
            return None
        self.robots_failures.append((robots_url, f"robots.txt unavailable ({result.error}): host skipped"))
        return _DENY_ALL

    def allowed_by_robots(self, url: str) -> bool:
        robots = self._robots_for(url)
        return robots is None or bool(robots.can_fetch(url, self.source.user_agent))

    def min_interval(self, url: str) -> float:
        interval = self.source.min_interval_seconds
        robots = self._robots.get(origin(url))
        if robots is not None:
            delay = robots.crawl_delay(self.source.user_agent)
            if delay:
                interval = max(interval, float(delay))
        return interval

    # -- one logical fetch -----------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        kind: str,
        conditional: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` following at most 5 redirects inside allowed hosts; never raises for HTTP trouble."""
        max_bytes = self.source.max_bytes_per_file if max_bytes is None else max_bytes
        chain = [url]
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            attempt = self._with_retries(current, kind, conditional or {}, max_bytes)
            result = attempt.result
            result.url = url
            if attempt.location is None:
                return result
            target = normalize_url(attempt.location, current)
            failure: str | None = None
            if target is None:
                failure = f"redirect to a non-http URL {attempt.location!r}"
            elif not self.source.host_allowed(*host_and_port(target)):
                failure = f"redirect outside allowed hosts: {target}"
            elif target in chain:
                failure = "redirect loop"
            elif hop == MAX_REDIRECTS:
                failure = f"too many redirects (> {MAX_REDIRECTS})"
            elif kind != "robots" and not self.allowed_by_robots(target):
                failure = f"redirect target disallowed by robots.txt: {target}"
            if failure is not None or target is None:
                return FetchResult(url, current, result.status, result.headers, None, failure)
            chain.append(target)
            current = target
        raise AssertionError("unreachable")  # pragma: no cover

    def _with_retries(self, url: str, kind: str, conditional: Mapping[str, str], max_bytes: int) -> _Attempt:
        source = self.source
        for number in range(1, source.max_attempts + 1):
            attempt = self._request_once(url, kind, conditional, max_bytes, number)
            if not attempt.retryable:
                return attempt
            if number == source.max_attempts:
                attempt.result.error = f"{attempt.result.error} (gave up after {number} attempts)"
                return attempt
            if attempt.retry_after is not None:
                if attempt.retry_after > source.max_retry_after_seconds:
                    attempt.result.error = (
                        f"{attempt.result.error}: Retry-After {attempt.retry_after:.0f} s exceeds "
                        f"max_retry_after_seconds {source.max_retry_after_seconds:.0f}"
                    )
                    return attempt
                delay = attempt.retry_after
            else:
                delay = source.backoff_seconds * 2 ** (number - 1) * (1.0 + self.rng.random())
            self.clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _throttle(self, url: str) -> str:
        host, port = host_and_port(url)
        key = f"{host}:{port}"
        last = self._last_request_end.get(key)
        if last is not None:
            wait = last + self.min_interval(url) - self.clock.monotonic()
            if wait > 0:
                self.clock.sleep(wait)
        return key

    def _request_once(
        self, url: str, kind: str, conditional: Mapping[str, str], max_bytes: int, attempt_number: int
    ) -> _Attempt:
        host_key = self._throttle(url)
        headers = {"User-Agent": self.source.user_agent, "Accept-Encoding": "gzip, deflate"}
        headers.update(conditional)
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        result = FetchResult(url, url)
        attempt = _Attempt(result)
        read = 0
        self.requests += 1
        try:
            with self.client.stream(
                "GET",
                url,
                headers=headers,
                timeout=self.source.timeout_seconds,
                follow_redirects=False,
            ) as response:
                status = response.status_code
                result.status = status
                result.headers = response.headers
                if status in REDIRECT_STATUSES and response.headers.get("location"):
                    attempt.location = response.headers["location"]
                elif status == 304:
                    pass
                elif 200 <= status < 300:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        result.error = f"over size cap (Content-Length {declared} > {max_bytes} bytes)"
                    else:
                        buffer = bytearray()
                        deadline = started + self.source.max_seconds_per_file
                        # chunks as they arrive (not batched to a size), so the deadline is checked even
                        # while a server trickles single bytes
                        for chunk in response.iter_bytes():
                            buffer += chunk
                            read = len(buffer)
                            if read > max_bytes:
                                result.error = f"over size cap (more than {max_bytes} bytes streamed)"
                                break
                            if time.perf_counter() > deadline:
                                result.error = (
                                    f"download too slow: {read} bytes after "
                                    f"{self.source.max_seconds_per_file:g} s (max_seconds_per_file)"
                                )
                                break
                        else:
                            result.body = bytes(buffer)
                else:
                    result.error = f"HTTP {status}"
                    if status == 429 or 500 <= status < 600:
                        attempt.retryable = True
                        attempt.retry_after = parse_retry_after(response.headers.get("retry-after"))
        except httpx.TimeoutException as exc:
            result.error = f"timeout ({type(exc).__name__} after {self.source.timeout_seconds:g} s)"
            attempt.retryable = True
        except httpx.TransportError as exc:
            result.error = f"connection error ({type(exc).__name__}: {exc})"
            attempt.retryable = True
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            result.error = f"request error ({type(exc).__name__}: {exc})"
        finally:
            self._last_request_end[host_key] = self.clock.monotonic()
            self.log.write(
                {
                    "url": url,
                    "source": self.source.name,
                    "status": result.status,
                    "bytes": read,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                    "error": result.error,
                    "started_at": started_at.isoformat(),
                    "kind": kind,
                    "attempt": attempt_number,
                    "dry_run": self.dry_run,
                }
            )
        if result.error is not None:
            result.body = None
        return attempt
