"""Results of the Vchasno.Kasa client: the HTTP reply and a parsed answer."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

DEFAULT_BASE_URL = "https://kasa.vchasno.ua"
PUBLIC_RECEIPT_PATH = "/check-viewer/{doccode}"  # spec §6.3
VCHASNO_DT_FORMAT = "%Y%m%d%H%M%S"  # spec §1.3, Kyiv local time
KOPECK = Decimal("0.01")


@dataclass(frozen=True)
class HttpReply:
    """What ``_request`` returns: status, headers, parsed JSON (or None), text."""

    status: int
    json: Any = None
    text: str = ""
    headers: dict = field(default_factory=dict)


def parse_vchasno_dt(value):
    """Naive datetime from ``YYYYMMDDHHMMSS[fff]`` (Kyiv local time) or None."""
    if not value:
        return None
    try:
        return datetime.strptime(str(value)[:14], VCHASNO_DT_FORMAT)
    except ValueError:
        return None


def parse_retry_after(value, now=None):
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(when.tzinfo)
    return max(0, int((when - now).total_seconds()))


@dataclass(frozen=True)
class VchasnoResult:
    """A successful (``res == 0``) answer; ``raw`` is redacted, safe to store."""

    res: int
    res_action: int
    errortxt: str
    tag: str | None
    task: int | None
    info: dict
    raw: dict
    warnings: list
    base_url: str = DEFAULT_BASE_URL

    doccode = property(lambda self: self.info.get("doccode"))
    fisid = property(lambda self: self.info.get("fisid"))
    docno = property(lambda self: self.info.get("docno"))
    shift_link = property(lambda self: self.info.get("shift_link"))
    qr = property(lambda self: self.info.get("qr"))
    sign_status = property(lambda self: self.info.get("sign_status"))

    @property
    def dt(self):
        return parse_vchasno_dt(self.info.get("dt"))

    @property
    def is_test(self):
        return self.info.get("dtype") == 0 or str(self.doccode or "").startswith(
            "TEST_"
        )

    @property
    def is_offline(self):
        return bool(self.info.get("isoffline"))

    @property
    def public_url(self):
        if not self.doccode:
            return None
        path = PUBLIC_RECEIPT_PATH.format(doccode=quote(self.doccode, safe=""))
        return self.base_url + path

    @property
    def safe(self):
        value = self.info.get("safe")
        return None if value is None else Decimal(str(value)).quantize(KOPECK)

    # Task 18 (spec §5.3).
    @property
    def shift_open(self):
        return self.info.get("shift_status") == 1

    @property
    def shift_opened_at(self):
        return parse_vchasno_dt(self.info.get("shift_dt"))

    @property
    def is_fiscal(self):
        return self.info.get("isFis") == 1

    @property
    def online(self):
        return self.info.get("online_status") == 0
