"""Vchasno.Kasa protocol layer: plain Python, no ORM (see README)."""

from .receipt_maths import (
    PAY_CARD,
    PAY_CASH,
    PAY_CASHLESS,
    Pay,
    Row,
    allocate,
    build_cash,
    build_receipt,
    build_request,
    cash_rounding,
    normalize_phone,
    row_total,
    validate_email,
)
from .redact import RedactingFilter, redact
from .vchasno_client import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    VchasnoClient,
    VchasnoResult,
)
from .vchasno_errors import (
    ERROR_MESSAGES,
    TAG_NOT_FOUND_RES,
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoError,
    VchasnoNotSentError,
    VchasnoOutcomeUnknownError,
    VchasnoPayloadError,
    VchasnoThrottledError,
    VchasnoTransportError,
    describe_error,
)
