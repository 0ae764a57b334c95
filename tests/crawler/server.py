"""A programmable HTTP server on 127.0.0.1 for crawler tests (stdlib only, one thread per request).

Routes map a request path (with its query string, exactly as sent) to a :class:`Reply` or to a function
of the :class:`Seen` request returning one. Every request is recorded with its arrival time, and the body
bytes actually written are counted per path, so tests can prove what was (not) requested or served.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (timeouts)
    content_length: int | None = None  # declared length for a streamed body


@dataclass(frozen=True)
class Seen:
    path: str
    time: float  # time.monotonic() on arrival
    host: str  # Host header
    headers: dict[str, str]


Route = Reply | Callable[[Seen], Reply]


class MockServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.served: list[tuple[str, int]] = []  # (path, status) per answered request
        self.bytes_written: dict[str, int] = {}
        self.validators: str | None = None  # "etag" or "last-modified": answer conditional GETs with 304
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.mock = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Route) -> None:
        self.routes[path] = reply

    def html(self, path: str, html: str, encoding: str = "utf-8", content_type: str = "text/html") -> None:
        self.route(path, Reply(body=html.encode(encoding), headers={"Content-Type": content_type}))

    def paths(self) -> list[str]:
        with self._lock:
            return [seen.path for seen in self.requests]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def start(self) -> MockServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def _answering(self, path: str, status: int) -> None:
        # recorded before the response is sent, so a client that got the answer can already see it here
        with self._lock:
            self.served.append((path, status))

    def _written(self, path: str, written: int) -> None:
        with self._lock:
            self.bytes_written[path] = self.bytes_written.get(path, 0) + written


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection; a body without length ends at close

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        mock: MockServer = self.server.mock  # type: ignore[attr-defined]
        seen = Seen(self.path, time.monotonic(), self.headers.get("Host", ""), dict(self.headers.items()))
        mock._record(seen)
        route = mock.routes.get(self.path)
        if route is None:
            reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
        else:
            reply = route(seen) if callable(route) else route
        if reply.delay:
            time.sleep(reply.delay)
        headers = dict(reply.headers)
        status = reply.status
        body = reply.body
        if isinstance(body, bytes) and status == 200 and mock.validators:
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            stamp = "Mon, 01 Jan 2024 00:00:00 GMT"
            if mock.validators == "etag":
                headers.setdefault("ETag", tag)
                if self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
            else:
                headers.setdefault("Last-Modified", stamp)
                if self.headers.get("If-Modified-Since") == headers["Last-Modified"]:
                    status, body = 304, b""
        written = 0
        mock._answering(self.path, status)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            elif reply.content_length is not None:
                self.send_header("Content-Length", str(reply.content_length))
            self.end_headers()
            chunks = [body] if isinstance(body, bytes) else body
            for chunk in chunks:
                self.wfile.write(chunk)
                written += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            mock._written(self.path, written)
