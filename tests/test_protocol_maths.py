"""Money maths and payload builders (pure Python, no database)."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm
from odoo.addons.l10n_ua_vchasno_kasa.tools.contacts import phone_refusal
from odoo.addons.l10n_ua_vchasno_kasa.tools.emulator import VchasnoEmulator
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import (
    VchasnoPayloadError,
    describe_error,
)

D = Decimal
CENT = D("0.01")


def check_spec_45(receipt):
    """Independent checker of spec §4.5 on a built (JSON-ready) receipt."""

    def dec(value):
        assert isinstance(value, (int, float)), value
        return D(repr(value)) if isinstance(value, float) else D(value)

    rows_total = D(0)
    for row in receipt["rows"]:
        cnt, price, disc = dec(row["cnt"]), dec(row["price"]), dec(row.get("disc", 0))
        assert cnt > 0 and cnt == cnt.quantize(D("0.001")), row
        assert price >= 0 and price == price.quantize(CENT), row
        assert disc == disc.quantize(CENT), row
        value = (cnt * price).quantize(CENT, rounding=ROUND_HALF_UP) - disc
        assert value > 0, row
        rows_total += value
    total = dec(receipt["sum"])
    assert total == rows_total, (total, rows_total)
    paid = sum((dec(p["sum"]) for p in receipt["pays"]), D(0))
    disc, rnd = dec(receipt.get("disc", 0)), dec(receipt.get("round", 0))
    assert paid == total - disc + rnd, (paid, total, disc, rnd)
    if rnd:
        assert any(p["type"] == rm.PAY_CASH for p in receipt["pays"])
        assert abs(rnd) < D("0.10")


money = st.decimals(min_value=D("0.00"), max_value=D("5000.00"), places=2)
qty = st.decimals(min_value=D("0.001"), max_value=D("50.000"), places=3)
row_strategy = st.builds(
    rm.Row,
    name=st.text(min_size=1, max_size=20).filter(str.strip),
    qty=qty,
    price=money,
    tax_group=st.sampled_from([1, 2, 3, "4", "9"]),
    disc=st.decimals(min_value=D("-20.00"), max_value=D("20.00"), places=2),
)


def sale_basket(data):
    """Draw a basket and pays that the builder must accept or refuse."""
    rows = data.draw(st.lists(row_strategy, min_size=1, max_size=6))
    total = sum((rm.row_total(r) for r in rows), D(0))
    disc = D(0)
    if total > CENT and data.draw(st.booleans()):
        disc = data.draw(st.decimals(min_value=D(0), max_value=total - CENT, places=2))
    to_pay = total - disc
    card = data.draw(st.decimals(min_value=D(0), max_value=max(to_pay, D(0)), places=2))
    cash_part = to_pay - card
    rounding = rm.cash_rounding(cash_part) if data.draw(st.booleans()) else D(0)
    pays = []
    if cash_part + rounding > 0:
        pays.append(rm.Pay(rm.PAY_CASH, cash_part + rounding, change=D("0.00")))
    else:
        rounding = D(0)
    if card > 0:
        pays.append(rm.Pay(rm.PAY_CARD, card))
    if data.draw(st.integers(0, 9)) == 0:  # sometimes break the payments
        pays.append(rm.Pay(rm.PAY_CASHLESS, D("0.01")))
    return rows, pays, disc, rounding


@tagged("post_install", "-at_install")
class TestProtocolMaths(BaseCase):
    @settings(max_examples=500, deadline=None)
    @given(st.data())
    def test_baskets_satisfy_spec_or_are_refused(self, data):
        rows, pays, disc, rounding = sale_basket(data)
        try:
            receipt = rm.build_receipt(rows, pays, rounding=rounding, disc=disc)
        except VchasnoPayloadError as err:
            self.assertTrue(err.problems)
            return
        check_spec_45(receipt)

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(money, min_size=1, max_size=12).filter(lambda a: sum(a) > 0),
        st.decimals(min_value=D("-9999.99"), max_value=D("9999.99"), places=2),
    )
    def test_allocate_sums_exactly(self, amounts, target):
        shares = rm.allocate(amounts, target)
        self.assertEqual(sum(shares, D(0)), target)
        self.assertTrue(all(s == s.quantize(CENT) for s in shares))
        if 0 <= target <= sum(amounts):
            self.assertTrue(
                all(0 <= s <= a for s, a in zip(shares, amounts, strict=True))
            )

    def test_allocate_examples(self):
        self.assertEqual(
            rm.allocate([D(1)] * 3, D("0.10")), [D("0.04"), D("0.03"), D("0.03")]
        )
        self.assertEqual(
            rm.allocate([D(100), D("99.99")], D(10)), [D("5.00"), D("5.00")]
        )
        self.assertEqual(rm.allocate([D(0), D(0)], D(0)), [D("0.00"), D("0.00")])
        with self.assertRaises(ValueError):
            rm.allocate([D(0)], D(1))

    def test_cash_rounding(self):
        for amount, expected in [
            ("79.83", "-0.03"), ("79.85", "0.05"), ("79.84", "-0.04"),
            ("1440.19", "0.01"), ("729.94", "-0.04"), ("10.00", "0.00"),
        ]:  # fmt: skip
            self.assertEqual(rm.cash_rounding(D(amount)), D(expected), amount)

    def test_refusals_before_sending(self):
        good_row = rm.Row("Товар", D(1), D("10.00"), 1)
        cases = [
            ([], [rm.Pay(0, D(10))], {}),
            ([good_row], [], {}),
            ([rm.Row("Товар", D("1.0001"), D("10.00"), 1)], [rm.Pay(0, D(10))], {}),
            ([rm.Row("Товар", D(1), D("10.001"), 1)], [rm.Pay(0, D(10))], {}),
            ([rm.Row(" ", D(1), D("10.00"), 1)], [rm.Pay(0, D(10))], {}),
            ([rm.Row("x" * 129, D(1), D("10.00"), 1)], [rm.Pay(0, D(10))], {}),
            ([rm.Row("Товар", D(1), D("10.00"), None)], [rm.Pay(0, D(10))], {}),
            (
                [rm.Row("Товар", D(1), D("10.00"), 1, disc=D(10))],
                [rm.Pay(0, D(10))],
                {},
            ),
            ([good_row], [rm.Pay(0, D("9.99"))], {}),
            ([good_row], [rm.Pay(2, D("10.05"))], {"rounding": D("0.05")}),
            ([good_row], [rm.Pay(0, D("10.10"))], {"rounding": D("0.10")}),
            ([good_row], [rm.Pay(2, D(10), change=D(1))], {}),
            ([good_row], [rm.Pay(0, D(0))], {"disc": D(10)}),
        ]
        for rows, pays, kwargs in cases:
            with self.assertRaises(VchasnoPayloadError, msg=(rows, pays, kwargs)):
                rm.build_receipt(rows, pays, **kwargs)
        with self.assertRaises(TypeError):
            rm.build_receipt([rm.Row("Товар", 1.5, D(1), 1)], [rm.Pay(0, D(1))])

    def test_build_request_envelope(self):
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(1), D("10.00"), 1)], [rm.Pay(0, D(10))]
        )
        request = rm.build_request(
            1, "abc", cashier="Іваненко", receipt=receipt,
            userinfo={"email": "", "phone": "+380501234567"},
        )  # fmt: skip
        self.assertEqual(request["ver"], 6)
        self.assertEqual(request["type"], 1)
        self.assertEqual(request["fiscal"]["task"], 1)
        self.assertEqual(request["userinfo"], {"phone": "+380501234567"})
        bare = rm.build_request(rm.TASK_Z_REPORT, "z")
        self.assertNotIn("userinfo", bare)
        for bad in ("", "x" * 65):
            with self.assertRaises(VchasnoPayloadError):
                rm.build_request(rm.TASK_X_REPORT, bad)
        with self.assertRaises(VchasnoPayloadError):
            rm.build_request(rm.TASK_SALE, "t")
        with self.assertRaises(VchasnoPayloadError):
            rm.build_cash(D("-1"))

    # Mobile operator codes of Ukraine (NKEK numbering plan, as kept by
    # libphonenumber): Kyivstar 39, 67, 68, 77, 96, 97, 98; Vodafone 50, 66,
    # 75, 95, 99; lifecell 63, 73, 93; 3Mob 91; PEOPLEnet 92; Intertelecom 94;
    # 71 and 72 are new mobile ranges of the plan.
    MOBILE_CODES = tuple(
        "39 50 63 66 67 68 71 72 73 75 77 91 92 93 94 95 96 97 98 99".split()
    )
    # The forms cashiers type, for operator code XX.
    FORMATS = ("0XX 123 45 67", "(0XX)1234567", "+38 (0XX) 123-45-67",
               "80XX1234567", "380XX1234567", "+380 XX 123 45 67", "0XX-123-45-67",
               "8 0XX 123 45 67", "0XX1234567")  # fmt: skip

    def test_phone_every_operator_code_and_format(self):
        for code in self.MOBILE_CODES:
            for pattern in self.FORMATS:
                text = pattern.replace("XX", code)
                self.assertEqual(rm.normalize_phone(text), f"+380{code}1234567", text)
                self.assertFalse(phone_refusal(text), text)

    def test_phone_refusals_say_why(self):
        cases = {
            "044 123 45 67": "it is a landline",  # Kyiv
            "+380 32 123 45 67": "it is a landline",  # Lviv
            "+48 501 234 567": "another country (+48)",
            "+7 916 123 45 67": "another country (+7)",
            "050 123 45 6": "it has 9 digits",
            "050 123 45 678": "it has 11 digits",
            "3805012345678": "it has 13 digits",
            "089 123 45 67": "089 is not the code of a mobile operator",
            "+0501234567": "country code 380",
            "тел. 050 123": "only digits",
            "": "is empty",
        }
        for text, reason in cases.items():
            with self.assertRaises(VchasnoPayloadError, msg=text) as caught:
                rm.normalize_phone(text)
            self.assertIn(reason, str(caught.exception), text)
            self.assertIn(reason, phone_refusal(text), text)
            self.assertEqual(len(caught.exception.problems), 1)

    def test_email(self):
        self.assertEqual(rm.validate_email(" a.b@example.com "), "a.b@example.com")
        for bad in ("", "a@b", "a b@example.com", "@example.com", "a@@example.com"):
            with self.assertRaises(VchasnoPayloadError, msg=bad):
                rm.validate_email(bad)

    def test_payload_error_is_described(self):
        with self.assertRaises(VchasnoPayloadError) as caught:
            rm.build_receipt([rm.Row("", D(1), D(1), 1)], [rm.Pay(0, D(1))])
        text = describe_error(caught.exception)
        self.assertIn("Row 1 has no name", text)
        self.assertIn("cannot be sent", text)


SPEC_TOKEN = "spec-example-token"


@tagged("post_install", "-at_install")
class TestProtocolSpecExamples(BaseCase):
    """Every documented example of the spec, built, then accepted (res 0)."""

    def setUp(self):
        super().setUp()
        self.emulator = VchasnoEmulator()

    def execute(self, request):
        status, _headers, body = self.emulator.handle(SPEC_TOKEN, request)
        self.assertEqual(status, 200)
        return body

    def assertAccepted(self, request):
        body = self.execute(request)
        self.assertEqual(body["res"], 0, body.get("errortxt"))
        self.assertTrue(body["info"]["doccode"].startswith("TEST_"))
        self.assertEqual(body["tag"], request["tag"])
        return body

    def test_sale_example_44(self):
        receipt = rm.build_receipt(
            [
                rm.Row("Продукт 1", D(2), D("20.10"), "4", disc=D("-0.10"),
                       code="Dm-123%1", barcode="79545322", uktzed="45632",
                       comment="коментар"),
                rm.Row("Продукт 2", D(1), D("1410.04"), 3, disc=D("5.05"),
                       code="424311"),
            ],
            [
                rm.Pay(rm.PAY_CASH, D("1440.20"), change=D("59.90"), comment="ТЕСТ"),
                rm.Pay(rm.PAY_CARD, D("5.10"), paysys="VISA", rrn="123",
                       cardmask="1223******1111", term_id="123456888",
                       bank_id="BANK123", auth_code="AA12345678"),
            ],
            rounding=D("0.01"),
            comment_up="Коментар шапки чеку",
            comment_down="ДЯКУЄМО за покупку",
        )  # fmt: skip
        self.assertEqual(receipt["sum"], 1445.29)
        check_spec_45(receipt)
        request = rm.build_request(
            rm.TASK_SALE, "sale-44", cashier="Постман", receipt=receipt,
            userinfo={"email": "test@vchasno.ua", "phone": ""},
        )  # fmt: skip
        body = self.assertAccepted(request)
        self.assertEqual(body["info"]["safe"], 1440.20)
        self.assertIn("sm=1445.29", body["info"]["qr"])
        docs = self.emulator.documents()
        self.assertEqual([(d["tag"], d["task"], d["sum"]) for d in docs],
                         [("sale-44", 1, 1445.29)])  # fmt: skip
        self.assertEqual(docs[0]["userinfo"], {"email": "test@vchasno.ua"})

    def test_return_example(self):
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(1), D("700.10"), 1),
             rm.Row("Ваговий", D("0.35"), D("85.26"), 2)],
            [rm.Pay(rm.PAY_CASH, D("729.00")), rm.Pay(rm.PAY_CARD, D("0.90"))],
            rounding=D("-0.04"),
        )  # fmt: skip
        self.assertEqual(receipt["sum"], 729.94)
        self.assertAccepted(rm.build_request(rm.TASK_RETURN, "ret-1", receipt=receipt))

    def test_receipt_discount_example_2024(self):
        receipt = rm.build_receipt(
            [rm.Row("Послуга 1", D(1), D("100.00"), 1),
             rm.Row("Послуга 2", D(1), D("99.99"), 1)],
            [rm.Pay(rm.PAY_CASH, D(150)), rm.Pay(rm.PAY_CARD, D(40))],
            rounding=D("0.01"),
            disc=D(10),
        )  # fmt: skip
        self.assertEqual((receipt["sum"], receipt["disc"]), (199.99, 10.0))
        body = self.assertAccepted(rm.build_request(1, "disc-24", receipt=receipt))
        self.assertIn("sm=189.99", body["info"]["qr"])

    def test_rounding_example_dm_sum(self):
        rounding = rm.cash_rounding(D("79.83"))
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(1), D("79.83"), 1)],
            [rm.Pay(rm.PAY_CASH, D("79.83") + rounding, change=D("20.20"))],
            rounding=rounding,
        )
        self.assertEqual(receipt["round"], -0.03)
        self.assertAccepted(rm.build_request(1, "round-1", receipt=receipt))

    def test_emulator_refuses_bad_sums(self):
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(2), D("20.10"), 1)], [rm.Pay(rm.PAY_CASH, D("40.20"))]
        )
        bad_total = dict(receipt, sum=40.21)
        bad_pays = dict(receipt, pays=[{"type": 0, "sum": 40.0}])
        bad_group = dict(receipt, rows=[dict(receipt["rows"][0], taxgrp=77)])
        bad_type = dict(receipt, pays=[{"type": 13, "sum": 40.2}])
        bad_cnt = dict(receipt, rows=[dict(receipt["rows"][0], cnt=0.0001)],
                       sum=0.0)  # fmt: skip
        empty = dict(receipt, rows=[])
        for index, bad in enumerate(
            (bad_total, bad_pays, bad_group, bad_type, bad_cnt, empty)
        ):
            request = rm.build_request(1, f"bad-{index}", receipt=bad)
            body = self.execute(request)
            self.assertNotEqual(body["res"], 0, bad)
            self.assertEqual(body["res_action"], 3)
            self.assertTrue(body["errortxt"])
        self.assertEqual(self.emulator.documents(), [])

    def test_emulator_pay_type_not_enabled(self):
        self.emulator.configure(token=SPEC_TOKEN, pay_types=[0])
        receipt = rm.build_receipt(
            [rm.Row("Товар", D(1), D(5), 1)], [rm.Pay(rm.PAY_CARD, D(5))]
        )
        body = self.execute(rm.build_request(1, "card", receipt=receipt))
        self.assertIn("тип оплати", body["errortxt"])
