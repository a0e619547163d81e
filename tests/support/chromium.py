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
    chromium = find_chromium()  # first: a skip must leave no profile behind
    with tempfile.TemporaryDirectory(prefix="collatio-chromium-") as profile:
        command = [chromium, *FLAGS, f"--user-data-dir={profile}", *args]
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
    chromium = find_chromium()  # first: a skip must leave no pipe or profile behind
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
        command = [chromium, *FLAGS, f"--user-data-dir={profile}",
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


# --- a page driven step by step: clicks, wheel turns, keys, pictures -------------------------


_SETTLE = """(frames) => new Promise(done => {
  const step = () => (--frames > 0 ? requestAnimationFrame(step) : done(0));
  requestAnimationFrame(step);
})"""
_CENTER = """(selector) => {
  const e = document.querySelector(selector);
  if (!e) return null;
  let r = e.getClientRects()[0] || e.getBoundingClientRect();
  if (r.top < 0 || r.bottom > innerHeight) {
    e.scrollIntoView({block: "center"});
    r = e.getClientRects()[0] || e.getBoundingClientRect();
  }
  return [r.left + Math.min(r.width, 8) / 2, r.top + r.height / 2];
}"""
_BOX = """(selector) => {
  const e = document.querySelector(selector);
  e.scrollIntoView();
  const r = e.getBoundingClientRect();
  return [r.left + scrollX, r.top + scrollY, r.width, r.height];
}"""


class Page:
    """One page in a headless Chromium, driven over the DevTools protocol like a reader's
    hands: :meth:`click` and :meth:`wheel` dispatch real input events at the position of an
    element (so the page's own listeners, default actions and scrolling all run), :meth:`key`
    presses a key on the focused element, :meth:`evaluate` reads the page, and
    :meth:`screenshot` takes a picture of the viewport or of one element. :meth:`errors`
    lists what the page reported (as :func:`inspect` does).

    Use as a context manager: ``with chromium.Page(path, size=(1280, 900)) as page: ...``;
    ``javascript=False`` loads the page with scripts disabled.
    """

    def __init__(self, page: Path | str, size: tuple[int, int] = (1280, 900),
                 timeout: float = TIMEOUT, javascript: bool = True) -> None:
        self.url, self.size, self.timeout = _url(page), size, timeout
        self.javascript = javascript
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Page:
        chromium = find_chromium()  # first: a skip must leave no pipe or profile behind
        try:
            return self._start(chromium)
        except BaseException:  # __exit__ is not called when __enter__ fails
            self._stack.close()
            raise

    def _start(self, chromium: str) -> Page:
        deadline = time.monotonic() + self.timeout
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)

        def onto_3_and_4() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        profile = self._stack.enter_context(
            tempfile.TemporaryDirectory(prefix="collatio-chromium-"))
        command = [chromium, *FLAGS, f"--user-data-dir={profile}",
                   "--remote-debugging-pipe", f"--window-size={self.size[0]},{self.size[1]}",
                   "--hide-scrollbars", "--disable-smooth-scrolling"]
        process = subprocess.Popen(command, preexec_fn=onto_3_and_4, close_fds=False,
                                   start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(high_r)
        os.close(high_w)
        self._stack.callback(os.close, to_chrome_w)
        self._stack.callback(self._end, process)
        self.tools = _DevTools(to_chrome_w, from_chrome_r, deadline)
        target = self.tools.send("Target.createTarget", {"url": "about:blank"})
        self.session = self.tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1,
                   "mobile": False})
        if not self.javascript:  # the page as a reader without JavaScript has it
            self.send("Emulation.setScriptExecutionDisabled", {"value": True})
        navigation = self.send("Page.navigate", {"url": self.url})
        if navigation.get("errorText"):
            raise ChromiumFailed(f"cannot load {self.url}: {navigation['errorText']}")
        self.tools.wait_for("Page.loadEventFired")
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ChromiumFailed, OSError):
            self.tools.send("Browser.close")
        self._stack.close()

    @staticmethod
    def _end(process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.tools.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        answer = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in answer:
            raise ChromiumFailed(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def call(self, function: str, *args: Any) -> Any:
        """The value of the JavaScript *function* (its source) called with *args* (JSON)."""
        return self.evaluate(f"({function})(...{json.dumps(list(args))})")

    def settle(self, frames: int = 3) -> None:
        """Wait for a few animation frames (scroll handlers run in them); without
        JavaScript no frame callback runs, so wait as long as the frames would take."""
        if self.javascript:
            self.call(_SETTLE, frames)
        else:
            time.sleep(frames / 60)
            self.evaluate("0")

    def center(self, selector: str) -> tuple[float, float]:
        """The viewport position of the middle of the first element matching *selector*,
        scrolled into view (the page's own ``scrollIntoView``) if it is not in view."""
        found = self.call(_CENTER, selector)
        if found is None:
            raise ChromiumFailed(f"no element matches {selector!r}")
        return float(found[0]), float(found[1])

    def click(self, selector: str) -> None:
        """A left click (press and release) on the element, as a mouse does it."""
        x, y = self.center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        self.settle()

    def wheel(self, selector: str, dy: float) -> None:
        """Turn the mouse wheel by *dy* pixels over the element (it scrolls what is under
        the pointer, as a reader's wheel does)."""
        x, y = self.center(selector)
        self.send("Input.dispatchMouseEvent",
                  {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": dy})
        self.settle(6)

    def key(self, key: str, code: str | None = None, text: str | None = None) -> None:
        """Press and release *key* (``Enter``, ``Tab``...) on the focused element."""
        params: dict[str, Any] = {"key": key, "code": code or key}
        if text is not None:
            params["text"] = text
        keycodes = {"Enter": 13, "Tab": 9, " ": 32}
        if key in keycodes:
            params["windowsVirtualKeyCode"] = keycodes[key]
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **params})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})
        self.settle()

    def media(self, media: str) -> None:
        """Emulate a CSS media type (``print``, or ``""`` for the screen)."""
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def screenshot(self, selector: str | None = None, max_height: float | None = None
                   ) -> bytes:
        """A PNG of the viewport, or of the first element matching *selector* (scrolled to
        the top of the view; its first *max_height* pixels only, if given)."""
        params: dict[str, Any] = {"format": "png"}
        if selector is not None:
            box = self.call(_BOX, selector)
            height = box[3] if max_height is None else min(box[3], max_height)
            params["clip"] = {"x": box[0], "y": box[1], "width": box[2], "height": height,
                              "scale": 1}
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def errors(self) -> tuple[str, ...]:
        """Every error the page reported so far."""
        self.evaluate("0")  # every event sent before this answer has arrived
        return _errors([e for e in self.tools.events if e.get("sessionId") == self.session])
