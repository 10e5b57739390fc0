"""Vchasno tax groups: the default codes and their form on the wire.

A register's tax groups are configured in the Vchasno cabinet, each with a
numeric code; the defaults below are identical in KVC and MRKV and match the
Z-report example (spec §10). ``taxgrp`` goes out as a JSON **number**: every
production client sends an integer (MRKV ``intval``, KVC ``int``, DSD, WFP,
OpenCart); Postman's own examples mix ``"4"`` and ``3``, so Vchasno accepts
both, and the emulator does too.
"""

from decimal import Decimal

ZERO = Decimal("0.00")

# code: (letter, short name, full name, VAT %, excise or other levy %).
DEFAULT_TAX_GROUPS = {
    "1": ("А", "ПДВ_А", "ПДВ 20%", Decimal(20), ZERO),
    "2": ("Б", "Без ПДВ", "Без ПДВ", ZERO, ZERO),
    "3": ("ГД", "ПДВ_Г", "ПДВ 20% + акциз 5%", Decimal(20), Decimal(5)),
    "4": ("В", "ПДВ_В", "ПДВ 7%", Decimal(7), ZERO),
    "5": ("Е", "ПДВ_Е", "ПДВ 0%", ZERO, ZERO),
    "6": ("Ж", "Акциз", "Без ПДВ + акциз 5%", ZERO, Decimal(5)),
    "7": ("З", "Не об'єкт", "Не є об'єктом ПДВ", ZERO, ZERO),
    "8": ("ИК", "ПДВ_И", "ПДВ 20% + ПФ 7.5%", Decimal(20), Decimal("7.5")),
    "9": ("Л", "ПДВ_Л", "ПДВ 14%", Decimal(14), ZERO),
}
# MRKV alone lists a 10th group (ПДФО 18 % + військовий збір 1.5 %): not a
# default of the emulator, but offered as a preset.
PRESET_SELECTION = [
    ("1", "1 - А: VAT 20% (ПДВ 20%)"),
    ("2", "2 - Б: no VAT (Без ПДВ)"),
    ("3", "3 - ГД: VAT 20% + excise 5% (ПДВ 20% + акциз 5%)"),
    ("4", "4 - В: VAT 7% (ПДВ 7%)"),
    ("5", "5 - Е: VAT 0% (ПДВ 0%)"),
    ("6", "6 - Ж: no VAT + excise 5% (Без ПДВ + акциз 5%)"),
    ("7", "7 - З: not subject to VAT (Не є об'єктом ПДВ)"),
    ("8", "8 - ИК: VAT 20% + pension levy 7.5% (ПДВ 20% + ПФ 7.5%)"),
    ("9", "9 - Л: VAT 14% (ПДВ 14%)"),
    ("10", "10 - М: personal income tax 18% + military levy 1.5%"),
    ("other", "Another code of my register"),
]


def wire_tax_group(value):
    """``taxgrp`` as sent: an int for a numeric code, else None (invalid)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
