"""One emulated Vchasno.Kasa test register: shift, numbering, documents.

Receipt checks live in ``emulator_checks``, totals in ``emulator_reports``.
Texts of refusals are Ukrainian, as Vchasno's ``errortxt``.
"""

import copy
import hashlib
import secrets
import string
from datetime import timedelta
from decimal import Decimal

from .emulator_checks import Refusal, RoundingRule, check_receipt, num, places_ok
from .emulator_reports import (
    add_service,
    add_totals,
    add_withdrawal,
    money2,
    new_totals,
    report_body,
)
from .pay_types import cabinet_name
from .tax_groups import DEFAULT_TAX_GROUPS
from .vchasno_errors import (
    EMU_RES_AMOUNT,
    EMU_RES_BAD_REQUEST,
    EMU_RES_PAY_TYPE,
    EMU_RES_SAFE,
    EMU_RES_TASK,
    RES_SHIFT_ALREADY_OPEN,
    RES_SHIFT_EXPIRED,
    RES_SHIFT_NOT_OPEN,
    TAG_NOT_FOUND_RES,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SHIFT_MAX_AGE = timedelta(hours=24)  # spec §8 [law]
DT_FORMAT = "%Y%m%d%H%M%S"
DOCCODE_ALPHABET = string.ascii_letters + string.digits
# A new test register has the four types Huge Profit's help says must be on:
# Готівка, Безготівка, Картка and Заокруглення (``Register.rounding``).
DEFAULT_PAY_TYPES = (0, 1, 2)


class Register:
    """State of one token's test register (call under the emulator's lock)."""

    def __init__(self, token_hash):
        self.token_hash = token_hash
        self.fisid = "99999999" + str(int(token_hash[:12], 16) % 10**9).zfill(9)
        self.tax_groups = dict(DEFAULT_TAX_GROUPS)
        self.pay_types = set(DEFAULT_PAY_TYPES)
        self.rounding = RoundingRule()
        # Task 18 answers the owner (a NestJS client reads info.edrpou/name).
        self.owner_edrpou = str(40000000 + int(token_hash[12:20], 16) % 10**7)
        self.owner_name = "ТОВ «Тестовий платник %s»" % self.fisid[-4:]
        self.safe = ZERO
        self.docno = self.dataid = self.z_count = 0
        self.shift = None  # dict while a shift is open
        self.by_tag = {}  # tag -> stored successful answer
        self.by_doccode = {}  # doccode -> stored request (Vchasno's view)
        self.public_base = "https://kasa.vchasno.ua"  # for qr links

    # === Entry point === #

    def execute(self, request, now, repeat_tag, issue_doccode, tag_search=True):
        """Answer one request; returns ``(answer, document or None)``.

        :param tag_search: answer ``type: 0`` searches (the Device Manager
            feature); False models a cloud without it (refused as malformed)
        """
        tag = request.get("tag") or secrets.token_hex(16)
        if request.get("type", 1) == 0:
            if not tag_search:
                refusal = Refusal(EMU_RES_BAD_REQUEST, "Невірний тип запиту")
                return self._refusal(request, tag, now, refusal), None
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
        self.shift.update(new_totals())

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
            "safe": money2(self.safe),
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
            "safe": money2(self.safe),
            "edrpou": self.owner_edrpou,
            "name": self.owner_name,
        }
        return info, None

    def _cash_amount(self, fiscal, allowed_types):
        cash = fiscal.get("cash")
        if not isinstance(cash, dict):
            raise Refusal(EMU_RES_BAD_REQUEST, "Не вказано об'єкт cash")
        amount = num(cash.get("sum"))
        if amount is None or amount <= 0 or not places_ok(amount, 2):
            raise Refusal(EMU_RES_AMOUNT, "Невірна сума операції")
        ptype = cash.get("type", 0)
        if ptype not in allowed_types:
            raise Refusal(EMU_RES_PAY_TYPE, "Тип оплати не дозволено для операції")
        if ptype not in self.pay_types:
            text = f"Тип оплати «{cabinet_name(ptype)}» не увімкнено для каси"
            raise Refusal(EMU_RES_PAY_TYPE, text)
        return amount

    def _service(self, fiscal, now, issue_doccode):
        amount = self._cash_amount(fiscal, {0})
        self._require_shift(now, auto_open=True)
        if fiscal["task"] == 4 and amount > self.safe:
            raise Refusal(EMU_RES_SAFE, "Недостатньо готівки в касі")
        self.safe += amount if fiscal["task"] == 3 else -amount
        add_service(self.shift, fiscal["task"], amount)
        info = self._doc_info(fiscal["task"], now, issue_doccode, fiscal.get("cashier"))
        return info, money2(amount)

    def _withdrawal(self, fiscal, now, issue_doccode):
        amount = self._cash_amount(fiscal, set(range(1, 100)))
        self._require_shift(now, auto_open=True)
        if amount > self.safe:
            raise Refusal(EMU_RES_SAFE, "Недостатньо готівки в касі")
        self.safe -= amount
        add_withdrawal(self.shift, fiscal["cash"]["type"], amount)
        info = self._doc_info(14, now, issue_doccode, fiscal.get("cashier"))
        return info, money2(amount)

    def _receipt(self, fiscal, now, issue_doccode):
        checked = check_receipt(
            fiscal.get("receipt"), self.tax_groups, self.pay_types, self.rounding
        )
        self._require_shift(now, auto_open=True)
        sign = "p" if fiscal["task"] == 1 else "m"
        add_totals(self.shift, checked, sign)
        cash = sum((s for t, s in checked["pays"] if t == 0), ZERO)
        self.safe += cash if sign == "p" else -cash
        info = self._doc_info(fiscal["task"], now, issue_doccode, fiscal.get("cashier"))
        self.shift["last_docno"][sign] = info["docno"]
        to_pay = checked["sum"] - checked["disc"]
        when = now.strftime("%Y%m%d"), now.strftime("%H:%M:%S")
        mac = hashlib.sha256(
            f"{info['doccode']}|{self.fisid}|{to_pay}".encode()
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
        return info, money2(checked["sum"])

    # === Totals and reports (spec §5.4) === #

    def _report(self, fiscal, now, issue_doccode):
        self._require_shift_for_report()
        shift = self.shift
        info = {"task": fiscal["task"], "fisid": self.fisid,
                "dt": now.strftime(DT_FORMAT), "shift_link": shift["no"],
                "shift_prev_link": shift["no"] - 1, "safe": money2(self.safe),
                "safe_start_shift": money2(shift["safe_start"]),
                "isoffline": False, "vacant_off_nums": 0}  # fmt: skip
        info.update(report_body(shift, self.tax_groups, cabinet_name))
        if fiscal["task"] == 10:
            return info, None
        doc = self._doc_info(11, now, issue_doccode, fiscal.get("cashier"))
        info.update(docno=doc["docno"], doccode=doc["doccode"], dataid=doc["dataid"])
        self.shift = None
        return info, None

    def _require_shift_for_report(self):
        if self.shift is None:
            raise Refusal(RES_SHIFT_NOT_OPEN, "Зміну не відкрито", 2)
