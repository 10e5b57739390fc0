"""Redaction of secrets (Vchasno register tokens) from data, texts and logs.

The token must never appear in a log line, an exception text, a stored
request/response or a repr (STYLE.md item 26).
"""

import logging
from collections.abc import Mapping

MASK = "***"
# Keys whose value is always masked, whatever it is (compared lower-case).
SENSITIVE_KEYS = frozenset(
    {"authorization", "token", "api_token", "x-ap-dm-proxy-token"}
)


def redact(value, secrets):
    """Return ``value`` with every secret replaced by ``***``.

    :param value: str, bytes, dict (any mapping), list/tuple, or anything else
        (returned unchanged)
    :param secrets: iterable of secret strings; empty ones are ignored
    :return: a value of the same shape (mappings become dicts)
    """
    secrets = sorted({s for s in (secrets or ()) if s}, key=len, reverse=True)
    return _redact(value, secrets)


def _redact(value, secrets):
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, bytes):
        for secret in secrets:
            value = value.replace(secret.encode(), MASK.encode())
        return value
    if isinstance(value, Mapping):
        return {
            _redact(key, secrets): (
                MASK
                if isinstance(key, str) and key.lower() in SENSITIVE_KEYS
                else _redact(item, secrets)
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(item, secrets) for item in value)
    return value


class RedactingFilter(logging.Filter):
    """Logging filter that masks the given secrets in formatted messages.

    Attach it to a handler (or logger) as a second line of defence; the code
    itself never passes a token to a log call.
    """

    def __init__(self, secrets=(), name=""):
        super().__init__(name)
        self.secrets = set(secrets)

    def add(self, secret):
        if secret:
            self.secrets.add(secret)

    def filter(self, record):
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True
