"""Receipt rows and card data of a Point of Sale order (pure functions).

No ORM here: the Odoo layer (models/vchasno_receipt_pos_payload.py) reads the
order and passes Decimals. The rule for negative lines (the rest is the
invoice rule of the main addon, one row per order line):

* A line with a positive quantity and a negative amount is a reduction: a
  global discount (``pos_discount`` adds one such line per tax group), a
  loyalty reward, a coupon. Vchasno rows cannot be negative, and a discount
  must lower the VAT of its own tax group only, so the reduction is spread
  over the sold rows **of its tax group** as row discounts (``disc``), in
  proportion to their amounts, to the kopeck (largest remainder). The rows
  of each group then add up to exactly what Odoo booked for that group.
* A group whose reductions exceed its goods, or a reduction in a group
  without goods, is refused: the receipt would state VAT that was not
  charged (``ReductionProblem``). A group reduced to exactly zero loses its
  rows (nothing is sold in it).
"""

import re
from dataclasses import replace
from decimal import Decimal

from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm

_DIGITS = re.compile(r"\d")


class ReductionProblem(Exception):
    """Reductions of ``tax_group`` (``amount``) exceed its goods (``goods``)."""

    def __init__(self, tax_group, amount, goods):
        super().__init__(f"tax group {tax_group}: reduction {amount} > goods {goods}")
        self.tax_group = tax_group
        self.amount = amount
        self.goods = goods


def spread_reductions(rows, reductions):
    """The rows with the order's reductions applied inside their tax groups.

    :param rows: ``rm.Row`` of the goods sold, positive totals, in order
    :param reductions: ``[(tax_group, amount)]``, ``amount`` > 0 to take off
    :return: new rows, same order; rows that end at zero are left out
    :raise ReductionProblem: a group has less goods than its reductions
    """
    wanted = {}
    for group, amount in reductions:
        key = str(group)
        wanted[key] = wanted.get(key, Decimal(0)) + rm.to_decimal(amount)
    rows = list(rows)
    for group, amount in wanted.items():
        indexes = [i for i, row in enumerate(rows) if str(row.tax_group) == group]
        totals = [rm.row_total(rows[i]) for i in indexes]
        goods = sum(totals, Decimal(0))
        if not indexes or amount > goods:
            raise ReductionProblem(group, amount, goods)
        for index, share in zip(indexes, rm.allocate(totals, amount), strict=True):
            rows[index] = replace(rows[index], disc=rows[index].disc + share)
    return [row for row in rows if rm.row_total(row) != 0]


def mask_card(text):
    """A card number fit for a receipt: never the whole PAN.

    ``4111111111111111`` -> ``411111******1111`` (first 6 and last 4 digits,
    the form of Vchasno's examples); ``1234`` (what terminals often give:
    the last 4 digits) -> ``****1234``; text already masked is kept.
    """
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None
    digits = _DIGITS.findall(text)
    if len(digits) == len(text) and len(digits) >= 13:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(digits) == len(text):
        return "*" * 4 + text[-4:]
    return text
