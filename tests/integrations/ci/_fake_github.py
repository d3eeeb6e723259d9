"""A real HTTP server on 127.0.0.1 that answers like GitHub's issue-comment REST endpoints.

It keeps comments per pull request, paginates the list with ``Link`` headers (``per_page``),
creates (POST) and updates (PATCH) comments, and can be told to answer the next requests with a
fault: a 5xx, a 429 or 403 rate limit with ``Retry-After``, or a plain 403 (missing permission).
Every request is recorded (method, path, headers, body, time) for the tests to inspect.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LIST = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$")
ONE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)$")


@dataclass
class Fault:
    """An answer given instead of the real one."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "fault"
    payload: Any = None  # the JSON body; default {"message": message}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


class FakeGitHub:
    """State and faults of the fake API; ``url`` is its base (the GITHUB_API_URL)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self.next_id = 1000
        self.url = ""

    def add_comment(self, number: int, body: str) -> dict[str, Any]:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "html_url": f"https://x/c/{self.next_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else None
        self.requests.append(
            Recorded(handler.command, handler.path, dict(handler.headers), body, time.monotonic())
        )
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        if self.faults:
            fault = self.faults.pop(0)
            payload = {"message": fault.message} if fault.payload is None else fault.payload
            return fault.status, payload, fault.headers
        listing, one = LIST.match(parts.path), ONE.match(parts.path)
        if listing and handler.command == "GET":
            return self._page(int(listing["number"]), parse_qs(parts.query))
        if listing and handler.command == "POST":
            return 201, self.add_comment(int(listing["number"]), body["body"]), {}
        if one and handler.command == "PATCH":
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(one["id"]):
                        comment["body"] = body["body"]
                        return 200, comment, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, number: int, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        comments = self.comments.get(number, [])
        chunk = comments[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(comments):
            base = f"{self.url}/repos/o/r/issues/{number}/comments"
            headers["Link"] = (
                f'<{base}?per_page={per_page}&page={page + 1}>; rel="next", '
                f'<{base}?per_page={per_page}&page=1>; rel="first"'
            )
        return 200, chunk, headers


def _handler(api: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            status, payload, headers = api.answer(self)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve  # noqa: N815 - http.server's method names

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_github(token: str) -> Iterator[FakeGitHub]:
    """Serve a FakeGitHub on a free loopback port for the block; stopped afterwards."""
    api = FakeGitHub(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
