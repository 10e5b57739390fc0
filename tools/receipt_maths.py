"""Exact money maths and payload builders for Vchasno.Kasa (pure functions).

Money is ``Decimal`` everywhere; floats appear only in the returned JSON-ready
dicts, converted from already-quantized values (``float(Decimal("1445.29"))``
serialises as ``1445.29``). Every builder validates its input and raises
``VchasnoPayloadError`` listing all problems before anything is sent.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from . import payload_problems as pp
from .contacts import normalize_phone, validate_email
from .pay_types import PAY_CARD, PAY_CASH, PAY_CASHLESS
from .tax_groups import wire_tax_group
from .vchasno_errors import VchasnoPayloadError

# === Constants === #

# Fiscal tasks (spec §3).
TASK_OPEN_SHIFT = 0
TASK_SALE = 1
TASK_RETURN = 2
TASK_SERVICE_IN = 3
TASK_SERVICE_OUT = 4
TASK_X_REPORT = 10
TASK_Z_REPORT = 11
TASK_CASH_WITHDRAWAL = 14
TASK_STATUS = 18
RECEIPT_TASKS = frozenset({TASK_SALE, TASK_RETURN})
CASH_TASKS = frozenset({TASK_SERVICE_IN, TASK_SERVICE_OUT, TASK_CASH_WITHDRAWAL})

SCHEME_VERSION = 6  # spec §2 "ver"
REQUEST_TYPE_FISCAL = 1  # spec §2 "type"
REQUEST_TYPE_SEARCH = 0  # spec §2, §9.1 (DM; cloud UNVERIFIED)

KOPECK = Decimal("0.01")
QTY_STEP = Decimal("0.001")  # spec §1.3: quantity up to 3 decimals
# UNVERIFIED (spec §11.10): Vchasno publishes no limits for names and rows.
# 128 characters is the safe guess (tax-service XML name fields); the whole
# name is printed on the receipt, so longer names are refused, not cut.
MAX_NAME_LEN = 128
MAX_ROWS = 500
MAX_COMMENT_LEN = 1000
MAX_UKTZED_LEN = 10  # spec §4.2 (KVC note)
# Vchasno's own generated tags are 32 hex characters (spec §9.3).
MAX_TAG_LEN = 64
# UNVERIFIED (spec §4.5, §11.8): classic NBU rule (2018) rounds cash to
# 10 kopecks, half up. NBU resolution No. 115 (from 01.10.2025) changes the
# steps, so these are only the defaults of the per-company settings
# (``res.company._vchasno_rounding_rule``), passed to the functions below.
CASH_ROUNDING_STEP = Decimal("0.10")
# UNVERIFIED: a ``round`` of 10 kopecks or more is refused as a likely bug.
# ``max_abs_round`` 0 means cash rounding is switched off: no ``round`` at all.
MAX_ABS_ROUND = Decimal("0.10")
NOTIFY_CHANNELS = ("email", "sms", "viber", "cascade")  # spec §7.2


# === Data === #


@dataclass
class Row:
    """One receipt row; ``disc`` > 0 is a discount, < 0 a markup (spec §4.2)."""

    name: str
    qty: Decimal
    price: Decimal
    tax_group: int | str
    disc: Decimal = Decimal(0)
    code: str | None = None
    barcode: str | None = None  # code1
    uktzed: str | None = None  # code2
    comment: str | None = None


@dataclass
class Pay:
    """One payment; ``amount`` is what is kept (cash: tendered minus change)."""

    type: int
    amount: Decimal
    change: Decimal = Decimal(0)
    paysys: str | None = None
    rrn: str | None = None
    cardmask: str | None = None
    term_id: str | None = None
    bank_id: str | None = None
    bank_name: str | None = None
    auth_code: str | None = None
    comment: str | None = None


_PAY_CARD_FIELDS = (
    "paysys", "rrn", "cardmask", "term_id", "bank_id", "bank_name", "auth_code",
    "comment",
)  # fmt: skip


# === Helpers === #


def to_decimal(value):
    """Decimal from Decimal/int/str; floats are refused (never float maths)."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"money and quantities must be Decimal, not {value!r}")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_half_up(value, step=KOPECK):
    return to_decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _has_places(value, places):
    return value.is_finite() and value == value.quantize(Decimal(1).scaleb(-places))


def _money(value):
    """JSON number of an exact 2-decimal amount."""
    return float(value.quantize(KOPECK))


def _qty(value):
    value = value.quantize(QTY_STEP)
    return int(value) if value == value.to_integral_value() else float(value)


def row_total(row):
    """Row value of spec §4.5: round_half_up(qty × price, 2) − disc."""
    return round_half_up(to_decimal(row.qty) * to_decimal(row.price)) - to_decimal(
        row.disc
    )


def cash_rounding(amount, step=CASH_ROUNDING_STEP):
    """The ``round`` value for a cash amount: rounded(amount) − amount.

    Half up to ``step`` (NBU 2018: 1-4 kopecks down, 5-9 up), spec §4.5.
    A ``step`` of 0 means no rounding (0.00).
    """
    amount, step = to_decimal(amount), to_decimal(step)
    if not step:
        return Decimal("0.00")
    rounded = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return (rounded - amount).quantize(KOPECK)


def allocate(rows_amounts, target):
    """Split ``target`` over ``rows_amounts`` proportionally, to the kopeck.

    Largest-remainder method: the result sums exactly to ``target``; ties go to
    the earlier row. Amounts must be ``>= 0`` with a positive sum.
    """
    amounts = [to_decimal(a) for a in rows_amounts]
    target = to_decimal(target).quantize(KOPECK)
    total = sum(amounts, Decimal(0))
    if not amounts or any(a < 0 for a in amounts) or total <= 0:
        if target == 0:
            return [Decimal("0.00")] * len(amounts)
        raise ValueError("cannot allocate over empty or non-positive amounts")
    sign = -1 if target < 0 else 1
    cents = abs(target) * 100
    exact = [cents * a / total for a in amounts]
    floors = [e.to_integral_value(rounding=ROUND_FLOOR) for e in exact]
    left = int(cents - sum(floors))
    order = sorted(range(len(amounts)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [(sign * f / 100).quantize(KOPECK) for f in floors]


# === Builders === #


def build_receipt(
    rows,
    pays,
    *,
    rounding=Decimal(0),
    disc=Decimal(0),
    comment_up=None,
    comment_down=None,
    round_step=CASH_ROUNDING_STEP,
    max_abs_round=MAX_ABS_ROUND,
):
    """Build ``fiscal.receipt`` (spec §4) and check the §4.5 sum rules.

    :param rows: list of ``Row``
    :param pays: list of ``Pay``
    :param rounding: cash rounding (``round``), see ``cash_rounding``
    :param disc: whole-receipt discount in UAH (``disc``, ``disc_type`` 0)
    :param round_step: the cash left to pay after ``round`` must be a multiple
        of it (0: any amount)
    :param max_abs_round: ``|round|`` must stay below it; 0 = rounding off
    :return: JSON-ready dict
    :raise VchasnoPayloadError: listing every problem found
    """
    problems = []
    rounding, disc = to_decimal(rounding), to_decimal(disc)
    out_rows, total = _build_rows(rows, problems), Decimal(0)
    for row in rows:
        total += row_total(row)
    out_pays = _build_pays(pays, problems)
    pays_total = sum((to_decimal(p.amount) for p in pays), Decimal(0))
    if disc < 0 or not _has_places(disc, 2) or (rows and disc >= total):
        problems.append((pp.P_DISC, {"value": disc}))
    if rounding:
        problems.extend(rounding_problems(rounding, pays, round_step, max_abs_round))
    if rows and pays and pays_total != total - disc + rounding:
        problems.append(
            (
                pp.P_PAYS_TOTAL,
                {"pays": pays_total, "total": total, "disc": disc, "round": rounding},
            )
        )
    for comment in (comment_up, comment_down):
        if comment and len(comment) > MAX_COMMENT_LEN:
            problems.append((pp.P_COMMENT, {"max": MAX_COMMENT_LEN}))
    if problems:
        raise VchasnoPayloadError(problems)
    receipt = {"sum": _money(total)}
    if rounding:
        receipt["round"] = _money(rounding)
    if disc:
        receipt.update(disc=_money(disc), disc_type=0)
    if comment_up:
        receipt["comment_up"] = comment_up
    if comment_down:
        receipt["comment_down"] = comment_down
    receipt.update(rows=out_rows, pays=out_pays)
    return receipt


def rounding_problems(rounding, pays, step=CASH_ROUNDING_STEP, max_abs=MAX_ABS_ROUND):
    """Why a non-zero ``round`` cannot go out under the rounding settings.

    :return: list of ``(template, params)``; empty when it may be sent
    """
    rounding, step, max_abs = (to_decimal(v) for v in (rounding, step, max_abs))
    if not max_abs:
        return [(pp.P_ROUND_OFF, {"value": rounding})]
    cash = sum((to_decimal(p.amount) for p in pays if p.type == PAY_CASH), Decimal(0))
    if not cash or not _has_places(rounding, 2) or abs(rounding) >= max_abs:
        return [(pp.P_ROUND, {"value": rounding, "max": max_abs})]
    if step and cash % step:
        return [(pp.P_ROUND_STEP, {"value": rounding, "cash": cash, "step": step})]
    return []


def _build_rows(rows, problems):
    if not rows:
        problems.append((pp.P_NO_ROWS, {}))
    elif len(rows) > MAX_ROWS:
        problems.append((pp.P_TOO_MANY_ROWS, {"max": MAX_ROWS}))
    out = []
    for index, row in enumerate(rows, start=1):
        problems.extend(_row_problems(index, row))
        item = {}
        for key, value in (
            ("code", row.code),
            ("code1", row.barcode),
            ("code2", row.uktzed),
        ):
            if value:
                item[key] = value
        item.update(
            name=(row.name or "").strip(),
            cnt=_qty(to_decimal(row.qty)),
            price=_money(to_decimal(row.price)),
        )
        if to_decimal(row.disc):
            item["disc"] = _money(to_decimal(row.disc))
        item["taxgrp"] = wire_tax_group(row.tax_group)
        if row.comment:
            item["comment"] = row.comment
        out.append(item)
    return out


def _row_problems(index, row):
    problems = []
    qty, price, disc = (to_decimal(v) for v in (row.qty, row.price, row.disc))
    name = (row.name or "").strip()
    if not name:
        problems.append((pp.P_NAME_EMPTY, {"row": index}))
    elif len(name) > MAX_NAME_LEN:
        problems.append((pp.P_NAME_LONG, {"row": index, "max": MAX_NAME_LEN}))
    if qty <= 0 or not _has_places(qty, 3):
        problems.append((pp.P_QTY, {"row": index, "value": qty}))
    if price < 0 or not _has_places(price, 2):
        problems.append((pp.P_PRICE, {"row": index, "value": price}))
    if not _has_places(disc, 2):
        problems.append((pp.P_ROW_DISC, {"row": index, "value": disc}))
    elif row_total(row) <= 0:
        problems.append((pp.P_ROW_TOTAL, {"row": index}))
    if row.tax_group is None or str(row.tax_group).strip() == "":
        problems.append((pp.P_TAX_GROUP, {"row": index}))
    elif wire_tax_group(row.tax_group) is None:
        problems.append((pp.P_TAX_GROUP_NUMBER, {"row": index, "value": row.tax_group}))
    if row.uktzed and len(row.uktzed) > MAX_UKTZED_LEN:
        problems.append((pp.P_UKTZED, {"row": index, "max": MAX_UKTZED_LEN}))
    if row.comment and len(row.comment) > MAX_COMMENT_LEN:
        problems.append((pp.P_COMMENT, {"max": MAX_COMMENT_LEN}))
    return problems


def _build_pays(pays, problems):
    if not pays:
        problems.append((pp.P_NO_PAYS, {}))
    out = []
    for index, pay in enumerate(pays, start=1):
        amount, change = to_decimal(pay.amount), to_decimal(pay.change)
        if not isinstance(pay.type, int) or isinstance(pay.type, bool) or pay.type < 0:
            problems.append((pp.P_PAY_TYPE, {"pay": index}))
        if amount <= 0 or not _has_places(amount, 2):
            problems.append((pp.P_PAY_AMOUNT, {"pay": index, "value": amount}))
        if (
            change < 0
            or not _has_places(change, 2)
            or (change and pay.type != PAY_CASH)
        ):
            problems.append((pp.P_PAY_CHANGE, {"pay": index}))
        item = {"type": pay.type, "sum": _money(amount)}
        if pay.type == PAY_CASH:
            item["change"] = _money(change)
        for key in _PAY_CARD_FIELDS:
            value = getattr(pay, key)
            if value:
                item[key] = value
        out.append(item)
    return out


def build_cash(amount, pay_type=PAY_CASH, **card_fields):
    """``fiscal.cash`` for tasks 3, 4 and 14 (spec §3.1, §3.2)."""
    amount = to_decimal(amount)
    if amount <= 0 or not _has_places(amount, 2):
        raise VchasnoPayloadError([(pp.P_CASH_AMOUNT, {"value": amount})])
    cash = {"type": pay_type, "sum": _money(amount)}
    cash.update({k: v for k, v in card_fields.items() if v})
    return cash


def build_request(
    task,
    tag,
    *,
    cashier=None,
    receipt=None,
    cash=None,
    userinfo=None,
    source="ODOO",
    extra_root=None,
):
    """The request envelope of spec §2 (``ver`` 6, ``type`` 1).

    :param userinfo: ``{"email": ..., "phone": ...}``; empty values dropped,
        omitted entirely when nothing is left
    :param extra_root: more root keys (e.g. ``post_payment_of_check_fn``)
    :raise VchasnoPayloadError: bad tag, or missing receipt/cash body
    """
    problems = []
    if not isinstance(tag, str) or not tag or len(tag) > MAX_TAG_LEN:
        problems.append((pp.P_TAG, {"max": MAX_TAG_LEN}))
    if task in RECEIPT_TASKS and not receipt:
        problems.append((pp.P_TASK_BODY, {"task": task, "body": "receipt"}))
    if task in CASH_TASKS and not cash:
        problems.append((pp.P_TASK_BODY, {"task": task, "body": "cash"}))
    if problems:
        raise VchasnoPayloadError(problems)
    fiscal = {"task": task}
    if cashier:
        fiscal["cashier"] = cashier
    if receipt is not None:
        fiscal["receipt"] = receipt
    if cash is not None:
        fiscal["cash"] = cash
    request = {
        "ver": SCHEME_VERSION,
        "source": source,
        "tag": tag,
        "type": REQUEST_TYPE_FISCAL,
        "fiscal": fiscal,
    }
    contacts = {k: v for k, v in (userinfo or {}).items() if v}
    if contacts:
        request["userinfo"] = contacts
    request.update(extra_root or {})
    return request


__all__ = [
    "PAY_CARD",
    "PAY_CASH",
    "PAY_CASHLESS",
    "normalize_phone",
    "validate_email",
]
