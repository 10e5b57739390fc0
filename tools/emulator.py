"""A fake Vchasno.Kasa cloud API for tests, benchmarks and the demo.

Standard library only. Every token becomes its own test register on first
use (``emulator_register.Register``). Usable in-process (``handle``) or as a
real HTTP server on loopback (``start``/``stop``, or the CLI
``python3 -m tools.emulator --port 8765``, which ``make emulator`` runs).

Steering (public contract, REQUIREMENTS.md): ``GET /_emulator/documents``,
``GET /_emulator/notifications``, ``POST /_emulator/config``,
``POST /_emulator/faults`` and ``POST /_emulator/reset``.

Choices where the spec is silent (all pessimistic):

- a repeated ``tag`` issues a second document (``repeat_tag`` =
  ``"new_document"``) unless configured ``"return_stored"``;
- a search by tag (``type: 0``) answers the stored result, or our code
  ``TAG_NOT_FOUND_RES``; ``{"tag_search": false}`` models a cloud without
  the search (refused as a malformed request), since the search is documented
  for the Device Manager only;
- a register enables Готівка, Безготівка, Картка and Заокруглення; with
  ``token`` the config disables payment types or rounding and sets the
  rounding step/limit, and refusals use our codes (``vchasno_errors.OUR_CODES``);
- fault ``invalid_json`` records the document (HTTP 200 = executed), then
  garbles the answer; ``http_500_html``, ``reset_before_record``, refusals,
  401 and 429 record nothing; ``timeout_after_record`` records, then hangs.
"""

import argparse
import contextlib
import copy
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import ThreadingHTTPServer
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from .emulator_http import EmulatedDrop, EmulatorHandler, Reply
from .emulator_register import DOCCODE_ALPHABET, Register
from .emulator_views import receipt_page
from .tax_groups import DEFAULT_TAX_GROUPS
from .vchasno_errors import (
    EMU_RES_FAULT_COLLISION,
    EMU_RES_FAULT_FATAL,
    EMU_RES_FAULT_RETRY,
)

_logger = logging.getLogger(__name__)

KYIV = ZoneInfo("Europe/Kyiv")
FISCAL_PATH = "/api/v3/fiscal/execute"
CHECK_TASK_PREFIX = "/api/v3/check-task/"
NOTIFY_PATH = "/api/v2/notifications/checks"
FAULT_KINDS = (
    "reset_before_record", "timeout_after_record", "http_500_html", "invalid_json",
    "res_action_1", "res_action_2", "res_action_3", "http_401", "http_429",
)  # fmt: skip
_REFUSAL_FAULTS = {
    "res_action_1": (EMU_RES_FAULT_RETRY, 1, "Каса зайнята, повторіть запит"),
    "res_action_2": (EMU_RES_FAULT_COLLISION, 2, "Конфлікт зі станом каси"),
    "res_action_3": (EMU_RES_FAULT_FATAL, 3, "Запит відхилено"),
}
REPEAT_TAG_MODES = ("new_document", "return_stored")
NOTIFY_CHANNELS = ("email", "sms", "viber", "cascade")
DEFAULT_CONFIG = {
    "latency_ms": 0,
    "repeat_tag": "new_document",
    "tag_search": True,
    "strict_tokens": False,
    "tokens": [],
    "hang_s": 60,
    "retry_after": 120,
    "clock_offset_s": 0,
}
# Per register, with "token" in the same call (the register's cabinet settings).
REGISTER_KEYS = (
    "pay_types", "tax_groups", "rounding", "round_step", "round_max",
    "owner_edrpou", "owner_name",
)  # fmt: skip


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class VchasnoEmulator:
    """Thread-safe fake of Vchasno.Kasa (one lock around all state).

    :param clock: callable returning an aware ``datetime`` (default: now in
        Europe/Kyiv); tests move it to cross the 24-hour shift limit
    """

    def __init__(self, clock=None, **config):
        self._lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(KYIV))
        self._stop = threading.Event()
        self._server = self._thread = None
        self.reset()
        self.configure(**config)

    # === Python API === #

    @property
    def url(self):
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, host="127.0.0.1", port=0):
        """Serve HTTP in a daemon thread; return the base URL."""
        self._stop.clear()
        self._server = ThreadingHTTPServer((host, port), EmulatorHandler)
        self._server.daemon_threads = True
        self._server.emulator = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="vchasno-emulator", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self):
        self._stop.set()  # wakes hanging and sleeping handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None

    def reset(self):
        """Forget registers, documents, notifications, faults and config."""
        with self._lock:
            self._config = copy.deepcopy(DEFAULT_CONFIG)
            self._registers = {}
            self._documents = []
            self._notifications = []
            self._faults = []
            self._doccodes = set()

    def configure(self, **cfg):
        """Change settings (``DEFAULT_CONFIG`` keys), or, with ``token``, that
        register's cabinet: ``pay_types`` (enabled codes), ``tax_groups``
        (codes among the defaults), ``rounding`` ("Заокруглення" enabled),
        ``round_step`` / ``round_max`` (the rule of the company's settings),
        ``owner_edrpou`` / ``owner_name`` (answered by task 18)."""
        unknown = set(cfg) - set(DEFAULT_CONFIG) - set(REGISTER_KEYS) - {"token"}
        if unknown:
            raise ValueError(f"unknown emulator setting(s): {sorted(unknown)}")
        if cfg.get("repeat_tag", "new_document") not in REPEAT_TAG_MODES:
            raise ValueError(f"repeat_tag must be one of {REPEAT_TAG_MODES}")
        token = cfg.pop("token", None)
        register_cfg = {k: cfg.pop(k) for k in REGISTER_KEYS if k in cfg}
        if register_cfg and token is None:
            raise ValueError(f"{sorted(register_cfg)} need a token")
        with self._lock:
            if token is not None:
                _configure_register(self._register(token_hash(token)), register_cfg)
            self._config.update(cfg)

    def inject_fault(self, kind, count=1, token=None):
        """Make the next ``count`` fiscal requests (of ``token``) fail as ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.append(
                {
                    "kind": kind,
                    "left": int(count),
                    "token_hash": token_hash(token) if token else None,
                }
            )

    def documents(self):
        with self._lock:
            return copy.deepcopy(self._documents)

    def notifications(self):
        with self._lock:
            return copy.deepcopy(self._notifications)

    def now(self):
        return self._clock() + timedelta(seconds=self._config["clock_offset_s"])

    def handle(self, token, request):
        """In-process fiscal request; returns ``(status, headers, body)``.

        :raise EmulatedDrop: for the faults that send no answer at all
        """
        reply = self._fiscal(token, request)
        if reply.action:
            raise EmulatedDrop(reply.action)
        body = reply.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        return reply.status, reply.headers, body

    # === Request handling === #

    def _register(self, thash):
        register = self._registers.get(thash)
        if register is None:
            register = self._registers[thash] = Register(thash)
        return register

    def _authorized(self, token):
        if not token:
            return False
        cfg = self._config
        return not cfg["strict_tokens"] or token in cfg["tokens"]

    def _take_fault(self, thash):
        with self._lock:
            for fault in self._faults:
                if fault["token_hash"] in (None, thash):
                    fault["left"] -= 1
                    if fault["left"] <= 0:
                        self._faults.remove(fault)
                    return fault["kind"]
        return None

    def _issue_doccode(self):
        while True:
            code = "TEST_" + "".join(
                secrets.choice(DOCCODE_ALPHABET) for _i in range(12)
            )
            if code not in self._doccodes:
                self._doccodes.add(code)
                return code

    def _fiscal(self, token, request):
        if not self._authorized(token):
            return _unauthorized()
        thash = token_hash(token)
        fault = self._take_fault(thash)
        latency = self._config["latency_ms"] / 1000
        if latency:
            self._stop.wait(latency)
        if fault == "reset_before_record":
            return Reply(action="reset")
        if fault == "http_500_html":
            html = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
            return Reply(500, html)
        if fault == "http_401":
            return _unauthorized()
        if fault == "http_429":
            retry_after = str(self._config["retry_after"])
            return Reply(
                429, {"detail": "Too many requests"}, {"Retry-After": retry_after}
            )
        request = request if isinstance(request, dict) else {}
        with self._lock:
            register = self._register(thash)
            if fault in _REFUSAL_FAULTS:
                res, action, text = _REFUSAL_FAULTS[fault]
                answer = register.refuse(request, self.now(), res, action, text)
                return Reply(200, answer)
            register.public_base = self.url or register.public_base
            answer, document = register.execute(
                request,
                self.now(),
                self._config["repeat_tag"],
                self._issue_doccode,
                tag_search=self._config["tag_search"],
            )
            if document is not None:
                self._documents.append(document)
        if fault == "timeout_after_record":
            return Reply(action="hang")
        if fault == "invalid_json":
            return Reply(200, b'{"res": 0, "info": {"doccode": <<garbled>>')
        return Reply(200, answer)

    def _check_task(self, token, doccode):
        if not self._authorized(token):
            return _unauthorized()
        with self._lock:
            register = self._register(token_hash(token))
            stored = register.by_doccode.get(doccode)
            if stored is None:
                return Reply(404, {"detail": "Not found"})
            return Reply(200, {"fiscal_number": doccode, "task": copy.deepcopy(stored)})

    def _notify(self, token, body):
        """``notifications/checks``; its real answer format is unknown (§7.2)."""
        if not self._authorized(token):
            return _unauthorized()
        body = body if isinstance(body, dict) else {}
        thash = token_hash(token)
        with self._lock:
            register = self._register(thash)
            if body.get("channel") not in NOTIFY_CHANNELS or not body.get("recipient"):
                return Reply(
                    400, {"status": "error", "detail": "bad channel/recipient"}
                )
            if body.get("check") not in register.by_doccode:
                return Reply(404, {"status": "error", "detail": "unknown check"})
            entry = {k: body.get(k) for k in ("recipient", "channel", "check")}
            entry.update(token_hash=thash, dt=self.now().strftime("%Y%m%d%H%M%S"))
            self._notifications.append(entry)
        return Reply(200, {"status": "ok"})

    def _control(self, path, body):
        body = body if isinstance(body, dict) else {}
        try:
            if path == "/_emulator/config":
                self.configure(**body)
            elif path == "/_emulator/faults":
                self.inject_fault(
                    body.get("kind"), body.get("count", 1), body.get("token")
                )
            elif path == "/_emulator/reset":
                self.reset()
            else:
                return Reply(404, {"detail": "Not found"})
        except (TypeError, ValueError) as err:
            return Reply(400, {"detail": str(err)})
        return Reply(200, {"status": "ok"})

    def route(self, method, path, token, raw):
        """Dispatch one HTTP request to a ``Reply``."""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if method == "POST" and path == FISCAL_PATH:
            return self._fiscal(token, body)
        if method == "GET" and path.startswith(CHECK_TASK_PREFIX):
            return self._check_task(token, unquote(path[len(CHECK_TASK_PREFIX) :]))
        if method == "POST" and path == NOTIFY_PATH:
            return self._notify(token, body)
        if method == "POST" and path.startswith("/_emulator/"):
            return self._control(path, body)
        if method == "GET" and path == "/_emulator/documents":
            return Reply(200, self.documents())
        if method == "GET" and path == "/_emulator/notifications":
            return Reply(200, self.notifications())
        if method == "GET" and path.startswith(("/check-viewer/", "/c/")):
            doccode = unquote(path.rsplit("/", 1)[-1])
            docs = [d for d in self.documents() if d["doccode"] == doccode]
            if docs:
                return Reply(200, receipt_page(docs[0]).encode())
        return Reply(404, {"detail": "Not found"})


def _configure_register(register, cfg):
    if "pay_types" in cfg:
        register.pay_types = {int(t) for t in cfg["pay_types"]}
    if "tax_groups" in cfg:
        codes = {str(c) for c in cfg["tax_groups"]}
        register.tax_groups = {
            c: g for c, g in DEFAULT_TAX_GROUPS.items() if c in codes
        }
    if "rounding" in cfg:
        register.rounding.enabled = bool(cfg["rounding"])
    if "round_step" in cfg:
        register.rounding.step = Decimal(str(cfg["round_step"]))
    if "round_max" in cfg:
        register.rounding.max = Decimal(str(cfg["round_max"]))
    for key in ("owner_edrpou", "owner_name"):
        if key in cfg:
            setattr(register, key, str(cfg[key]))


def _unauthorized():
    return Reply(401, {"detail": "Invalid token"})


def main(argv=None):
    parser = argparse.ArgumentParser(description="Vchasno.Kasa emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8765")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    emulator = VchasnoEmulator()
    url = emulator.start(args.host, args.port)
    _logger.info("Vchasno.Kasa emulator serving on %s (Ctrl-C to stop)", url)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
