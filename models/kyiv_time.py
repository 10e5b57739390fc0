"""Vchasno speaks Kyiv local time; Odoo stores naive UTC."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv_to_utc(value):
    """Naive Kyiv wall-clock time (as Vchasno sends it) to naive UTC, or False."""
    if not value:
        return False
    return value.replace(tzinfo=KYIV).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_kyiv(value):
    """Naive UTC (as Odoo stores it) to an aware Kyiv datetime."""
    return value.replace(tzinfo=timezone.utc).astimezone(KYIV)


def kyiv_now():
    return datetime.now(KYIV)
