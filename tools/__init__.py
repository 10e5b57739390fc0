"""Vchasno.Kasa protocol layer: plain Python, no ORM (see README)."""

from .pay_types import (
    PAY_CARD,
    PAY_CASH,
    PAY_CASHLESS,
    PAY_TYPES,
    cabinet_name,
    pay_type_code,
)
from .receipt_maths import (
    Pay,
    Row,
    allocate,
    build_cash,
    build_receipt,
    build_request,
    cash_rounding,
    normalize_phone,
    rounding_problems,
    row_total,
    validate_email,
)
from .tax_groups import DEFAULT_TAX_GROUPS, wire_tax_group
from .redact import RedactingFilter, redact
from .vchasno_client import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    VchasnoClient,
    VchasnoResult,
)
from .vchasno_errors import (
    ERROR_MESSAGES,
    OUR_CODES,
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
    describe_reason,
)
