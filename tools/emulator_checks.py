"""Independent checks of a receipt for the emulator (spec §4.5).

Written apart from ``receipt_maths`` on purpose, so that a bug in the builder
cannot hide a bug in the check. Texts are Ukrainian, as Vchasno's ``errortxt``.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .pay_types import cabinet_name
from .vchasno_errors import (
    EMU_RES_AMOUNT,
    EMU_RES_BAD_REQUEST,
    EMU_RES_EMPTY,
    EMU_RES_PAY_TYPE,
    EMU_RES_PAYS_SUM,
    EMU_RES_PRICE,
    EMU_RES_QUANTITY,
    EMU_RES_ROUND,
    EMU_RES_ROUND_DISABLED,
    EMU_RES_ROWS_SUM,
    EMU_RES_TAX_GROUP,
    RES_ROUND_WITH_AUTOROUND,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class RoundingRule:
    """A register's rounding: "Заокруглення" enabled in the cabinet, and the
    step and limit the company's settings use (same defaults as
    ``receipt_maths``, kept apart on purpose, see the module docstring)."""

    enabled: bool = True
    step: Decimal = Decimal("0.10")
    max: Decimal = Decimal("0.10")


class Refusal(Exception):
    """A ``res != 0`` answer; ``problems`` go to ``error_extra``."""

    def __init__(self, res, text, res_action=3, problems=None):
        super().__init__(text)
        self.res, self.text, self.res_action = res, text, res_action
        self.problems = problems or []


def num(value):
    """Decimal of a JSON number (float via its repr), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    return None


def places_ok(value, places):
    return value is not None and value == value.quantize(Decimal(1).scaleb(-places))


def check_receipt(receipt, tax_groups, pay_types, rounding=None):
    """Return the checked amounts or raise ``Refusal`` listing problems.

    :param pay_types: the payment type codes enabled on the register
    :param rounding: ``RoundingRule`` (default: enabled, 0.10, 0.10)
    """
    rounding = rounding or RoundingRule()
    if not isinstance(receipt, dict):
        raise Refusal(EMU_RES_BAD_REQUEST, "Не вказано об'єкт receipt")
    rows, pays = receipt.get("rows"), receipt.get("pays")
    if not (isinstance(rows, list) and rows and isinstance(pays, list) and pays):
        raise Refusal(EMU_RES_EMPTY, "Чек не містить товарів або оплат")
    problems = []

    def problem(res, text):
        problems.append({"res": res, "text": text})

    row_values = _check_rows(rows, tax_groups, problem)
    rows_total = sum((v for _g, v in row_values), ZERO)
    total = num(receipt.get("sum"))
    disc = num(receipt.get("disc", 0))
    rnd = num(receipt.get("round", 0))
    if not places_ok(total, 2):
        problem(EMU_RES_ROWS_SUM, "Не вказано суму чека")
    elif not problems and total != rows_total:
        text = f"Сума чека {total} не дорівнює сумі рядків {rows_total}"
        problem(EMU_RES_ROWS_SUM, text)
    if disc is None or disc < 0 or not places_ok(disc, 2):
        problem(EMU_RES_PRICE, "Невірна знижка на чек")
    elif receipt.get("disc_type", 0) != 0:
        problem(EMU_RES_PRICE, "Знижка у відсотках не підтримується емулятором")
    checked_pays = _check_pays(pays, pay_types, problem)
    if not places_ok(rnd, 2):
        problem(EMU_RES_ROUND, "Невірна сума заокруглення")
    elif rnd:
        _check_round(rnd, checked_pays, rounding, receipt, problem)
    paid = sum((s for _t, s in checked_pays), ZERO)
    if not problems and paid != total - disc + rnd:
        text = (
            f"Сума оплат {paid} не дорівнює сумі чека {total} - знижка {disc}"
            f" + заокруглення {rnd}"
        )
        problem(EMU_RES_PAYS_SUM, text)
    if problems:
        text = "; ".join(p["text"] for p in problems)
        raise Refusal(problems[0]["res"], text, 3, problems)
    return {"sum": total, "disc": disc, "round": rnd, "rows": row_values,
            "pays": checked_pays}  # fmt: skip


def _check_round(rnd, checked_pays, rule, receipt, problem):
    cash = sum((s for t, s in checked_pays if t == 0), ZERO)
    if not rule.enabled:
        text = "Тип оплати «Заокруглення» не увімкнено для каси"
        problem(EMU_RES_ROUND_DISABLED, text)
    elif not cash:
        problem(EMU_RES_ROUND, "Заокруглення можливе лише з оплатою готівкою")
    elif abs(rnd) >= rule.max:
        problem(EMU_RES_ROUND, f"Сума заокруглення {rnd} не менша за {rule.max}")
    elif rule.step and cash % rule.step:
        text = f"Сума готівкою {cash} після заокруглення не кратна {rule.step}"
        problem(EMU_RES_ROUND, text)
    elif receipt.get("autoround"):
        problem(RES_ROUND_WITH_AUTOROUND, "Сума округлення («round») при autoround")


def _check_rows(rows, tax_groups, problem):
    """Return ``[(tax group, row value)]``; report problems via ``problem``."""
    values = []
    for i, row in enumerate(rows, 1):
        row = row if isinstance(row, dict) else {}
        name = row.get("name")
        cnt, price = num(row.get("cnt")), num(row.get("price"))
        disc = num(row.get("disc", 0))
        bad = []
        if not isinstance(name, str) or not name.strip():
            bad.append((EMU_RES_BAD_REQUEST, f"Рядок {i}: не вказано назву"))
        if cnt is None or cnt <= 0 or not places_ok(cnt, 3):
            bad.append((EMU_RES_QUANTITY, f"Рядок {i}: невірна кількість"))
        if price is None or price < 0 or not places_ok(price, 2):
            bad.append((EMU_RES_PRICE, f"Рядок {i}: невірна ціна"))
        if not places_ok(disc, 2) or row.get("disc_type", 0) != 0:
            bad.append((EMU_RES_PRICE, f"Рядок {i}: невірна знижка"))
        if str(row.get("taxgrp")) not in tax_groups:
            text = f"Рядок {i}: невідома податкова група"
            bad.append((EMU_RES_TAX_GROUP, text))
        if not bad:
            value = (cnt * price).quantize(CENT, rounding=ROUND_HALF_UP) - disc
            if value <= 0:
                bad.append((EMU_RES_PRICE, f"Рядок {i}: сума рядка не додатна"))
            values.append((str(row["taxgrp"]), value))
        for res, text in bad:
            problem(res, text)
    return values


def _check_pays(pays, pay_types, problem):
    checked = []
    for i, pay in enumerate(pays, 1):
        pay = pay if isinstance(pay, dict) else {}
        ptype, amount = pay.get("type"), num(pay.get("sum"))
        change = num(pay.get("change", 0))
        if isinstance(ptype, bool) or ptype not in pay_types:
            name = cabinet_name(ptype)
            problem(EMU_RES_PAY_TYPE, f"Оплата {i}: тип оплати «{name}» не увімкнено")
        if amount is None or amount < 0 or not places_ok(amount, 2):
            problem(EMU_RES_AMOUNT, f"Оплата {i}: невірна сума")
        elif change is None or change < 0 or not places_ok(change, 2):
            problem(EMU_RES_AMOUNT, f"Оплата {i}: невірна решта")
        else:
            checked.append((ptype, amount))
    return checked
