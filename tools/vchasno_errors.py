"""Errors of the Vchasno.Kasa protocol layer.

The class of an error *is* the retry decision (RELIABILITY.md §6.5):

- ``VchasnoPayloadError``: refused locally before sending; fix the data.
- ``VchasnoNotSentError`` (and ``VchasnoThrottledError``): nothing reached
  Vchasno, safe to send again (honour ``retry_after``).
- ``VchasnoOutcomeUnknownError``: the request may have been executed; never
  resend blindly, reconcile first (look the ``tag`` up).
- ``VchasnoAuthError``: the token is refused; pause the register.
- ``VchasnoApiError``: Vchasno answered ``res != 0``; ``res_action`` says what
  to do.

No Odoo import here except the translation helper, so that the emulator and
the benchmark run without Odoo.
"""

try:
    from odoo.tools.translate import LazyTranslate
except ImportError:  # pragma: no cover - plain Python (emulator, bench)
    LazyTranslate = None

MODULE = "l10n_ua_vchasno_kasa"

if LazyTranslate is not None:
    _lt = LazyTranslate(MODULE)
else:  # pragma: no cover

    def _lt(source, *args, **kwargs):
        return source


# === Result codes (spec §5.5) === #

RES_OK = 0
# [doc] DM-SUM: ``round`` sent together with ``autoround: true``.
RES_ROUND_WITH_AUTOROUND = 1157
# [one] OC ignores it after task 0: the shift is already open. Meaning inferred.
RES_SHIFT_ALREADY_OPEN = 1096
# [one] one client: "shift must be opened / is closed". Unverified.
RES_SHIFT_NOT_OPEN = 2007
# [one] one client: "shift must be closed / is open". Unverified. Our emulator
# also answers it for a shift older than 24 hours (spec §8, [law]).
RES_SHIFT_MUST_BE_CLOSED = 2008
RES_SHIFT_EXPIRED = RES_SHIFT_MUST_BE_CLOSED

# === Codes invented by this project (OURS) === #
#
# The evidence is silent about these answers (evidence file, "Not found
# anywhere"; spec §11.4), so each code below is OUR choice, kept in the 9xxx
# range, far from the codes above. The emulator answers them; Odoo shows their
# texts. Only TAG_NOT_FOUND_RES is also believed from the real service, and
# only on a register whose "Check Vchasno behaviour" proved it
# (``vchasno.register._vchasno_recovery_path``). README "Vchasno API
# assumptions" points here. Also our choice, with a real code: the emulator
# answers RES_SHIFT_EXPIRED (2008) for a shift older than 24 hours.
TAG_NOT_FOUND_RES = 9404
EMU_RES_BAD_REQUEST = 9000
EMU_RES_ROWS_SUM = 9001
EMU_RES_PAYS_SUM = 9002
EMU_RES_TAX_GROUP = 9003
EMU_RES_PAY_TYPE = 9004
EMU_RES_QUANTITY = 9005
EMU_RES_PRICE = 9006
EMU_RES_EMPTY = 9007
EMU_RES_ROUND = 9008
EMU_RES_AMOUNT = 9009
EMU_RES_SAFE = 9010
EMU_RES_TASK = 9011
EMU_RES_ROUND_DISABLED = 9012
EMU_RES_FAULT_RETRY = 9101
EMU_RES_FAULT_COLLISION = 9102
EMU_RES_FAULT_FATAL = 9103
OUR_CODES = {
    TAG_NOT_FOUND_RES: "search by tag (type 0): no document with this tag",
    EMU_RES_BAD_REQUEST: "malformed request",
    EMU_RES_ROWS_SUM: "sum differs from the rows",
    EMU_RES_PAYS_SUM: "payments differ from sum - disc + round",
    EMU_RES_TAX_GROUP: "tax group not configured on the register",
    EMU_RES_PAY_TYPE: "payment type not enabled in the cabinet",
    EMU_RES_QUANTITY: "bad quantity",
    EMU_RES_PRICE: "bad price or discount",
    EMU_RES_EMPTY: "no rows or no payments",
    EMU_RES_ROUND: "round too large, not on the step, or without cash",
    EMU_RES_AMOUNT: "bad amount",
    EMU_RES_SAFE: "not enough cash in the register",
    EMU_RES_TASK: "unknown task",
    EMU_RES_ROUND_DISABLED: "'Заокруглення' not enabled in the cabinet",
    EMU_RES_FAULT_RETRY: "injected fault, res_action 1",
    EMU_RES_FAULT_COLLISION: "injected fault, res_action 2",
    EMU_RES_FAULT_FATAL: "injected fault, res_action 3",
}

# === res_action (spec §5.1) === #

ACTION_OK = 0
ACTION_RETRY = 1
ACTION_COLLISION = 2
ACTION_FATAL = 3

# === Messages (msgids; translated in i18n/uk.po) === #

ERROR_MESSAGES = {
    RES_ROUND_WITH_AUTOROUND: _lt(
        "The rounding amount must be empty when automatic rounding is on."
    ),
    RES_SHIFT_ALREADY_OPEN: _lt("The shift of the cash register is already open."),
    RES_SHIFT_NOT_OPEN: _lt("The shift of the cash register is not open."),
    RES_SHIFT_MUST_BE_CLOSED: _lt(
        "The shift of the cash register must be closed first (Z report); "
        "a shift may not last more than 24 hours."
    ),
    TAG_NOT_FOUND_RES: _lt("Vchasno.Kasa has no document with this request tag."),
    EMU_RES_BAD_REQUEST: _lt("The request is malformed."),
    EMU_RES_ROWS_SUM: _lt("The receipt total does not equal the sum of its rows."),
    EMU_RES_PAYS_SUM: _lt(
        "The payments do not equal the receipt total minus the discount "
        "plus the rounding."
    ),
    EMU_RES_TAX_GROUP: _lt("A row uses a tax group unknown to the cash register."),
    EMU_RES_PAY_TYPE: _lt(
        "A payment type of the receipt is not enabled for this cash register: "
        "enable it in the Vchasno cabinet (e.g. Картка for card payments)."
    ),
    EMU_RES_QUANTITY: _lt("A row quantity is invalid."),
    EMU_RES_PRICE: _lt("A row price or discount is invalid."),
    EMU_RES_EMPTY: _lt("The receipt has no rows or no payments."),
    EMU_RES_ROUND: _lt("The rounding amount is invalid."),
    EMU_RES_ROUND_DISABLED: _lt(
        "Cash rounding is not enabled for this cash register: enable "
        "Заокруглення among its payment types in the Vchasno cabinet."
    ),
    EMU_RES_AMOUNT: _lt("The amount is invalid."),
    EMU_RES_SAFE: _lt("There is not enough cash in the cash register."),
    EMU_RES_TASK: _lt("The operation is not supported."),
    EMU_RES_FAULT_RETRY: _lt("Vchasno.Kasa is busy; the request may be repeated."),
    EMU_RES_FAULT_COLLISION: _lt(
        "The request conflicts with the state of the cash register."
    ),
    EMU_RES_FAULT_FATAL: _lt("Vchasno.Kasa refused the request."),
}

MSG_KNOWN_CODE = _lt("%(message)s Vchasno.Kasa (code %(code)s): %(text)s")
MSG_UNKNOWN_CODE = _lt("Vchasno.Kasa refused the request (code %(code)s): %(text)s")
MSG_NOT_SENT = _lt(
    "Vchasno.Kasa could not be reached (%(reason)s): nothing was sent, it is "
    "safe to try again."
)
MSG_THROTTLED = _lt(
    "Vchasno.Kasa asks to slow down (too many requests); "
    "try again in %(seconds)s seconds."
)
MSG_THROTTLED_NO_DELAY = _lt(
    "Vchasno.Kasa asks to slow down (too many requests); try again later."
)
MSG_OUTCOME_UNKNOWN = _lt(
    "The request may have reached Vchasno.Kasa but its answer was lost "
    "(%(reason)s). Check whether the document was issued before sending it again."
)
# What went wrong on the way, in words (``VchasnoTransportError.reason``).
REASONS = {
    "refused": _lt("the server refused the connection"),
    "dns": _lt("the server name was not found"),
    "connect_timeout": _lt("the connection timed out"),
    "tls": _lt("the secure connection failed"),
    "invalid_url": _lt("the address of the service is not valid"),
    "read_timeout": _lt("no answer came in time"),
    "reset": _lt("the connection was cut"),
    "http_error": _lt("the service answered with an HTTP error"),
    "bad_answer": _lt("the answer could not be read"),
}
REASON_OTHER = _lt("a network error")
MSG_AUTH = _lt(
    "Vchasno.Kasa rejected the cash register token (HTTP %(status)s). "
    "Check the token in the register settings."
)
MSG_PAYLOAD = _lt("The document cannot be sent to Vchasno.Kasa: %(problems)s")
MSG_GENERIC = _lt("Vchasno.Kasa error: %(text)s")


def translate(message, lang=None):
    """Render a lazy message in ``lang`` (an Odoo language code).

    Without ``lang`` the English msgid is returned, so the result does not
    depend on where it is called from. Odoo code passes ``self.env.lang``.
    """
    if hasattr(message, "_translate"):
        return message._translate(lang or "en_US")
    return str(message)


# === Exceptions === #


class VchasnoError(Exception):
    """Base of every error raised by the protocol layer.

    :param message: English human message (already redacted)
    :param code: short machine code (``res`` as text for API errors)
    :param http_status: HTTP status when an answer came, else ``None``
    :param response: redacted response body (dict) or text, safe to store
    """

    default_code = "error"

    def __init__(self, message, *, code=None, http_status=None, response=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.http_status = http_status
        self.response = response

    def __str__(self):
        return self.message


class VchasnoPayloadError(VchasnoError):
    """The payload cannot be represented or is invalid; raised before sending.

    ``problems`` are English texts. Each entry of ``problem_specs`` is
    ``(lazy_template, params)`` so that ``describe_error`` can translate them.
    """

    default_code = "payload"

    def __init__(self, problems):
        self.problem_specs = [p if isinstance(p, tuple) else (p, {}) for p in problems]
        self.problems = [
            translate(template) % params if params else translate(template)
            for template, params in self.problem_specs
        ]
        super().__init__("; ".join(self.problems))


class VchasnoTransportError(VchasnoError):
    """The HTTP exchange failed (see the subclasses for the retry decision).

    ``reason`` is a key of ``REASONS`` (what a person is told); ``message``
    keeps the technical detail for logs.
    """

    default_code = "transport"

    def __init__(self, message, *, reason=None, **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason


class VchasnoNotSentError(VchasnoTransportError):
    """Nothing reached Vchasno (refused, DNS, connect timeout): safe to retry."""

    default_code = "not_sent"


class VchasnoThrottledError(VchasnoNotSentError):
    """HTTP 429: not executed; retry after ``retry_after`` seconds (or later)."""

    default_code = "throttled"

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class VchasnoOutcomeUnknownError(VchasnoTransportError):
    """The request may have been executed: never resend blindly."""

    default_code = "outcome_unknown"


class VchasnoAuthError(VchasnoError):
    """HTTP 401/403: the token is refused."""

    default_code = "auth"


class VchasnoApiError(VchasnoError):
    """Vchasno answered ``res != 0``."""

    default_code = "api"

    def __init__(
        self,
        *,
        res,
        res_action,
        errortxt="",
        error_extra=None,
        task_status=None,
        http_status=200,
        response=None,
    ):
        self.res = res
        self.res_action = res_action
        self.errortxt = errortxt or ""
        self.error_extra = error_extra
        self.task_status = task_status
        message = translate(MSG_UNKNOWN_CODE) % {
            "code": res,
            "text": self.errortxt or "-",
        }
        super().__init__(
            message, code=str(res), http_status=http_status, response=response
        )

    @property
    def retryable(self):
        return self.res_action == ACTION_RETRY

    @property
    def collision(self):
        return self.res_action == ACTION_COLLISION

    @property
    def fatal(self):
        return self.res_action not in (ACTION_RETRY, ACTION_COLLISION)


def describe_error(err, lang=None):
    """Return the human message for ``err`` in ``lang`` (Odoo code, optional).

    :param err: any exception; ours get a specific message
    :param lang: e.g. ``self.env.lang``; ``None`` gives English
    :return: a translated, redacted, human-readable text
    """
    if isinstance(err, VchasnoApiError):
        text = err.errortxt or "-"
        known = ERROR_MESSAGES.get(err.res)
        if known is None:
            return translate(MSG_UNKNOWN_CODE, lang) % {"code": err.res, "text": text}
        return translate(MSG_KNOWN_CODE, lang) % {
            "message": translate(known, lang),
            "code": err.res,
            "text": text,
        }
    if isinstance(err, VchasnoPayloadError):
        problems = "; ".join(
            translate(template, lang) % params if params else translate(template, lang)
            for template, params in err.problem_specs
        )
        return translate(MSG_PAYLOAD, lang) % {"problems": problems}
    if isinstance(err, VchasnoThrottledError):
        if err.retry_after is None:
            return translate(MSG_THROTTLED_NO_DELAY, lang)
        return translate(MSG_THROTTLED, lang) % {"seconds": err.retry_after}
    if isinstance(err, VchasnoNotSentError):
        return translate(MSG_NOT_SENT, lang) % {"reason": describe_reason(err, lang)}
    if isinstance(err, VchasnoOutcomeUnknownError):
        reason = describe_reason(err, lang)
        return translate(MSG_OUTCOME_UNKNOWN, lang) % {"reason": reason}
    if isinstance(err, VchasnoAuthError):
        return translate(MSG_AUTH, lang) % {"status": err.http_status or "-"}
    return translate(MSG_GENERIC, lang) % {"text": str(err) or type(err).__name__}


def describe_reason(err, lang=None):
    """What went wrong on the way, as a short translated phrase (no detail)."""
    reason = REASONS.get(getattr(err, "reason", None), REASON_OTHER)
    return translate(reason, lang)
