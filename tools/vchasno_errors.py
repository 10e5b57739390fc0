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

# UNVERIFIED (spec §9.1, §11.2): the answer of a ``type: 0`` search for a tag
# that Vchasno does not know is not documented anywhere. The client treats
# this code as "not found"; check it on the test register and correct it.
TAG_NOT_FOUND_RES = 9404

# Codes invented by our emulator (tools/emulator*.py). Vchasno's real codes
# for these situations are unknown (spec §11.4); the 9xxx range keeps them
# apart from the codes above.
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
EMU_RES_FAULT_RETRY = 9101
EMU_RES_FAULT_COLLISION = 9102
EMU_RES_FAULT_FATAL = 9103

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
        "A payment type is not enabled in the cash register settings."
    ),
    EMU_RES_QUANTITY: _lt("A row quantity is invalid."),
    EMU_RES_PRICE: _lt("A row price or discount is invalid."),
    EMU_RES_EMPTY: _lt("The receipt has no rows or no payments."),
    EMU_RES_ROUND: _lt("The rounding amount is invalid."),
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
    "Could not reach Vchasno.Kasa, nothing was sent; it is safe to try again "
    "(%(detail)s)."
)
MSG_THROTTLED = _lt(
    "Vchasno.Kasa asks to slow down (too many requests); "
    "try again in %(seconds)s seconds."
)
MSG_THROTTLED_NO_DELAY = _lt(
    "Vchasno.Kasa asks to slow down (too many requests); try again later."
)
MSG_OUTCOME_UNKNOWN = _lt(
    "The request may have reached Vchasno.Kasa but its answer was lost or "
    "unreadable (%(detail)s). Check whether the document was issued before "
    "sending it again."
)
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
    """The HTTP exchange failed (see the subclasses for the retry decision)."""

    default_code = "transport"


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
        return translate(MSG_NOT_SENT, lang) % {"detail": err.message}
    if isinstance(err, VchasnoOutcomeUnknownError):
        return translate(MSG_OUTCOME_UNKNOWN, lang) % {"detail": err.message}
    if isinstance(err, VchasnoAuthError):
        return translate(MSG_AUTH, lang) % {"status": err.http_status or "-"}
    return translate(MSG_GENERIC, lang) % {"text": str(err) or type(err).__name__}
