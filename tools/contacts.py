"""Customer contacts for sending receipts (spec §7): phone and email checks."""

import re

from .vchasno_errors import VchasnoPayloadError, _lt

# UNVERIFIED (spec §7.1, §11.5): userinfo.phone is documented only as
# +380XXXXXXXXX; we send exactly that form, and only for mobile numbers.
UA_MOBILE_CODES = frozenset(
    {"39", "50", "63", "66", "67", "68", "73", "91", "92", "93", "94", "95", "96",
     "97", "98", "99"}
)  # fmt: skip
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_JUNK_RE = re.compile(r"[\s\-().]")

P_PHONE = _lt("%(value)s is not a Ukrainian mobile phone number.")
P_EMAIL = _lt("%(value)s is not a valid email address.")


def normalize_phone(text):
    """Return ``+380XXXXXXXXX`` for a Ukrainian mobile number.

    Accepts ``+380 50 123 45 67``, ``050-123-45-67``, ``380501234567``,
    ``0501234567``. Operator codes: ``UA_MOBILE_CODES``.

    :raise VchasnoPayloadError: anything else (landline, foreign, bad length)
    """
    digits = _PHONE_JUNK_RE.sub("", text or "")
    plus = digits.startswith("+")
    digits = digits[1:] if plus else digits
    national = None
    if digits.isdigit():
        if len(digits) == 12 and digits.startswith("380"):
            national = digits[3:]
        elif len(digits) == 10 and digits.startswith("0") and not plus:
            national = digits[1:]
    if national is None or national[:2] not in UA_MOBILE_CODES:
        raise VchasnoPayloadError([(P_PHONE, {"value": text})])
    return "+380" + national


def validate_email(text):
    """Return the stripped address or raise ``VchasnoPayloadError``."""
    email = (text or "").strip()
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise VchasnoPayloadError([(P_EMAIL, {"value": text})])
    return email
