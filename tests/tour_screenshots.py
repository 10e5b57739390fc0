"""README screenshots taken by the browser tours themselves.

A tour step ``screenshot(name)`` (static/tests/tours/vchasno_tour_utils.js)
logs ``vchasno-screenshot:<name>`` and waits. Here, inside the test, the
headless browser's console handler answers it: with ``VCHASNO_SCREENSHOTS=1``
it captures the page through Chrome DevTools (``Page.captureScreenshot``) into
``readme/images/<name>_<lang>.png``; in every case it then lets the tour go on
(``window.__vchasnoShot = name``). The capture is asynchronous, so the tour
step waits for that answer: the picture is of the step, not of a later one.
"""

import base64
import json
import os
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests.common import ChromeBrowser

PREFIX = "vchasno-screenshot:"
IMAGES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "readme", "images")


def screenshots_enabled():
    return os.environ.get("VCHASNO_SCREENSHOTS") == "1"


def _answer(browser, name):
    browser._websocket_send(
        "Runtime.evaluate",
        params={"expression": "window.__vchasnoShot = %s" % json.dumps(name)},
    )


def _shoot(browser, name, suffix):
    if not screenshots_enabled():
        _answer(browser, name)
        return

    def save(future):
        try:
            data = base64.b64decode(future.result(timeout=0)["data"])
            os.makedirs(IMAGES, exist_ok=True)
            with open(os.path.join(IMAGES, "%s_%s.png" % (name, suffix)), "wb") as f:
                f.write(data)
        finally:
            _answer(browser, name)

    future = browser._websocket_send("Page.captureScreenshot", with_future=True)
    future.add_done_callback(save)


@contextmanager
def tour_screenshots(suffix):
    """While active, tours' screenshot steps are answered (and captured when
    ``VCHASNO_SCREENSHOTS=1``) as ``<name>_<suffix>.png``."""
    original = ChromeBrowser._handle_console

    def handle_console(browser, type, args=None, stackTrace=None, **kw):  # noqa: A002
        if type == "log" and args:
            first = browser._from_remoteobject(args[0])
            if isinstance(first, str) and first.startswith(PREFIX):
                _shoot(browser, first[len(PREFIX) :], suffix)
                return None
        return original(browser, type, args=args, stackTrace=stackTrace, **kw)

    with patch.object(ChromeBrowser, "_handle_console", handle_console):
        yield
