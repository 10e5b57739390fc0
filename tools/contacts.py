"""Customer contacts for sending receipts (spec §7): phone and email checks.

Phones are checked with ``phonenumbers`` (Google's libphonenumber metadata,
kept up to date on PyPI) instead of a hand list of operator codes: Ukrainian
operators get new codes (Kyivstar 77, Vodafone 75, ...) and the library
follows the numbering plan. It is imported when a phone is checked, so the
emulator and the benchmarks keep running on the standard library alone.
"""

import re

from .vchasno_errors import VchasnoPayloadError, _lt, translate

# UNVERIFIED (spec §7.1, §11.5): userinfo.phone is documented only as
# +380XXXXXXXXX; we send exactly that form, and only for mobile numbers.
UA_COUNTRY_CODE = 380
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_ALLOWED_RE = re.compile(r"^\+?[\d\s\-().]*$")
# The old trunk prefix cashiers still type: 8 050 123 45 67.
_OLD_TRUNK_RE = re.compile(r"^80\d{9}$")

P_PHONE_EMPTY = _lt("The phone number is empty.")
P_PHONE_CHARS = _lt(
    "%(value)s is not a Ukrainian mobile phone number: it may contain only "
    "digits, spaces, brackets, dashes and a leading +."
)
P_PHONE_COUNTRY = _lt(
    "%(value)s is not a Ukrainian mobile phone number: after the + comes the "
    "country code 380."
)
P_PHONE_FOREIGN = _lt(
    "%(value)s is not a Ukrainian mobile phone number: it belongs to another "
    "country (+%(code)s)."
)
P_PHONE_LENGTH = _lt(
    "%(value)s is not a Ukrainian mobile phone number: it has %(digits)s digits, "
    "a Ukrainian mobile number has 10 (0XX XXX XX XX) or 12 with 380."
)
P_PHONE_LANDLINE = _lt(
    "%(value)s is not a Ukrainian mobile phone number: it is a landline, and "
    "Viber and SMS need a mobile number."
)
P_PHONE_OPERATOR = _lt(
    "%(value)s is not a Ukrainian mobile phone number: 0%(code)s is not the code "
    "of a mobile operator."
)
P_EMAIL = _lt("%(value)s is not a valid email address.")


def normalize_phone(text):
    """Return ``+380XXXXXXXXX`` for a Ukrainian mobile number as people type it.

    Accepts ``050 123 45 67``, ``(067)1234567``, ``+38 (093) 123-45-67``,
    ``380501234567``, ``80501234567`` (old trunk prefix 8), every mobile
    operator code that libphonenumber knows for Ukraine.

    :raise VchasnoPayloadError: with one sentence saying why (landline,
        foreign, wrong length, unknown operator code, not a number)
    """
    import phonenumbers  # pylint: disable=import-outside-toplevel

    value = (text or "").strip()
    digits = re.sub(r"\D", "", value)
    if not value:
        _refuse(P_PHONE_EMPTY, {})
    if not _PHONE_ALLOWED_RE.match(value) or not digits:
        _refuse(P_PHONE_CHARS, {"value": text})
    if not value.startswith("+") and _OLD_TRUNK_RE.match(digits):
        digits = digits[1:]
    plus = value.startswith("+") or digits.startswith("380") and len(digits) > 10
    if (digits.startswith("380") and len(digits) != 12) or (
        not plus and len(digits) != (10 if digits.startswith("0") else 9)
    ):
        _refuse(P_PHONE_LENGTH, {"value": text, "digits": len(digits)})
    digits = "+" + digits if plus else digits
    try:
        number = phonenumbers.parse(digits, "UA")
    except phonenumbers.NumberParseException as err:
        if err.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            _refuse(P_PHONE_COUNTRY, {"value": text})
        _refuse(P_PHONE_LENGTH, {"value": text, "digits": len(digits.lstrip("+"))})
    if number.country_code != UA_COUNTRY_CODE:
        _refuse(P_PHONE_FOREIGN, {"value": text, "code": number.country_code})
    national = phonenumbers.national_significant_number(number)
    if len(national) != 9:
        count = len(re.sub(r"\D", "", value))
        _refuse(P_PHONE_LENGTH, {"value": text, "digits": count})
    kind = phonenumbers.number_type(number)
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        _refuse(P_PHONE_LANDLINE, {"value": text})
    if kind not in mobile or not phonenumbers.is_valid_number(number):
        _refuse(P_PHONE_OPERATOR, {"value": text, "code": national[:2]})
    return "+380" + national


def phone_refusal(text, lang=None):
    """The sentence saying why ``text`` is refused, or False if it is fine.

    :param lang: Odoo language code for the translation (None: English)
    """
    try:
        normalize_phone(text)
    except VchasnoPayloadError as err:
        template, params = err.problem_specs[0]
        return translate(template, lang) % params
    return False


def validate_email(text):
    """Return the stripped address or raise ``VchasnoPayloadError``."""
    email = (text or "").strip()
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise VchasnoPayloadError([(P_EMAIL, {"value": text})])
    return email


def _refuse(template, params):
    raise VchasnoPayloadError([(template, params)])
