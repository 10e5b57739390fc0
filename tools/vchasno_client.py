"""HTTP client of the Vchasno.Kasa cloud API (plain Python, no ORM).

One ``requests.Session`` per client; ``_request`` is the only place where
``requests`` is called (and the seam tests patch). Every failure is turned
into one of the exceptions of ``vchasno_errors``, whose class is the retry
decision (RELIABILITY.md §6.5).
"""

import logging
import socket
import uuid
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import receipt_maths as rm
from .redact import redact
from .vchasno_errors import (
    TAG_NOT_FOUND_RES,
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoNotSentError,
    VchasnoOutcomeUnknownError,
    VchasnoPayloadError,
    VchasnoThrottledError,
)
from .vchasno_result import (
    DEFAULT_BASE_URL,
    HttpReply,
    VchasnoResult,
    parse_retry_after,
)

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5, 30)  # (connect, read) seconds; spec §1.3 asks >= 20 s read
FISCAL_PATH = "/api/v3/fiscal/execute"  # spec §1.1
CHECK_TASK_PATH = "/api/v3/check-task/{doccode}"  # spec §6.2, [one]
NOTIFY_PATH = "/api/v2/notifications/checks"  # spec §7.2
_TEXT_SNIPPET = 300  # characters of a non-JSON body kept in error messages


class VchasnoClient:
    """Client of one Vchasno.Kasa register (one token = one register).

    :param base_url: e.g. ``https://kasa.vchasno.ua`` (or the emulator)
    :param token: the register token, sent raw in ``Authorization``
    :param timeout: ``(connect, read)`` seconds
    :param session: a ``requests.Session`` to reuse (not closed by us)
    :param source: the ``source`` label of requests
    """

    def __init__(
        self, base_url, token, timeout=DEFAULT_TIMEOUT, session=None, source="ODOO"
    ):
        if not token:
            raise ValueError("a Vchasno token is required")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError("the Vchasno base URL must be http(s)")
        self._token = token
        self.timeout = timeout
        self.source = source
        self._own_session = session is None
        self.session = session  # created by _request on first use

    def __repr__(self):
        return f"<VchasnoClient {self.base_url} token=***>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self._own_session and self.session is not None:
            self.session.close()
            self.session = None

    def _redact(self, value):
        return redact(value, [self._token])

    # === Operations === #

    def execute(self, request):
        """POST a fiscal request (built by ``receipt_maths.build_request``).

        :return: ``VchasnoResult`` when ``res == 0``
        :raise VchasnoNotSentError: nothing was sent (safe to retry)
        :raise VchasnoThrottledError: HTTP 429 (``retry_after``)
        :raise VchasnoOutcomeUnknownError: read timeout, reset after send, 5xx,
            unreadable 200, or an answer with another ``tag``. Fiscal 5xx are
            treated as unknown even for 503: the simplest safe choice.
        :raise VchasnoAuthError: HTTP 401/403
        :raise VchasnoApiError: ``res != 0``
        """
        reply = self._request("POST", FISCAL_PATH, request)
        data = self._check_reply(reply, "fiscal")
        if not isinstance(data, dict) or not isinstance(data.get("res"), int):
            raise VchasnoOutcomeUnknownError(
                "answer without a result code",
                reason="bad_answer",
                http_status=reply.status,
                response=self._redact(data),
            )
        raw = self._redact(data)
        sent_tag = request.get("tag")
        got_tag = data.get("tag")
        if sent_tag and got_tag and got_tag != sent_tag:
            raise VchasnoOutcomeUnknownError(
                f"answer for another request tag {got_tag} (sent {sent_tag})",
                reason="bad_answer",
                http_status=reply.status,
                response=raw,
            )
        if data["res"] != 0:
            _logger.debug("Vchasno refused tag %s: res %s", sent_tag, data["res"])
            raise VchasnoApiError(
                res=data["res"],
                res_action=data.get("res_action"),
                errortxt=self._redact(data.get("errortxt") or ""),
                error_extra=self._redact(data.get("error_extra")),
                task_status=data.get("task_status"),
                http_status=reply.status,
                response=raw,
            )
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        return VchasnoResult(
            res=0,
            res_action=data.get("res_action", 0),
            errortxt=data.get("errortxt") or "",
            tag=got_tag or sent_tag,
            task=data.get("task", info.get("task")),
            info=raw.get("info") if isinstance(raw.get("info"), dict) else info,
            raw=raw,
            warnings=list(data.get("warnings") or []),
            base_url=self.base_url,
        )

    def _simple_task(self, task, tag, cashier=None, cash=None):
        request = rm.build_request(
            task, tag, cashier=cashier, cash=cash, source=self.source
        )
        return self.execute(request)

    def open_shift(self, tag, cashier=None):
        return self._simple_task(rm.TASK_OPEN_SHIFT, tag, cashier)

    def x_report(self, tag, cashier=None):
        return self._simple_task(rm.TASK_X_REPORT, tag, cashier)

    def z_report(self, tag, cashier=None):
        return self._simple_task(rm.TASK_Z_REPORT, tag, cashier)

    def service_in(self, amount, tag, cashier=None):
        cash = rm.build_cash(amount)
        return self._simple_task(rm.TASK_SERVICE_IN, tag, cashier, cash)

    def service_out(self, amount, tag, cashier=None):
        cash = rm.build_cash(amount)
        return self._simple_task(rm.TASK_SERVICE_OUT, tag, cashier, cash)

    def cash_withdrawal(self, pay, tag, cashier=None):
        """Task 14: cash handed out against a card (``pay``: ``rm.Pay``)."""
        card = {k: getattr(pay, k) for k in rm._PAY_CARD_FIELDS}
        cash = rm.build_cash(pay.amount, pay.type, **card)
        return self._simple_task(rm.TASK_CASH_WITHDRAWAL, tag, cashier, cash)

    def status(self):
        """Task 18 (side-effect free); a fresh tag is generated."""
        return self._simple_task(rm.TASK_STATUS, uuid.uuid4().hex)

    def find_by_tag(self, tag):
        """Search an earlier request by ``tag`` (``type: 0``, spec §9.1).

        UNVERIFIED for the cloud API: see ``TAG_NOT_FOUND_RES``.

        :return: the stored answer, or ``None`` when Vchasno does not know it
        :raise: any error of ``execute`` except "not found"
        """
        request = {
            "ver": rm.SCHEME_VERSION,
            "source": self.source,
            "type": rm.REQUEST_TYPE_SEARCH,
            "tag": tag,
        }
        try:
            return self.execute(request)
        except VchasnoApiError as err:
            if err.res == TAG_NOT_FOUND_RES:
                return None
            raise

    def get_receipt_json(self, doccode):
        """The fiscalized request as stored by Vchasno (spec §6.2, [one]).

        :return: ``{"fiscal_number": ..., "task": {...}}``, or ``None`` on 404
        """
        path = CHECK_TASK_PATH.format(doccode=quote(doccode, safe=""))
        reply = self._request("GET", path)
        if reply.status == 404:
            return None
        data = self._check_reply(reply, "check-task")
        if not isinstance(data, dict):
            raise VchasnoOutcomeUnknownError(
                "unreadable receipt JSON", reason="bad_answer", http_status=reply.status
            )
        return self._redact(data)

    def send_receipt(self, doccode, recipient, channel):
        """Ask Vchasno to send a receipt to a customer (spec §7.2).

        :param channel: one of ``receipt_maths.NOTIFY_CHANNELS``
        :return: Vchasno's answer (its format is undocumented) as a dict
        :raise VchasnoPayloadError: bad channel or recipient
        """
        if channel not in rm.NOTIFY_CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        if channel == "email":
            recipient = rm.validate_email(recipient)
        else:
            recipient = rm.normalize_phone(recipient)
        payload = {"recipient": recipient, "channel": channel, "check": doccode}
        reply = self._request("POST", NOTIFY_PATH, payload)
        data = self._check_reply(reply, "notification")
        return _notification_answer(self._redact(data))

    # === Transport === #

    def _check_reply(self, reply, what):
        """Map HTTP-level failures to our errors; return the parsed JSON."""
        status = reply.status
        if status in (401, 403):
            raise VchasnoAuthError(
                f"the token was refused (HTTP {status})", http_status=status
            )
        if status == 429:
            retry_after = parse_retry_after(reply.headers.get("Retry-After"))
            raise VchasnoThrottledError(
                f"HTTP 429 (retry after {retry_after} s)",
                retry_after=retry_after,
                http_status=status,
            )
        snippet = self._redact((reply.text or "")[:_TEXT_SNIPPET])
        if status >= 500 or 300 <= status < 400:
            # 3xx: redirects are never followed (the body would go elsewhere).
            raise VchasnoOutcomeUnknownError(
                f"HTTP {status} on {what} request: {snippet}",
                reason="http_error",
                http_status=status,
                response=snippet,
            )
        if reply.json is None:
            raise VchasnoOutcomeUnknownError(
                f"HTTP {status} with a non-JSON body on {what} request: {snippet}",
                reason="bad_answer",
                http_status=status,
                response=snippet,
            )
        if status >= 400 and not (isinstance(reply.json, dict) and "res" in reply.json):
            raise VchasnoApiError(
                res=status,
                res_action=3,
                errortxt=snippet,
                http_status=status,
                response=self._redact(reply.json),
            )
        return reply.json

    def _request(self, method, path, payload=None):
        """Send one HTTP request; the only place ``requests`` is called.

        :return: ``HttpReply``
        :raise VchasnoNotSentError: the request provably did not leave
        :raise VchasnoOutcomeUnknownError: it may have been received
        """
        url = self.base_url + path
        headers = {
            "Authorization": self._token,
            "Accept": "application/json",
        }
        if self.session is None:
            self.session = requests.Session()
        try:
            response = self.session.request(
                method,
                url,
                json=payload,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                verify=True,
            )
            body = response.content
        except requests.exceptions.ConnectTimeout as err:
            raise VchasnoNotSentError(
                self._describe(err, url), reason="connect_timeout"
            ) from None
        except requests.exceptions.SSLError as err:
            raise VchasnoNotSentError(self._describe(err, url), reason="tls") from None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidHeader,
        ) as err:
            raise VchasnoNotSentError(
                self._describe(err, url), reason="invalid_url"
            ) from None
        except requests.exceptions.ConnectionError as err:
            reason = _connect_failure(err)
            if reason:
                raise VchasnoNotSentError(
                    self._describe(err, url), reason=reason
                ) from None
            raise VchasnoOutcomeUnknownError(
                self._describe(err, url), reason="reset"
            ) from None
        except requests.exceptions.ReadTimeout as err:
            raise VchasnoOutcomeUnknownError(
                self._describe(err, url), reason="read_timeout"
            ) from None
        except requests.exceptions.RequestException as err:
            # ChunkedEncodingError, ContentDecodingError, ...
            raise VchasnoOutcomeUnknownError(
                self._describe(err, url), reason="bad_answer"
            ) from None
        _logger.debug("Vchasno %s %s -> HTTP %s", method, path, response.status_code)
        text = body.decode("utf-8", errors="replace")
        try:
            data = response.json() if body else None
        except ValueError:
            data = None
        return HttpReply(
            status=response.status_code,
            json=data,
            text=text,
            headers=dict(response.headers),
        )

    def _describe(self, err, url):
        return self._redact(f"{type(err).__name__} on {url}: {err}")


def _connect_failure(err):
    """Why a ConnectionError happened before the request was sent, or None.

    urllib3 wraps refused connections and DNS failures in
    ``NewConnectionError`` (a DNS failure carries a ``socket.gaierror``, or is
    urllib3 2's ``NameResolutionError`` subclass); anything else
    (``RemoteDisconnected``, reset) may come after the body was sent.

    :return: ``"dns"``, ``"refused"``, ``"connect_timeout"`` or None
    """
    seen, todo, found = set(), [err], None
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, socket.gaierror) or type(exc).__name__ == (
            "NameResolutionError"
        ):
            return "dns"
        if isinstance(exc, NewConnectionError):
            found = "refused"  # unless its cause says DNS
        elif isinstance(exc, ConnectTimeoutError) and not found:
            found = "connect_timeout"
        todo.extend([getattr(exc, "reason", None), exc.__cause__, exc.__context__])
        todo.extend(a for a in getattr(exc, "args", ()) if isinstance(a, BaseException))
    return found


def _notification_answer(data):
    """Interpret the (undocumented, spec §7.2) notification answer."""
    if isinstance(data, dict) and data.get("res") not in (None, 0):
        raise VchasnoApiError(
            res=data["res"],
            res_action=data.get("res_action"),
            errortxt=data.get("errortxt") or "",
            response=data,
        )
    return data if isinstance(data, dict) else {"answer": data}


__all__ = [
    "CHECK_TASK_PATH",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "FISCAL_PATH",
    "NOTIFY_PATH",
    "HttpReply",
    "VchasnoClient",
    "VchasnoPayloadError",
    "VchasnoResult",
]
