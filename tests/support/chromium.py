"""Headless Chromium for the tests: a page's DOM, a screenshot, and its console errors.

Chromium runs as FIELD-NOTES prescribes (headless, no sandbox, no GPU, no background
networking, a new empty profile each time) under a timeout. :func:`dump_dom` and
:func:`screenshot` use the ``--dump-dom`` and ``--screenshot`` switches; :func:`inspect`
drives the page over the DevTools protocol on a pipe (``--remote-debugging-pipe``) and
collects every error it reports: ``console.error`` and ``console.assert`` calls, uncaught
exceptions, and the browser's own error log (resources that fail to load, security
violations), with the page's answers to JavaScript expressions evaluated afterwards.

Without Chromium the test is skipped (failed under CI: see :mod:`tests.support.tools`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from tests.support import tools

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT = 60.0


class ChromiumFailed(RuntimeError):
    """Chromium did not do what was asked in time, or answered with an error."""


def find_chromium() -> str:
    """The Chromium executable on PATH; the test is skipped (failed under CI) without it."""
    return tools.executable("chromium", "chromium")


def _url(page: Path | str) -> str:
    return page.resolve().as_uri() if isinstance(page, Path) else page


@contextlib.contextmanager
def _launch(args: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Chromium started with :data:`FLAGS`, a new empty profile and *args*; the whole
    process group it started is ended on the way out."""
    with tempfile.TemporaryDirectory(prefix="collatio-chromium-") as profile:
        command = [find_chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
        process = subprocess.Popen(command, start_new_session=True, **popen)
        try:
            yield process
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _run(args: Sequence[str], timeout: float) -> bytes:
    with _launch(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ChromiumFailed(f"chromium {' '.join(args)} took over {timeout} s") from exc
        if process.returncode != 0:
            raise ChromiumFailed(
                f"chromium {' '.join(args)} exited with {process.returncode}: "
                f"{err.decode(errors='replace')[-2000:]}"
            )
        return out


def dump_dom(page: Path | str, timeout: float = TIMEOUT) -> str:
    """The DOM of *page* (a file or URL) after loading, serialized (``--dump-dom``)."""
    return _run(["--dump-dom", _url(page)], timeout).decode("utf-8")


def screenshot(page: Path | str, out: Path, size: tuple[int, int] = (1280, 2000),
               timeout: float = TIMEOUT) -> Path:
    """A PNG of the top *size* pixels of *page*, written to *out* (``--screenshot``)."""
    out.unlink(missing_ok=True)
    _run([f"--screenshot={out.resolve()}", f"--window-size={size[0]},{size[1]}",
          "--hide-scrollbars", _url(page)], timeout)
    if not out.is_file():
        raise ChromiumFailed(f"chromium wrote no screenshot to {out}")
    return out


@attrs.frozen
class PageReport:
    """What :func:`inspect` saw: the errors the page reported, in order, and the value of
    each expression evaluated after loading (``print_values`` under print media)."""

    errors: tuple[str, ...]
    values: tuple[Any, ...]
    print_values: tuple[Any, ...]
    screenshot: bytes


class _DevTools:
    """The DevTools protocol over Chromium's pipe: JSON messages ended by NUL."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float) -> None:
        self.write_fd, self.deadline = write_fd, deadline
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, args=(read_fd,), daemon=True).start()

    def _read(self, fd: int) -> None:
        buffer = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                *whole, buffer = buffer.split(b"\0")
                for message in whole:
                    self.messages.put(json.loads(message))
        self.messages.put(None)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer; events met meanwhile are kept."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._next(f"an answer to {method}")
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise ChromiumFailed(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first event called *method*, received already or to come."""
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._next(method)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _next(self, what: str) -> dict[str, Any]:
        left = self.deadline - time.monotonic()
        try:
            message = self.messages.get(timeout=max(left, 0.01))
        except queue.Empty:
            raise ChromiumFailed(f"no {what} from chromium in time") from None
        if message is None:
            raise ChromiumFailed(f"chromium closed the pipe while waiting for {what}")
        return message


def _errors(events: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The errors among DevTools events, each as one line of text."""
    found: list[str] = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            found.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text")
            found.append(f"uncaught exception: {description}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append(f"{entry.get('source')} error: {entry.get('text')} {entry.get('url', '')}")
    return tuple(found)


def inspect(page: Path | str, expressions: Sequence[str] = (),
            print_expressions: Sequence[str] = (), size: tuple[int, int] = (1280, 2000),
            timeout: float = TIMEOUT) -> PageReport:
    """Load *page* in one Chromium and report its errors, the values of *expressions*
    (JavaScript, evaluated after the load event), the values of *print_expressions* under
    print media, and a screenshot of the first *size* pixels."""
    deadline = time.monotonic() + timeout
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    # Chromium reads commands on fd 3 and writes answers on fd 4: copies from above 9 (so
    # neither copy can clobber the other) are put there in the child just before exec.
    high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
    high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
    for fd in (to_chrome_r, from_chrome_w):
        os.close(fd)

    def onto_3_and_4() -> None:
        os.dup2(high_r, 3)
        os.dup2(high_w, 4)

    with tempfile.TemporaryDirectory(prefix="collatio-chromium-") as profile:
        command = [find_chromium(), *FLAGS, f"--user-data-dir={profile}",
                   "--remote-debugging-pipe", f"--window-size={size[0]},{size[1]}",
                   "--hide-scrollbars"]
        process = subprocess.Popen(command, preexec_fn=onto_3_and_4, close_fds=False,
                                   start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(high_r)
        os.close(high_w)
        try:
            tools = _DevTools(to_chrome_w, from_chrome_r, deadline)
            target = tools.send("Target.createTarget", {"url": "about:blank"})
            session = tools.send("Target.attachToTarget",
                                 {"targetId": target["targetId"], "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Page"):
                tools.send(f"{domain}.enable", session=session)
            tools.send("Emulation.setDeviceMetricsOverride",
                       {"width": size[0], "height": size[1], "deviceScaleFactor": 1,
                        "mobile": False}, session)
            navigation = tools.send("Page.navigate", {"url": _url(page)}, session)
            if navigation.get("errorText"):
                raise ChromiumFailed(f"cannot load {page}: {navigation['errorText']}")
            tools.wait_for("Page.loadEventFired")

            def evaluate(expression: str) -> Any:
                answer = tools.send("Runtime.evaluate", {"expression": expression,
                                                         "returnByValue": True}, session)
                if "exceptionDetails" in answer:
                    raise ChromiumFailed(f"{expression}: {answer['exceptionDetails']}")
                return answer["result"].get("value")

            values = tuple(evaluate(e) for e in expressions)
            shot = base64.b64decode(tools.send("Page.captureScreenshot", {"format": "png"},
                                               session)["data"])
            tools.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
            print_values = tuple(evaluate(e) for e in print_expressions)
            # every event sent before this answer has arrived: the errors are complete
            evaluate("0")
            errors = _errors([e for e in tools.events if e.get("sessionId") == session])
            with contextlib.suppress(ChromiumFailed, OSError):
                tools.send("Browser.close")
            process.wait(timeout=max(deadline - time.monotonic(), 1))
            return PageReport(errors, values, print_values, shot)
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            os.close(to_chrome_w)
