"""Rows and payments of Point of Sale receipts, to the kopeck: card data,
split payments, cash rounding, global discounts and rewards, and what is
refused before anything is sent."""

from odoo import Command
from odoo.tests import tagged

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosRows(VchasnoPosCommon):
    def sync_and_send(self, lines, payments, change=0.0, session=None):
        session = session or self.open_session()
        order = self.sync(self.order_data(session, lines, payments, change=change))
        receipt = self.receipt_of(order)
        self.send()
        return order, receipt

    def assert_refused(self, receipt, *texts):
        self.assertEqual(receipt.state, "error")
        self.assertEqual(receipt.error_kind, "data")
        for text in texts:
            self.assertIn(text, receipt.error_message)
        self.assertEqual(self.docs(), [], "nothing reaches Vchasno")

    def test_card_order_with_card_data(self):
        # 1 x Кава 120.00 by card; the terminal gave its slip's data.
        _order, receipt = self.sync_and_send(
            [self.line(self.product, 1)],
            [
                self.pay(
                    self.card_method,
                    120.0,
                    card_no="4111111111111111",
                    card_brand="VISA",
                    payment_ref_no="123456789012",
                    payment_method_authcode="A1B2C3",
                    vchasno_terminal_id="T1234567",
                )
            ],
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = self.sent(receipt)
        # Card (code 2) for the card journal; the PAN never goes out whole.
        self.assertEqual(
            body["pays"],
            [
                {
                    "type": 2,
                    "sum": 120.0,
                    "paysys": "VISA",
                    "rrn": "123456789012",
                    "cardmask": "411111******1111",
                    "term_id": "T1234567",
                    "auth_code": "A1B2C3",
                }
            ],
        )
        self.assertEqual(body["sum"], 120.0)

    def test_split_payment(self):
        # 2 x Кава 120.00 + 1 x Хліб 24.99 = 264.99: 200.00 by card, 70.00
        # in cash, change 70.00 - 64.99 = 5.01.
        _order, receipt = self.sync_and_send(
            [self.line(self.product, 2), self.line(self.bread, 1)],
            [self.pay(self.card_method, 200.0), self.pay(self.cash_method, 70.0)],
            change=5.01,
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = self.sent(receipt)
        self.assertEqual(
            body["pays"],
            [
                {"type": 2, "sum": 200.0},
                {"type": 0, "sum": 64.99, "change": 5.01},
            ],
        )
        # 200.00 + 64.99 = 264.99 = 240.00 + 24.99
        self.assertEqual(body["sum"], 264.99)
        self.assertEqual(receipt.amount, 264.99)

    def rounding(self, step):
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "Готівка %s" % step,
                "rounding": step,
                "rounding_method": "HALF-UP",
                "strategy": "add_invoice_line",
                "profit_account_id": self.company_data["default_account_revenue"].id,
                "loss_account_id": self.company_data["default_account_expense"].id,
            }
        )
        self.pos_config.write(
            {
                "cash_rounding": True,
                "rounding_method": rounding.id,
                "only_round_cash_method": True,
            }
        )

    def test_cash_rounding(self):
        self.rounding(0.10)
        self.assertFalse(self.pos_config.vchasno_setup_warning)
        # 3 x Хліб 24.99 = 74.97, cash rounded half up to 0.10: 75.00 to pay;
        # 100.00 given, change 25.00. Receipt: rows 74.97, round +0.03,
        # cash 75.00 (a multiple of 0.10, as the company's rule wants).
        _order, receipt = self.sync_and_send(
            [self.line(self.bread, 3)], [self.pay(self.cash_method, 100.0)], change=25.0
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = self.sent(receipt)
        self.assertEqual(body["rows"][0]["cnt"], 3)
        self.assertEqual(body["rows"][0]["price"], 24.99)
        self.assertEqual(body["sum"], 74.97)
        self.assertEqual(body["round"], 0.03)
        self.assertEqual(body["pays"], [{"type": 0, "sum": 75.0, "change": 25.0}])
        self.assertEqual(receipt.amount, 75.0)

    def test_cash_rounding_the_company_rule_refuses(self):
        # The POS rounds cash to 0.05; the company's Vchasno rule wants
        # multiples of 0.10: said on the settings, refused before sending.
        self.rounding(0.05)
        self.assertIn("not a multiple", self.pos_config.vchasno_setup_warning)
        # 3 x 24.99 = 74.97 -> 74.95 in cash: round -0.02, cash 74.95.
        _order, receipt = self.sync_and_send(
            [self.line(self.bread, 3)], [self.pay(self.cash_method, 74.95)]
        )
        self.assert_refused(receipt, "74.95", "0.10")

    def test_global_discount_per_tax_group(self):
        # pos_discount's 10 % adds one negative line per tax group:
        # ПДВ 20 %: 10 % of (240.00 + 24.99) = 26.499 -> line -26.50;
        # ПДВ 7 %: 10 % of 53.50 = 5.35. Total 318.49 - 31.85 = 286.64.
        disc = self.discount_product
        lines = [
            self.line(self.product, 2),
            self.line(self.bread, 1),
            self.line(self.product_7, 1),
            self.line(disc, 1, price=-26.499, taxes=self.tax_20),
            self.line(disc, 1, price=-5.35, taxes=self.tax_7),
        ]
        _order, receipt = self.sync_and_send(
            lines, [self.pay(self.card_method, 286.64)]
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = self.sent(receipt)
        # Group 1: 26.50 over 240.00 and 24.99 in proportion, to the kopeck:
        # 26.50 x 240.00 / 264.99 = 24.0009 and 26.50 x 24.99 / 264.99 =
        # 2.4991; floors 24.00 + 2.49 = 26.49, the last kopeck to the larger
        # remainder (0.91 > 0.09): 24.00 and 2.50. Group 4: 5.35 on Ліки.
        self.assertEqual(
            [
                (r["name"], r["cnt"], r["price"], r.get("disc"), r["taxgrp"])
                for r in body["rows"]
            ],
            [
                ("Кава зернова", 2, 120.0, 24.0, 1),
                ("Хліб", 1, 24.99, 2.5, 1),
                ("Ліки", 1, 53.5, 5.35, 4),
            ],
        )
        # (240 - 24) + (24.99 - 2.50) + (53.50 - 5.35) = 216 + 22.49 + 48.15
        # = 286.64 = the card payment; no negative row on the receipt.
        self.assertEqual(body["sum"], 286.64)
        self.assertEqual(body["pays"], [{"type": 2, "sum": 286.64}])

    def test_line_discount(self):
        # 3 x Хліб 24.99 with 15 % off: 74.97 x 0.85 = 63.7245 -> 63.72;
        # row 3 x 24.99 with disc 74.97 - 63.72 = 11.25.
        _order, receipt = self.sync_and_send(
            [self.line(self.bread, 3, discount=15)], [self.pay(self.card_method, 63.72)]
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        row = self.sent(receipt)["rows"][0]
        self.assertEqual((row["cnt"], row["price"], row["disc"]), (3, 24.99, 11.25))

    def test_reward_larger_than_its_group_is_refused(self):
        # A reward of -60.00 on ПДВ 7 % where only 53.50 was sold.
        lines = [
            self.line(self.product, 1),
            self.line(self.product_7, 1),
            self.line(self.discount_product, 1, price=-60.0, taxes=self.tax_7),
        ]
        _order, receipt = self.sync_and_send(lines, [self.pay(self.card_method, 113.5)])
        self.assert_refused(receipt, "tax group 4", "60.00", "53.50")

    def test_tip_without_tax_group_is_refused_then_fixed(self):
        # A tip (no tax) goes on the register's group for untaxed lines;
        # without one it is refused, naming the line; set it and Retry.
        tip = self.env["product.product"].create(
            {"name": "Чайові", "lst_price": 10.0, "taxes_id": [Command.clear()]}
        )
        order, receipt = self.sync_and_send(
            [self.line(self.product, 1), self.line(tip, 1)],
            [self.pay(self.card_method, 130.0)],
        )
        self.assert_refused(receipt, "«Чайові» has no tax", order.name)
        self.register.untaxed_tax_group_code = "2"
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        rows = self.sent(receipt)["rows"]
        self.assertEqual(
            [(r["name"], r["taxgrp"]) for r in rows],
            [("Кава зернова", 1), ("Чайові", 2)],
        )

    def test_tax_without_code_is_refused(self):
        self.tax_7.vchasno_tax_group_code = False
        _order, receipt = self.sync_and_send(
            [self.line(self.product_7, 1)], [self.pay(self.card_method, 53.5)]
        )
        self.assert_refused(receipt, "«ПДВ 7%»", "has no Vchasno tax group code")

    def test_sale_with_a_returned_item_is_refused(self):
        # Selling Кава and taking back a Хліб in one order: two receipts are
        # needed (a sale and a return), the order is refused clearly.
        _order, receipt = self.sync_and_send(
            [self.line(self.product, 1), self.line(self.bread, -1)],
            [self.pay(self.cash_method, 95.01)],
        )
        self.assert_refused(receipt, "returns «Хліб»")

    def test_free_item_is_left_out(self):
        # A 100 % line discount: the bag costs nothing and is not a row.
        bag = self.env["product.product"].create(
            {
                "name": "Пакет",
                "lst_price": 2.0,
                "taxes_id": [Command.set(self.tax_20.ids)],
            }
        )
        _order, receipt = self.sync_and_send(
            [self.line(self.product, 1), self.line(bag, 1, discount=100)],
            [self.pay(self.cash_method, 120.0)],
        )
        self.assertEqual(receipt.state, "done", receipt.error_message)
        self.assertEqual(
            [r["name"] for r in self.sent(receipt)["rows"]], ["Кава зернова"]
        )
