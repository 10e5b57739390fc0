"""One emulated Vchasno.Kasa test register: shift, numbering, checks, totals.

The sum checks here are written independently of ``receipt_maths`` on
purpose, so that a bug in the builder cannot hide a bug in the check.
Texts of refusals are Ukrainian, as Vchasno's ``errortxt``.
"""

import copy
import hashlib
import secrets
import string
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from .vchasno_errors import (
    EMU_RES_AMOUNT,
    EMU_RES_BAD_REQUEST,
    EMU_RES_EMPTY,
    EMU_RES_PAY_TYPE,
    EMU_RES_PAYS_SUM,
    EMU_RES_PRICE,
    EMU_RES_QUANTITY,
    EMU_RES_ROUND,
    EMU_RES_ROWS_SUM,
    EMU_RES_SAFE,
    EMU_RES_TASK,
    EMU_RES_TAX_GROUP,
    RES_ROUND_WITH_AUTOROUND,
    RES_SHIFT_ALREADY_OPEN,
    RES_SHIFT_EXPIRED,
    RES_SHIFT_NOT_OPEN,
    TAG_NOT_FOUND_RES,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SHIFT_MAX_AGE = timedelta(hours=24)  # spec §8 [law]
EMU_MAX_ABS_ROUND = Decimal("0.10")  # same unverified rule as the builder
DT_FORMAT = "%Y%m%d%H%M%S"
DOCCODE_ALPHABET = string.ascii_letters + string.digits
# code: (letter, short name, full name, VAT %, excise/other %) — spec §10.
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
DEFAULT_PAY_TYPES = {0: "Готівка", 1: "Безготівка", 2: "Картка"}


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


def _money2(value):
    return float(value.quantize(CENT))


def _new_totals():
    return {
        "count": {"p": 0, "m": 0, "14": 0},
        "last_docno": {"p": 0, "m": 0},
        "summary": {k: ZERO for k in ("base_p", "base_m", "disc_p", "disc_m")},
        "taxes": {},  # code -> {"base_p", "base_m"}
        "money": {},  # pay type -> {"sum_p", "sum_m", "round_pu", ...}
        "cash": {"in": ZERO, "out": ZERO},
    }


class Register:
    """State of one token's test register (call under the emulator's lock)."""

    def __init__(self, token_hash):
        self.token_hash = token_hash
        self.fisid = "99999999" + str(int(token_hash[:12], 16) % 10**9).zfill(9)
        self.tax_groups = dict(DEFAULT_TAX_GROUPS)
        self.pay_types = dict(DEFAULT_PAY_TYPES)
        self.safe = ZERO
        self.docno = self.dataid = self.z_count = 0
        self.shift = None  # dict while a shift is open
        self.by_tag = {}  # tag -> stored successful answer
        self.by_doccode = {}  # doccode -> stored request (Vchasno's view)
        self.public_base = "https://kasa.vchasno.ua"  # for qr links

    # === Entry point === #

    def execute(self, request, now, repeat_tag, issue_doccode):
        """Answer one request; returns ``(answer, document or None)``."""
        tag = request.get("tag") or secrets.token_hex(16)
        if request.get("type", 1) == 0:
            stored = self.by_tag.get(tag)
            if stored is None:
                text = "Документ з таким tag не знайдено"
                return self._refusal(
                    request, tag, now, Refusal(TAG_NOT_FOUND_RES, text)
                ), None
            return copy.deepcopy(stored), None
        if tag in self.by_tag and repeat_tag == "return_stored":
            return copy.deepcopy(self.by_tag[tag]), None
        try:
            if request.get("type", 1) != 1 or not isinstance(
                request.get("fiscal"), dict
            ):
                raise Refusal(EMU_RES_BAD_REQUEST, "Невірний формат запиту")
            fiscal = request["fiscal"]
            handler = self._handlers().get(fiscal.get("task"))
            if handler is None:
                raise Refusal(EMU_RES_TASK, "Невідома або непідтримувана задача")
            info, doc_sum = handler(fiscal, now, issue_doccode)
        except Refusal as refusal:
            return self._refusal(request, tag, now, refusal), None
        answer = self._envelope(request, tag, now)
        answer["info"] = info
        document = None
        if info.get("doccode"):
            answer_copy = copy.deepcopy(answer)
            self.by_tag.setdefault(tag, answer_copy)
            stored_request = dict(copy.deepcopy(request), device=self.fisid, tag=tag)
            self.by_doccode[info["doccode"]] = stored_request
            document = {
                "tag": tag,
                "task": fiscal["task"],
                "sum": doc_sum,
                "doccode": info["doccode"],
                "docno": info["docno"],
                "shift_link": info.get("shift_link"),
                "fisid": self.fisid,
                "dt": info["dt"],
                "fiscal": copy.deepcopy(fiscal),
                "userinfo": copy.deepcopy(request.get("userinfo")),
                "token_hash": self.token_hash,
            }
        return answer, document

    def _handlers(self):
        return {
            0: self._open_shift,
            1: self._receipt,
            2: self._receipt,
            3: self._service,
            4: self._service,
            10: self._report,
            11: self._report,
            14: self._withdrawal,
            18: self._status,
        }

    def _envelope(self, request, tag, now):
        return {
            "task": (request.get("fiscal") or {}).get("task"),
            "type": request.get("type", 1),
            "ver": 6,
            "source": request.get("source", ""),
            "device": self.fisid,
            "tag": tag,
            "dt": now.strftime(DT_FORMAT),
            "res": 0,
            "res_action": 0,
            "errortxt": "",
            "error_extra": None,
            "warnings": [],
        }

    def refuse(self, request, now, res, res_action, text):
        """A refusal answer that records nothing (fault injection)."""
        tag = request.get("tag") or secrets.token_hex(16)
        return self._refusal(request, tag, now, Refusal(res, text, res_action))

    def _refusal(self, request, tag, now, refusal):
        answer = self._envelope(request, tag, now)
        answer.update(
            res=refusal.res,
            res_action=refusal.res_action,
            errortxt=refusal.text,
            task_status=3,
            error_extra={"problems": refusal.problems} if refusal.problems else None,
            info={},
        )
        return answer

    # === Shift and numbering === #

    def _shift_open(self, now, implicit=True):
        self.z_count += 1
        if implicit:  # an auto-opened shift still uses a document number
            self.docno += 1
        self.shift = {"no": self.z_count, "opened_at": now, "safe_start": self.safe}
        self.shift.update(_new_totals())

    def _require_shift(self, now, auto_open):
        if self.shift is None:
            if not auto_open:
                raise Refusal(RES_SHIFT_NOT_OPEN, "Зміну не відкрито", 2)
            self._shift_open(now)
        elif now - self.shift["opened_at"] > SHIFT_MAX_AGE:
            text = "Зміна триває понад 24 години, її треба закрити (Z-звіт)"
            raise Refusal(RES_SHIFT_EXPIRED, text, 2)

    def _doc_info(self, task, now, issue_doccode, cashier):
        self.docno += 1
        self.dataid += 1
        doccode = issue_doccode()
        return {
            "task": task,
            "fisid": self.fisid,
            "dataid": self.dataid,
            "doccode": doccode,
            "dt": now.strftime(DT_FORMAT),
            "cashier": cashier or "",
            "dtype": 0,
            "isprint": 0,
            "isoffline": False,
            "safe": _money2(self.safe),
            "shift_link": self.shift["no"] if self.shift else self.z_count,
            "docno": self.docno,
            "cancelid": doccode,
        }

    # === Tasks === #

    def _open_shift(self, fiscal, now, issue_doccode):
        if self.shift is not None:
            raise Refusal(RES_SHIFT_ALREADY_OPEN, "Зміну вже відкрито", 2)
        self._shift_open(now, implicit=False)
        return self._doc_info(0, now, issue_doccode, fiscal.get("cashier")), None

    def _status(self, fiscal, now, issue_doccode):
        shift = self.shift
        info = {
            "task": 18,
            "fisid": self.fisid,
            "isFis": 0,
            "shift_status": 1 if shift else 0,
            "shift_dt": shift["opened_at"].strftime(DT_FORMAT) if shift else "",
            "online_status": 0,
            "sign_status": 1,
            "safe": _money2(self.safe),
        }
        return info, None

    def _cash_amount(self, fiscal, allowed_types):
        cash = fiscal.get("cash")
        if not isinstance(cash, dict):
            raise Refusal(EMU_RES_BAD_REQUEST, "Не вказано об'єкт cash")
        amount = num(cash.get("sum"))
        if amount is None or amount <= 0 or not places_ok(amount, 2):
            raise Refusal(EMU_RES_AMOUNT, "Невірна сума операції")
        if cash.get("type", 0) not in allowed_types:
            raise Refusal(EMU_RES_PAY_TYPE, "Тип оплати не дозволено для операції")
        return amount

    def _service(self, fiscal, now, issue_doccode):
        amount = self._cash_amount(fiscal, {0})
        self._require_shift(now, auto_open=True)
        if fiscal["task"] == 4 and amount > self.safe:
            raise Refusal(EMU_RES_SAFE, "Недостатньо готівки в касі")
        self.safe += amount if fiscal["task"] == 3 else -amount
        self.shift["cash"]["in" if fiscal["task"] == 3 else "out"] += amount
        info = self._doc_info(fiscal["task"], now, issue_doccode, fiscal.get("cashier"))
        return info, _money2(amount)

    def _withdrawal(self, fiscal, now, issue_doccode):
        amount = self._cash_amount(fiscal, set(self.pay_types) - {0})
        self._require_shift(now, auto_open=True)
        if amount > self.safe:
            raise Refusal(EMU_RES_SAFE, "Недостатньо готівки в касі")
        self.safe -= amount
        self.shift["count"]["14"] += 1
        info = self._doc_info(14, now, issue_doccode, fiscal.get("cashier"))
        return info, _money2(amount)

    def _receipt(self, fiscal, now, issue_doccode):
        checked = self.check_receipt(fiscal.get("receipt"))
        self._require_shift(now, auto_open=True)
        sign = "p" if fiscal["task"] == 1 else "m"
        self._add_totals(checked, sign)
        cash = sum((s for t, s in checked["pays"] if t == 0), ZERO)
        self.safe += cash if sign == "p" else -cash
        info = self._doc_info(fiscal["task"], now, issue_doccode, fiscal.get("cashier"))
        self.shift["last_docno"][sign] = info["docno"]
        to_pay = checked["sum"] - checked["disc"]
        when = now.strftime("%Y%m%d"), now.strftime("%H:%M:%S")
        mac = hashlib.sha256(
            ("{}|{}|{}".format(info["doccode"], self.fisid, to_pay)).encode()
        ).hexdigest()
        info["mac"] = mac
        info["qr"] = "{}/c/{}?id={}&date={}&time={}&fn={}&sm={}&mac={}".format(
            self.public_base,
            info["doccode"],
            info["doccode"],
            *when,
            self.fisid,
            to_pay,
            mac,
        )
        return info, _money2(checked["sum"])

    # === Receipt checks (spec §4.5) === #

    def check_receipt(self, receipt):
        """Return the checked amounts or raise ``Refusal`` listing problems."""
        if not isinstance(receipt, dict):
            raise Refusal(EMU_RES_BAD_REQUEST, "Не вказано об'єкт receipt")
        rows, pays = receipt.get("rows"), receipt.get("pays")
        if (
            not isinstance(rows, list)
            or not rows
            or not isinstance(pays, list)
            or not pays
        ):
            raise Refusal(EMU_RES_EMPTY, "Чек не містить товарів або оплат")
        problems = []

        def problem(res, text):
            problems.append({"res": res, "text": text})

        rows_total, row_values = ZERO, []
        for i, row in enumerate(rows, 1):
            row = row if isinstance(row, dict) else {}
            name = row.get("name")
            if not isinstance(name, str) or not name.strip():
                problem(EMU_RES_BAD_REQUEST, f"Рядок {i}: не вказано назву")
            cnt, price = num(row.get("cnt")), num(row.get("price"))
            disc = num(row.get("disc", 0))
            if cnt is None or cnt <= 0 or not places_ok(cnt, 3):
                problem(EMU_RES_QUANTITY, f"Рядок {i}: невірна кількість")
            if price is None or price < 0 or not places_ok(price, 2):
                problem(EMU_RES_PRICE, f"Рядок {i}: невірна ціна")
            if not places_ok(disc, 2) or row.get("disc_type", 0) != 0:
                problem(EMU_RES_PRICE, f"Рядок {i}: невірна знижка")
            if str(row.get("taxgrp")) not in self.tax_groups:
                problem(EMU_RES_TAX_GROUP, f"Рядок {i}: невідома податкова група")
            if problems:
                continue
            value = (cnt * price).quantize(CENT, rounding=ROUND_HALF_UP) - disc
            if value <= 0:
                problem(EMU_RES_PRICE, f"Рядок {i}: сума рядка не додатна")
            rows_total += value
            row_values.append((str(row["taxgrp"]), value))
        total = num(receipt.get("sum"))
        disc = num(receipt.get("disc", 0))
        rnd = num(receipt.get("round", 0))
        if not places_ok(total, 2):
            problem(EMU_RES_ROWS_SUM, "Не вказано суму чека")
        elif not problems and total != rows_total:
            problem(
                EMU_RES_ROWS_SUM,
                f"Сума чека {total} не дорівнює сумі рядків {rows_total}",
            )
        if disc is None or disc < 0 or not places_ok(disc, 2):
            problem(EMU_RES_PRICE, "Невірна знижка на чек")
        elif receipt.get("disc_type", 0) != 0:
            problem(EMU_RES_PRICE, "Знижка у відсотках не підтримується емулятором")
        checked_pays = self._check_pays(pays, problem)
        has_cash = any(t == 0 for t, _s in checked_pays)
        if (
            not places_ok(rnd, 2)
            or abs(rnd) >= EMU_MAX_ABS_ROUND
            or (rnd and not has_cash)
        ):
            problem(EMU_RES_ROUND, "Невірна сума заокруглення")
        elif rnd and receipt.get("autoround"):
            problem(RES_ROUND_WITH_AUTOROUND, "Сума округлення («round») при autoround")
        if not problems:
            paid = sum((s for _t, s in checked_pays), ZERO)
            if paid != total - disc + rnd:
                problem(
                    EMU_RES_PAYS_SUM,
                    f"Сума оплат {paid} не дорівнює сумі чека {total} - знижка {disc} + "
                    f"заокруглення {rnd}",
                )
        if problems:
            text = "; ".join(p["text"] for p in problems)
            raise Refusal(problems[0]["res"], text, 3, problems)
        return {"sum": total, "disc": disc, "round": rnd, "rows": row_values,
                "pays": checked_pays}  # fmt: skip

    def _check_pays(self, pays, problem):
        checked = []
        for i, pay in enumerate(pays, 1):
            pay = pay if isinstance(pay, dict) else {}
            ptype, amount = pay.get("type"), num(pay.get("sum"))
            change = num(pay.get("change", 0))
            if isinstance(ptype, bool) or ptype not in self.pay_types:
                problem(EMU_RES_PAY_TYPE, f"Оплата {i}: тип оплати не увімкнено")
            if amount is None or amount < 0 or not places_ok(amount, 2):
                problem(EMU_RES_AMOUNT, f"Оплата {i}: невірна сума")
            elif change is None or change < 0 or not places_ok(change, 2):
                problem(EMU_RES_AMOUNT, f"Оплата {i}: невірна решта")
            else:
                checked.append((ptype, amount))
        return checked

    # === Totals and reports (spec §5.4) === #

    def _add_totals(self, checked, sign):
        shift = self.shift
        shift["count"][sign] += 1
        shift["summary"]["base_" + sign] += checked["sum"]
        shift["summary"]["disc_" + sign] += checked["disc"]
        shares = _spread(checked["disc"], [v for _g, v in checked["rows"]])
        for (group, value), share in zip(checked["rows"], shares, strict=False):
            taxes = shift["taxes"].setdefault(group, {"base_p": ZERO, "base_m": ZERO})
            taxes["base_" + sign] += value - share
        for ptype, amount in checked["pays"]:
            money = shift["money"].setdefault(
                ptype,
                {
                    k: ZERO
                    for k in (
                        "sum_p",
                        "sum_m",
                        "round_pu",
                        "round_pd",
                        "round_mu",
                        "round_md",
                    )
                },
            )
            money["sum_" + sign] += amount
            if ptype == 0 and checked["round"]:
                key = "round_{}{}".format(sign, "u" if checked["round"] > 0 else "d")
                money[key] += abs(checked["round"])

    def _report(self, fiscal, now, issue_doccode):
        self._require_shift_for_report()
        shift = self.shift
        info = {"task": fiscal["task"], "fisid": self.fisid,
                "dt": now.strftime(DT_FORMAT), "shift_link": shift["no"],
                "shift_prev_link": shift["no"] - 1, "safe": _money2(self.safe),
                "safe_start_shift": _money2(shift["safe_start"]),
                "isoffline": False, "vacant_off_nums": 0}  # fmt: skip
        info.update(_report_body(shift, self.tax_groups, self.pay_types))
        if fiscal["task"] == 10:
            return info, None
        doc = self._doc_info(11, now, issue_doccode, fiscal.get("cashier"))
        info.update(docno=doc["docno"], doccode=doc["doccode"], dataid=doc["dataid"])
        self.shift = None
        return info, None

    def _require_shift_for_report(self):
        if self.shift is None:
            raise Refusal(RES_SHIFT_NOT_OPEN, "Зміну не відкрито", 2)


def _spread(amount, values):
    """Proportional split of a receipt discount over rows (rest on the last)."""
    total = sum(values, ZERO)
    if not amount or not total:
        return [ZERO] * len(values)
    shares = [(amount * v / total).quantize(CENT) for v in values]
    shares[-1] += amount - sum(shares, ZERO)
    return shares


def _report_body(shift, tax_groups, pay_types):
    summary = shift["summary"]
    body = {
        "receipt": {
            "count_p": shift["count"]["p"],
            "count_m": shift["count"]["m"],
            "count_14": shift["count"]["14"],
            "count_transfer": 0,
            "last_docno_p": shift["last_docno"]["p"],
            "last_docno_m": shift["last_docno"]["m"],
        },
        "summary": {
            "base_p": _money2(summary["base_p"]),
            "base_m": _money2(summary["base_m"]),
            "disc_p": _money2(summary["disc_p"]),
            "disc_m": _money2(summary["disc_m"]),
            "calc_p": _money2(summary["base_p"] - summary["disc_p"]),
            "calc_m": _money2(summary["base_m"] - summary["disc_m"]),
        },
        "taxes": [],
        "cash": [
            {
                "type": 0,
                "sum_p": _money2(shift["cash"]["in"]),
                "sum_m": _money2(shift["cash"]["out"]),
            }
        ],
    }
    for code, sums in sorted(shift["taxes"].items()):
        letter, name, fname, vat, extra = tax_groups[code]
        row = {"gr_code": int(code) if code.isdigit() else code, "tax_lit": letter,
               "tax_name": name, "tax_fname": fname, "tax_percent": float(vat),
               "ex_percent": float(extra)}  # fmt: skip
        for sign in ("p", "m"):
            base = sums["base_" + sign]
            divisor = 100 + vat + extra
            row["base_sum_" + sign] = _money2(base)
            row["tax_sum_" + sign] = _money2(base * vat / divisor)
            row["ex_sum_" + sign] = _money2(base * extra / divisor)
        body["taxes"].append(row)
    body["pays"] = [
        dict({"type": ptype, "name": pay_types.get(ptype, str(ptype))},
             **{k: _money2(v) for k, v in sums.items()})
        for ptype, sums in sorted(shift["money"].items())
    ]  # fmt: skip
    body["money"] = copy.deepcopy(body["pays"])
    return body
