"""Headless Chromium driven over the Chrome DevTools Protocol, for the HTML report tests.

Debian's ``chromium`` is started with a private profile and ``--remote-debugging-port=0``; the
port it picked is read from ``DevToolsActivePort`` in the profile folder, and the page target is
driven over its websocket (``websocket-client``). Every event is kept, so a test can assert what
the page did: console messages, exceptions, network requests, JavaScript dialogs.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
)
START_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0
ALLOWED_SCHEMES = ("file:", "data:", "about:")
DIALOG_ANSWER_IDS = 1_000_000  # ids of our dialog answers, apart from call() ids


def chromium_path() -> str | None:
    """The Chromium binary, if installed (Debian names it chromium)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def running_chromium(profile: Path) -> Iterator[Chromium]:
    """A headless Chromium for a test module; in CI a missing browser fails, elsewhere it skips."""
    import pytest

    binary = chromium_path()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    chromium = Chromium.start(binary, profile)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class PageVisit:
    """What happened while one page loaded, and what its DOM held afterwards."""

    events: list[dict[str, Any]]
    dom: dict[str, Any]

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                errors.append(json.dumps(params.get("exceptionDetails")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"].get("text", ""))
        return errors

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def network_requests(self) -> list[str]:
        """Requests that left the file: anything but file:, data: and about: URLs."""
        return [url for url in self.requests() if not url.startswith(ALLOWED_SCHEMES)]

    def dialogs(self) -> list[str]:
        return [
            e["params"].get("message", "")
            for e in self.events
            if e["method"] == "Page.javascriptDialogOpening"
        ]


@dataclass
class Chromium:
    """One headless browser with one page; :meth:`visit` loads a file and reports."""

    process: subprocess.Popen[bytes]
    socket: Any
    log: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = 0
    _consumed: int = 0
    _dialogs_answered: int = 0

    @classmethod
    def start(cls, binary: str, profile: Path) -> Chromium:
        import websocket

        profile.mkdir(parents=True, exist_ok=True)
        log = profile / "chromium.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its helper processes share a group we can stop
            )
        try:
            port = _wait_for_port(profile / "DevToolsActivePort", process, log)
            url = _page_socket(port)
            socket = websocket.create_connection(url, timeout=CALL_TIMEOUT_S, suppress_origin=True)
        except BaseException:
            _stop(process)
            raise
        browser = cls(process=process, socket=socket, log=log)
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable")
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        return browser

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._on_event(message)
        raise TimeoutError(method)

    def _on_event(self, message: dict[str, Any]) -> None:
        """Keep the event; answer a JavaScript dialog at once so the page does not hang."""
        self.events.append(message)
        if message["method"] == "Page.javascriptDialogOpening":
            self._dialogs_answered += 1
            answer = {
                "id": DIALOG_ANSWER_IDS + self._dialogs_answered,
                "method": "Page.handleJavaScriptDialog",
                "params": {"accept": True},
            }
            self.socket.send(json.dumps(answer))

    def wait_for(self, event: str) -> dict[str, Any]:
        """Read until ``event`` arrives after the last wait."""
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while time.monotonic() < deadline:
            for index in range(self._consumed, len(self.events)):
                if self.events[index]["method"] == event:
                    self._consumed = index + 1
                    return self.events[index]
            message = json.loads(self.socket.recv())
            if "method" in message:
                self._on_event(message)
        raise TimeoutError(event)

    def visit(self, path: Path, probe: str) -> PageVisit:
        """Load ``path``, wait for its load event, settle, and evaluate ``probe`` (JSON back)."""
        return self.visit_url(path.resolve().as_uri(), probe)

    def visit_url(self, url: str, probe: str, await_promise: bool = False) -> PageVisit:
        """As :meth:`visit` for any URL; ``await_promise`` waits for a probe that is a Promise."""
        self.call("Page.navigate", url="about:blank")
        self.wait_for("Page.loadEventFired")
        self.events.clear()
        self._consumed = 0
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # late console messages and image decoding
        result = self.call(
            "Runtime.evaluate", expression=probe, returnByValue=True, awaitPromise=await_promise
        )
        events = [e for e in self.events if not e["method"].startswith("Page.loadEvent")]
        return PageVisit(events=events, dom=json.loads(result["result"]["value"]))

    def screenshot(self, target: Path, max_height: int | None = None) -> Path:
        """A PNG of the whole page (or its top ``max_height`` CSS pixels)."""
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        height = size["height"] if max_height is None else min(size["height"], max_height)
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1},
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            _stop(self.process)


def _wait_for_port(active_port: Path, process: subprocess.Popen[bytes], log: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited ({process.returncode}): {log.read_text()[-2000:]}")
        if active_port.is_file():
            lines = active_port.read_text().split()
            if lines:
                return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError(f"chromium did not open its debugging port: {log.read_text()[-2000:]}")


def _page_socket(port: int) -> str:
    """The websocket URL of the first page target (the about:blank tab)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            targets = json.load(reply)
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise TimeoutError("chromium opened no page")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the browser and its helper processes (its own process group), waiting for them."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _signal_group(process.pid, 0):
        time.sleep(0.1)
    _signal_group(process.pid, signal.SIGKILL)


def _signal_group(group: int, number: int) -> bool:
    """Send ``number`` to the browser's process group; False once the group is gone."""
    try:
        os.killpg(group, number)
    except ProcessLookupError:
        return False
    return True
