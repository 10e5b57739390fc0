"""The protocol against the public evidence (issue 11): no database.

Vchasno's own Postman examples, as public clients quote them
(``data/vchasno_examples.json``), go through the emulator unchanged, and the
addon's builder makes the same requests from the same baskets.
"""

import copy
import json
import os
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.l10n_ua_vchasno_kasa.tools import pay_types as pt
from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm
from odoo.addons.l10n_ua_vchasno_kasa.tools import vchasno_errors
from odoo.addons.l10n_ua_vchasno_kasa.tools.emulator import VchasnoEmulator
from odoo.addons.l10n_ua_vchasno_kasa.tools.tax_groups import wire_tax_group
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import (
    EMU_RES_BAD_REQUEST,
    EMU_RES_PAY_TYPE,
    EMU_RES_ROUND,
    EMU_RES_ROUND_DISABLED,
    ERROR_MESSAGES,
    OUR_CODES,
    RES_ROUND_WITH_AUTOROUND,
    RES_SHIFT_ALREADY_OPEN,
    RES_SHIFT_MUST_BE_CLOSED,
    RES_SHIFT_NOT_OPEN,
    TAG_NOT_FOUND_RES,
    VchasnoApiError,
    VchasnoPayloadError,
    describe_error,
)

D = Decimal
ZERO, ONE = D("0.00"), D("1.00")
TOKEN = "evidence-token"
DATA = os.path.join(os.path.dirname(__file__), "data", "vchasno_examples.json")
with open(DATA, encoding="utf-8") as _file:
    EXAMPLES = json.load(_file)
# Fields of the examples that the builder has no input for (excise stamps,
# the purpose text, acquiring details Odoo does not know, the dropped
# currency) or that it omits when empty.
NOT_BUILT = {"pop", "code_a", "code_aa", "commission", "oper_type",
             "show_additional_info", "currency"}  # fmt: skip


def normalised(value):
    """A JSON value with ``taxgrp`` as a number, as every real client sends it,
    and no zero row discount or zero change (the same as none: the builder
    always states the change of a cash payment, the 2023 return omits it)."""
    if isinstance(value, dict):
        return {
            k: wire_tax_group(v) if k == "taxgrp" else normalised(v)
            for k, v in value.items()
            if not (k in ("disc", "change") and v == 0)
        }
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def without(value, keys):
    """``value`` without ``keys`` and without empty strings, at every level."""
    if isinstance(value, dict):
        return {
            k: without(v, keys) for k, v in value.items() if k not in keys and v != ""
        }
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


def basket_row(row):
    """The builder's ``Row`` for an example row (Decimal from its JSON text)."""
    return rm.Row(
        name=row["name"],
        qty=D(str(row["cnt"])),
        price=D(str(row["price"])),
        tax_group=row["taxgrp"],
        disc=D(str(row.get("disc", 0))),
        code=row.get("code") or None,
        barcode=row.get("code1") or None,
        uktzed=row.get("code2") or None,
        comment=row.get("comment"),
    )


def basket_pay(pay):
    fields = {k: pay.get(k) or None for k in rm._PAY_CARD_FIELDS}
    return rm.Pay(
        pay["type"], D(str(pay["sum"])), change=D(str(pay.get("change", 0))), **fields
    )


@tagged("post_install", "-at_install")
class TestOfficialExamples(BaseCase):
    def setUp(self):
        super().setUp()
        self.emulator = VchasnoEmulator()

    def execute(self, request):
        status, _headers, body = self.emulator.handle(TOKEN, request)
        self.assertEqual(status, 200)
        return body

    def test_examples_pass_through_the_emulator_unchanged(self):
        for name in ("pm_sale", "pm_return", "aidoc_sale", "aidoc_return"):
            with self.subTest(example=name):
                request = copy.deepcopy(EXAMPLES[name])
                body = self.execute(request)
                self.assertEqual(body["res"], 0, body["errortxt"])
                self.assertEqual(request, EXAMPLES[name], "the emulator changed it")
                doc = self.emulator.documents()[-1]
                self.assertEqual(doc["fiscal"], EXAMPLES[name]["fiscal"])
                self.assertEqual(doc["sum"], EXAMPLES[name]["fiscal"]["receipt"]["sum"])

    def assertBuiltLikeExample(self, name):
        """Build the example's basket with the tools; compare field by field."""
        example = EXAMPLES[name]
        wanted = example["fiscal"]["receipt"]
        receipt = rm.build_receipt(
            [basket_row(row) for row in wanted["rows"]],
            [basket_pay(pay) for pay in wanted["pays"]],
            rounding=D(str(wanted.get("round", 0))),
            disc=D(str(wanted.get("disc", 0))),
            comment_up=wanted.get("comment_up"),
            comment_down=wanted.get("comment_down"),
        )
        request = rm.build_request(
            example["fiscal"]["task"],
            "tag-" + name,
            cashier=example["fiscal"]["cashier"],
            receipt=receipt,
            userinfo=example.get("userinfo"),
            source=example["source"],
        )
        self.assertEqual(
            without(normalised(request["fiscal"]), NOT_BUILT),
            without(normalised(example["fiscal"]), NOT_BUILT),
        )
        # Every taxgrp goes out as a number, whatever the example used.
        for row in receipt["rows"]:
            self.assertIsInstance(row["taxgrp"], int)
        # And the emulator accepts our version too.
        self.assertEqual(self.execute(request)["res"], 0)
        return receipt

    def test_pm_sale_built_the_same(self):
        receipt = self.assertBuiltLikeExample("pm_sale")
        # 2 × 20.10 + 0.10 markup = 40.30; 1410.04 − 5.05 = 1404.99;
        # sum 1445.29; cash 1445.29 − 5.10 card = 1440.19 → 1440.20, round +0.01.
        self.assertEqual((receipt["sum"], receipt["round"]), (1445.29, 0.01))
        self.assertEqual(receipt["rows"][0]["taxgrp"], 4)

    def test_pm_return_built_the_same(self):
        receipt = self.assertBuiltLikeExample("pm_return")
        # 2 × 360.05 − 20 = 700.10; 0.35 × 85.26 = 29.841 → 29.84; sum 729.94;
        # card 729, cash 0.94 → 0.90: round −0.04.
        self.assertEqual((receipt["sum"], receipt["round"]), (729.94, -0.04))

    def test_aidoc_sale_built_the_same(self):
        receipt = self.assertBuiltLikeExample("aidoc_sale")
        # 2 × 55 − 10 = 100; 89.99 + 10 markup = 99.99; sum 199.99, disc 10:
        # to pay 189.99; card 40, cash 149.99 → 150.00: round +0.01.
        self.assertEqual((receipt["sum"], receipt["disc"]), (199.99, 10.0))

    def test_aidoc_return_built_the_same(self):
        self.assertBuiltLikeExample("aidoc_return")

    def test_rounded_cash_part_is_on_the_step(self):
        """All examples round the cash part to 0.10: the emulator's step check."""
        for name in ("pm_sale", "pm_return", "aidoc_sale", "aidoc_return"):
            receipt = EXAMPLES[name]["fiscal"]["receipt"]
            cash = sum(D(str(p["sum"])) for p in receipt["pays"] if p["type"] == 0)
            self.assertEqual(cash % D("0.10"), 0, name)

    def test_z_report_has_vchasnos_shape(self):
        """AIDOC's Z report replayed: service in 1001, the sale and its return
        (150 cash + 50 card, round +0.01 each), service out 500.5, 100 handed
        out against a card (task 14): safe 1001 + 150 − 150 − 500.5 − 100."""
        sale = copy.deepcopy(EXAMPLES["aidoc_return"])
        sale["fiscal"]["task"] = 1
        for request in (
            {"fiscal": {"task": 3, "cash": {"type": 0, "sum": 1001}}},
            sale,
            EXAMPLES["aidoc_return"],
            {"fiscal": {"task": 4, "cash": {"type": 0, "sum": 500.5}}},
            {"fiscal": {"task": 14, "cash": {"type": 2, "sum": 100}}},
        ):
            self.assertEqual(self.execute(request)["res"], 0, request)
        info = self.execute({"fiscal": {"task": 11}})["info"]
        wanted = EXAMPLES["aidoc_z_info"]
        for key in ("summary", "taxes", "pays", "money", "safe"):
            self.assertEqual(info[key], wanted[key], key)
        self.assertNotIn("calc_p", info["summary"])
        # The example's cash[].round_mu 1.01 matches no operation: not modelled.
        self.assertEqual(
            [dict(c, round_mu=0) for c in info["cash"]],
            [dict(c, round_mu=0) for c in wanted["cash"]],
        )
        # Our emulator numbers documents per register, not per kind.
        counts = {k: v for k, v in info["receipt"].items() if "docno" not in k}
        self.assertEqual(
            counts, {k: v for k, v in wanted["receipt"].items() if "docno" not in k}
        )


@tagged("post_install", "-at_install")
class TestCabinetSettings(BaseCase):
    """Payment types and rounding as a register's cabinet enables them."""

    def setUp(self):
        super().setUp()
        self.emulator = VchasnoEmulator()

    def execute(self, request):
        return self.emulator.handle(TOKEN, request)[2]

    def sale(self, pays, rounding=ZERO, price=ONE, **rule):
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(1), price, 1)], pays, rounding=rounding, **rule
        )
        return rm.build_request(rm.TASK_SALE, "t", receipt=receipt)

    def test_pay_type_mapping(self):
        codes = {value: pt.pay_type_code(value) for value, _l in pt.PAY_TYPE_SELECTION}
        # MRKV's list: 0-2, then 13-20 for transfers and acquirers.
        self.assertEqual(
            codes,
            {"cash": 0, "cashless": 1, "card": 2, "qr_transfer": 13,
             "card_transfer": 14, "account_transfer": 15, "internet_acquiring": 16,
             "liqpay": 17, "rozetkapay": 18, "portmone": 19, "novapay": 20},
        )  # fmt: skip
        self.assertEqual(pt.cabinet_name("card"), "Картка")
        self.assertEqual(pt.cabinet_name(16), "Інтернет еквайринг")
        self.assertEqual(pt.default_pay_type("cash"), "cash")
        self.assertEqual(pt.default_pay_type("bank"), "cashless")
        with self.assertRaises(VchasnoPayloadError):
            pt.pay_type_code("cheque")

    def test_card_disabled_register(self):
        self.emulator.configure(token=TOKEN, pay_types=[0, 1])
        body = self.execute(self.sale([rm.Pay(rm.PAY_CARD, D("1.00"))]))
        self.assertEqual((body["res"], body["res_action"]), (EMU_RES_PAY_TYPE, 3))
        self.assertIn("«Картка» не увімкнено", body["errortxt"])
        self.assertIn("Картка", describe_error_of(body))
        withdrawal = {"fiscal": {"task": 14, "cash": {"type": 2, "sum": 1}}}
        self.assertEqual(self.execute(withdrawal)["res"], EMU_RES_PAY_TYPE)
        cashless = self.execute(self.sale([rm.Pay(rm.PAY_CASHLESS, D("1.00"))]))
        self.assertEqual(cashless["res"], 0)
        self.assertEqual(len(self.emulator.documents()), 1)

    def test_liqpay_needs_enabling(self):
        liqpay = self.sale([rm.Pay(pt.pay_type_code("liqpay"), D("1.00"))])
        self.assertEqual(self.execute(liqpay)["res"], EMU_RES_PAY_TYPE)
        self.emulator.configure(token=TOKEN, pay_types=[0, 1, 2, 17])
        self.assertEqual(self.execute(liqpay)["res"], 0)

    def test_rounding_disabled_register(self):
        self.emulator.configure(token=TOKEN, rounding=False)
        # 1.04 in cash rounds to 1.00 (step 0.10): round −0.04.
        rounded = self.sale(
            [rm.Pay(rm.PAY_CASH, D("1.00"))], rounding=D("-0.04"), price=D("1.04")
        )
        body = self.execute(rounded)
        self.assertEqual((body["res"], body["res_action"]), (EMU_RES_ROUND_DISABLED, 3))
        self.assertIn("Заокруглення", body["errortxt"])
        self.assertIn("Заокруглення", describe_error_of(body))
        exact = self.sale([rm.Pay(rm.PAY_CASH, D("1.04"))], price=D("1.04"))
        self.assertEqual(self.execute(exact)["res"], 0)

    def test_rounding_rule_is_a_parameter(self):
        pays = [rm.Pay(rm.PAY_CASH, D("1.00"))]
        # Default rule (0.10 step, |round| < 0.10): 1.04 → 1.00 is fine.
        self.assertEqual(rm.cash_rounding(D("1.04")), D("-0.04"))
        self.sale(pays, rounding=D("-0.04"), price=D("1.04"))
        # A 0.50 step: 1.30 → 1.50 (+0.20) passes a 0.50 limit only.
        self.assertEqual(rm.cash_rounding(D("1.30"), D("0.50")), D("0.20"))
        big = [rm.Pay(rm.PAY_CASH, D("1.50"))]
        rule = {"round_step": D("0.50"), "max_abs_round": D("0.50")}
        request = self.sale(big, rounding=D("0.20"), price=D("1.30"), **rule)
        with self.assertRaises(VchasnoPayloadError) as caught:
            self.sale(big, rounding=D("0.20"), price=D("1.30"))
        self.assertIn("smaller than 0.10", str(caught.exception))
        # Cash 1.05 is no multiple of 0.10: refused before sending.
        with self.assertRaisesRegex(VchasnoPayloadError, "multiple of the rounding"):
            self.sale([rm.Pay(rm.PAY_CASH, D("1.05"))], rounding=D("0.01"),
                      price=D("1.04"))  # fmt: skip
        # Rounding off in the settings: any round is refused.
        with self.assertRaisesRegex(VchasnoPayloadError, "switched off"):
            self.sale(pays, rounding=D("-0.04"), price=D("1.04"),
                      round_step=D(0), max_abs_round=D(0))  # fmt: skip
        self.assertEqual(rm.cash_rounding(D("1.04"), D(0)), D("0.00"))
        # The emulator follows the same setting.
        self.assertEqual(self.execute(request)["res"], EMU_RES_ROUND)
        self.emulator.configure(token=TOKEN, round_step="0.50", round_max="0.50")
        self.assertEqual(self.execute(request)["res"], 0)

    def test_taxgrp_numbers(self):
        receipt = rm.build_receipt(
            [rm.Row("A", D(1), D(1), "4"), rm.Row("B", D(1), D(1), 3),
             rm.Row("C", D(1), D(1), " 2 ")],
            [rm.Pay(rm.PAY_CASHLESS, D(3))],
        )  # fmt: skip
        self.assertEqual([r["taxgrp"] for r in receipt["rows"]], [4, 3, 2])
        with self.assertRaisesRegex(VchasnoPayloadError, "is not a number"):
            rm.build_receipt(
                [rm.Row("A", D(1), D(1), "А")], [rm.Pay(rm.PAY_CASHLESS, D(1))]
            )
        # The emulator accepts what Vchasno accepts: numbers and numeric text.
        for taxgrp, res in ((4, 0), ("4", 0), (4.0, 9003), (True, 9003), ("4a", 9003)):
            bad = copy.deepcopy(receipt)
            bad["rows"][0]["taxgrp"] = taxgrp
            body = self.execute(rm.build_request(1, f"g-{taxgrp}", receipt=bad))
            self.assertEqual(body["res"], res, taxgrp)

    def test_status_answers_the_owner(self):
        info = self.execute({"fiscal": {"task": 18}})["info"]
        self.assertTrue(info["edrpou"].isdigit())
        self.assertTrue(info["name"])
        self.emulator.configure(
            token=TOKEN, owner_edrpou="12345678", owner_name="ТОВ «Ромашка»"
        )
        info = self.execute({"fiscal": {"task": 18}})["info"]
        self.assertEqual((info["edrpou"], info["name"]), ("12345678", "ТОВ «Ромашка»"))

    def test_tag_search_can_be_switched_off(self):
        self.execute(self.sale([rm.Pay(rm.PAY_CASHLESS, D(1))]))
        search = {"type": 0, "tag": "t"}
        self.assertEqual(self.execute(search)["info"]["doccode"][:5], "TEST_")
        unknown = self.execute({"type": 0, "tag": "x"})
        self.assertEqual(unknown["res"], TAG_NOT_FOUND_RES)
        self.emulator.configure(tag_search=False, repeat_tag="return_stored")
        self.assertEqual(self.execute(search)["res"], EMU_RES_BAD_REQUEST)


def describe_error_of(body):
    """What Odoo would tell a person about a refusal answer."""
    return describe_error(
        VchasnoApiError(
            res=body["res"], res_action=body["res_action"], errortxt=body["errortxt"]
        )
    )


@tagged("post_install", "-at_install")
class TestOurCodes(BaseCase):
    def test_invented_codes_named_in_one_place(self):
        real = {RES_ROUND_WITH_AUTOROUND, RES_SHIFT_ALREADY_OPEN, RES_SHIFT_NOT_OPEN,
                RES_SHIFT_MUST_BE_CLOSED}  # fmt: skip
        emulator_codes = {
            value
            for name, value in vars(vchasno_errors).items()
            if name.startswith("EMU_RES_")
        }
        self.assertEqual(emulator_codes | {TAG_NOT_FOUND_RES}, set(OUR_CODES))
        for code in OUR_CODES:
            self.assertTrue(9000 <= code < 10000, code)
            self.assertIn(code, ERROR_MESSAGES, code)
        self.assertFalse(real & set(OUR_CODES))
