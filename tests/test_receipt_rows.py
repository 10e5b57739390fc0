"""Rows of a payment's receipt for every invoice shape (issue 12, point 2).

Every expected number is worked out by hand in the test (the comments show
the arithmetic) and compared with the request the emulator received. Group
rows are split by the largest remainder: the kopecks of
``amount x group / total`` are floored, and the kopecks left go to the
largest fractions.
"""

from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import VchasnoCommon

D = Decimal


@tagged("post_install", "-at_install")
class ReceiptRowsCommon(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_exempt = cls.env["account.tax"].create(
            {
                "name": "Звільнено від ПДВ",
                "amount": 0.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "vchasno_tax_group_code": "2",
                "company_id": cls.company.id,
            }
        )
        cls.tax_20_excl = cls.env["account.tax"].create(
            {
                "name": "ПДВ 20% (зверху)",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
                "vchasno_tax_group_code": "1",
                "company_id": cls.company.id,
            }
        )
        cls.product_exempt = cls.make_product("Підручник", cls.tax_exempt)
        cls.product_excl = cls.make_product("Послуга", cls.tax_20_excl)
        cls.discount = cls.make_product("Знижка", cls.tax_20)

    @classmethod
    def make_product(cls, name, taxes):
        return cls.env["product.product"].create(
            {"name": name, "taxes_id": [Command.set(taxes.ids)]}
        )

    def sent(self, payment):
        """The receipt body the emulator received for the payment."""
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1)
        return docs[0]["fiscal"]["receipt"]

    def group_rows(self, body):
        """(name, tax group, amount) of rows that are one unit each."""
        for row in body["rows"]:
            self.assertEqual((row["cnt"], row.get("disc", 0)), (1, 0), row)
        return [(r["name"], str(r["taxgrp"]), D(str(r["price"]))) for r in body["rows"]]

    def item_rows(self, body):
        return [
            (
                r["name"],
                str(r["taxgrp"]),
                D(str(r["cnt"])),
                D(str(r["price"])),
                D(str(r.get("disc", 0))),
            )
            for r in body["rows"]
        ]

    def manual_payment(self, amount, memo="Оплата"):
        """A payment posted by hand (its receipt is queued, not reconciled)."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": amount,
                "journal_id": self.bank_journal.id,
                "memo": memo,
            }
        )
        payment.action_post()
        return payment

    def reconcile(self, payment, invoice):
        lines = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        )
        lines.reconcile()


@tagged("post_install", "-at_install")
class TestReceiptRows(ReceiptRowsCommon):
    def test_discount_line_nets_in_its_own_tax_group(self):
        invoice = self.make_invoice(
            [
                (self.product, 2, 100.0),
                (self.product_7, 1, 107.0),
                (self.discount, 1, -20.0),
            ]
        )
        # 2 x 100.00 + 107.00 - 20.00 = 287.00, paid in full.
        payment = self.pay(invoice)
        self.send()
        body = self.sent(payment)
        # 20 %: 200.00 - 20.00 (the discount line is at 20 %) = 180.00;
        # 7 %: 107.00 untouched. Spreading the discount over 7 % too would
        # give 193.09 / 93.91.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(body),
            [(label, "1", D("180.00")), (label, "4", D("107.00"))],
        )
        self.assertEqual(body["sum"], 287.0)

    def test_down_payment_deduction(self):
        # The final invoice deducts a 300.00 down payment (20 %) as a line of
        # quantity -1, as Odoo's sales do.
        invoice = self.make_invoice(
            [
                (self.product, 1, 1000.0),
                (self.product_7, 1, 535.0),
                (self.discount, -1, 300.0),
            ]
        )
        # 1000.00 + 535.00 - 300.00 = 1235.00, paid in full.
        payment = self.pay(invoice)
        self.send()
        # 20 %: 1000.00 - 300.00 = 700.00; 7 %: 535.00.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [(label, "1", D("700.00")), (label, "4", D("535.00"))],
        )

    def test_payment_with_credit_note_prints_no_credit_note(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1, 53.5)]
        )
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer.id,
                "invoice_date": "2026-11-21",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "quantity": 1,
                            "price_unit": 120.0,
                        }
                    )
                ],
            }
        )
        credit_note.action_post()
        # One payment for both: 2 x 120.00 + 53.50 - 120.00 = 173.50.
        payment = self.pay(invoice | credit_note, group_payment=True)
        self.assertEqual(payment.amount, 173.5)
        self.send()
        # 20 %: 240.00 - 120.00 (the credit note's 20 %) = 120.00; 7 %: 53.50.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [(label, "1", D("120.00")), (label, "4", D("53.50"))],
        )

    def test_credit_note_paired_with_another_invoice_of_the_batch(self):
        inv1 = self.make_invoice([(self.product, 1, 50.0), (self.product_7, 1, 50.0)])
        inv2 = self.make_invoice([(self.product, 1, 200.0)])
        # The credit note returns INV1's 7 % goods (50.00), but Odoo's
        # reconciliation pairs it with INV2, which has no 7 %: INV2's open
        # part would be 20 % 200.00, 7 % -50.00.
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer.id,
                "invoice_date": "2026-11-21",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_7.id, "price_unit": 50.0}
                    )
                ],
            }
        )
        credit_note.action_post()
        # 100.00 + 200.00 - 50.00 = 250.00 in one payment.
        payment = self.pay(inv1 | inv2 | credit_note, group_payment=True)
        self.assertEqual(payment.amount, 250.0)
        paired = inv2.line_ids.matched_credit_ids.credit_move_id.move_id
        self.assertIn(credit_note, paired, "the pairing this test is about")
        self.send()
        rows = self.group_rows(self.sent(payment))
        # The payment settles INV1 100.00 and INV2 200.00 - 50.00 = 150.00.
        # Per tax group: 20 % 50.00 + 200.00 = 250.00; 7 % 50.00 - 50.00 = 0:
        # no 7 % row, no negative row. INV1 gives its 50.00 of 7 % to INV2 and
        # takes 50.00 of 20 % back: INV1 20 % 50 + 50 = 100.00; INV2 20 %
        # 200 - 50 = 150.00.
        label = "Payment for invoice %s"
        self.assertEqual(
            rows,
            [
                (label % inv1.name, "1", D("100.00")),
                (label % inv2.name, "1", D("150.00")),
            ],
        )

    def test_negative_tax_group_refused(self):
        invoice = self.make_invoice(
            [
                (self.product, 1, 100.0),
                (self.product_7, 1, 10.0),
                (self.product_7, 1, -30.0),
            ]
        )
        # 7 %: 10.00 - 30.00 = -20.00; the invoice (80.00) is paid in full.
        payment = self.pay(invoice)
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual((receipt.state, receipt.error_kind), ("error", "data"))
        self.assertIn("tax group 4 adds up to -20.00", receipt.error_message)
        self.assertEqual((calls, self.docs()), ([], []))

    def test_one_payment_two_invoices_partially_settled(self):
        inv1 = self.make_invoice([(self.product, 1, 100.0), (self.product_7, 1, 50.0)])
        inv2 = self.make_invoice([(self.product, 1, 60.0), (self.product_7, 1, 40.0)])
        payment = self.manual_payment(200.0)
        # The reconciliation decides: 150.00 to INV1 (all of it), the 50.00
        # left to INV2 (half of its 100.00).
        self.reconcile(payment, inv1)
        self.reconcile(payment, inv2)
        self.assertEqual((inv1.amount_residual, inv2.amount_residual), (0.0, 50.0))
        self.send()
        # INV1: 100.00 at 20 %, 50.00 at 7 %. INV2: 50.00 of 100.00:
        # 50 x 60/100 = 30.00 at 20 %, 50 x 40/100 = 20.00 at 7 %.
        # (Invoice totals would give 200 x 100/250 = 80.00, 40.00, 48.00, 32.00.)
        one = "Payment for invoice %s" % inv1.name
        two = "Payment for invoice %s" % inv2.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [
                (one, "1", D("100.00")),
                (one, "4", D("50.00")),
                (two, "1", D("30.00")),
                (two, "4", D("20.00")),
            ],
        )

    def test_overpayment_rest_is_an_advance(self):
        invoice = self.make_invoice(
            [(self.product, 1, 100.0), (self.product_7, 1, 50.0)]
        )
        payment = self.manual_payment(300.0, memo="Аванс")
        self.reconcile(payment, invoice)
        self.send()
        # 150.00 settles the invoice (100.00 + 50.00); 300.00 - 150.00 =
        # 150.00 stays an advance: one row on the register's group (1).
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [
                (label, "1", D("100.00")),
                (label, "4", D("50.00")),
                ("Payment Аванс", "1", D("150.00")),
            ],
        )

    def test_payment_without_journal_entry(self):
        # Odoo Enterprise's flow (accounting app installed, journal without
        # outstanding account): the payment has no entry until the bank
        # statement is matched; it only links its invoice.
        self.bank_journal.inbound_payment_method_line_ids.payment_account_id = False
        invoice = self.make_invoice(
            [(self.product, 1, 100.0), (self.product_7, 1, 50.0)]
        )
        with patch.object(
            type(self.env["account.move"]),
            "_get_invoice_in_payment_state",
            return_value="in_payment",
        ):
            payment = self.pay(invoice, amount=90.0)
        self.assertFalse(payment.move_id)
        self.assertEqual(payment.invoice_ids, invoice)
        self.send()
        # 90.00 of the 150.00 open: 90 x 100/150 = 60.00 at 20 %,
        # 90 x 50/150 = 30.00 at 7 %.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [(label, "1", D("60.00")), (label, "4", D("30.00"))],
        )

    def test_tax_excluded_prices(self):
        invoice = self.make_invoice([(self.product_excl, 3, 33.33)])
        # Line: 3 x 33.33 = 99.99 + 20 % (19.998 -> 20.00) = 119.99.
        self.assertEqual(invoice.amount_total, 119.99)
        payment = self.pay(invoice)
        self.send()
        # Unit price with tax: 33.33 + 6.666 -> 40.00; 3 x 40.00 = 120.00;
        # the row discount 120.00 - 119.99 = 0.01 makes it Odoo's total.
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [("Послуга", "1", D(3), D("40.00"), D("0.01"))],
        )

    def test_percentage_line_discount(self):
        invoice = self.make_invoice([(self.product, 3, 33.33)], post=False)
        invoice.invoice_line_ids.discount = 15.0
        invoice.action_post()
        # 3 x 33.33 = 99.99; 15 % off: 99.99 x 0.85 = 84.9915 -> 84.99.
        self.assertEqual(invoice.amount_total, 84.99)
        payment = self.pay(invoice)
        self.send()
        # Row: 3 x 33.33 = 99.99, discount 99.99 - 84.99 = 15.00.
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [("Кава зернова", "1", D(3), D("33.33"), D("15.00"))],
        )

    def test_three_decimal_quantity(self):
        self.env.ref("product.decimal_product_uom").digits = 3
        invoice = self.make_invoice([(self.product, 1.375, 33.33)])
        # 1.375 x 33.33 = 45.82875 -> 45.83.
        self.assertEqual(invoice.amount_total, 45.83)
        payment = self.pay(invoice)
        self.send()
        body = self.sent(payment)
        self.assertEqual(
            self.item_rows(body),
            [("Кава зернова", "1", D("1.375"), D("33.33"), D(0))],
        )
        self.assertEqual(body["sum"], 45.83)

    def test_four_decimal_quantity_falls_back_to_group_rows(self):
        self.env.ref("product.decimal_product_uom").digits = 4
        invoice = self.make_invoice([(self.product, 1.3755, 100.0)])
        # 1.3755 x 100.00 = 137.55: Vchasno takes 3 decimals, so the receipt
        # has one row per tax group instead of a rounded quantity.
        payment = self.pay(invoice)
        self.send()
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [("Payment for invoice %s" % invoice.name, "1", D("137.55"))],
        )

    def test_mixed_rates_in_full_and_in_part(self):
        lines = [
            (self.product, 1, 120.0),
            (self.product_7, 1, 53.5),
            (self.product_exempt, 1, 30.0),
        ]
        full = self.pay(self.make_invoice(lines))
        invoice = self.make_invoice(lines)
        part = self.pay(invoice, amount=100.0)
        self.send()
        # In full: one row per line, each on its own group.
        self.assertEqual(
            self.item_rows(self.sent(full)),
            [
                ("Кава зернова", "1", D(1), D("120.00"), D(0)),
                ("Ліки", "4", D(1), D("53.50"), D(0)),
                ("Підручник", "2", D(1), D("30.00"), D(0)),
            ],
        )
        # 100.00 of 203.50, in kopecks: 10000 x 120/203.5 = 5896.81,
        # x 53.5/203.5 = 2628.99, x 30/203.5 = 1474.20; floors add up to 9998,
        # the 2 kopecks left go to .99 (7 %) and .81 (20 %):
        # 58.97 + 26.29 + 14.74 = 100.00.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(part)),
            [
                (label, "1", D("58.97")),
                (label, "4", D("26.29")),
                (label, "2", D("14.74")),
            ],
        )

    def test_write_off_receipt_states_what_was_paid(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1, 53.5)]
        )
        # 293.50 invoiced, 290.00 paid, 3.50 written off ("mark as fully paid").
        payment = self.pay(
            invoice,
            amount=290.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=self.company_data["default_account_expense"].id,
            writeoff_label="Знижка за оплату",
        )
        self.send()
        # 29000 kop x 240/293.5 = 23713.76, x 53.5/293.5 = 5286.24; the
        # kopeck left goes to .76: 237.14 + 52.86 = 290.00.
        label = "Payment for invoice %s" % invoice.name
        body = self.sent(payment)
        self.assertEqual(
            self.group_rows(body), [(label, "1", D("237.14")), (label, "4", D("52.86"))]
        )
        self.assertEqual(body["pays"][0]["sum"], 290.0)

    def test_refund_return_rows_per_tax_group(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1, 53.5)]
        )
        self.pay(invoice)
        self.send()
        credit_note = self.credit_note(invoice)
        refund = self.pay(credit_note, amount=100.0)
        self.send()
        # 100.00 of the 293.50 credit note, in kopecks: 10000 x 240/293.5 =
        # 8177.17, x 53.5/293.5 = 1822.83; the kopeck left goes to .83:
        # 81.77 + 18.23 = 100.00.
        label = "Refund for credit note %s" % credit_note.name
        ret = refund.vchasno_receipt_ids
        self.assertEqual(ret.kind, "return")
        self.assertEqual(
            self.group_rows(self.sent(refund)),
            [(label, "1", D("81.77")), (label, "4", D("18.23"))],
        )


@tagged("post_install", "-at_install")
class TestReceiptRowsCurrency(ReceiptRowsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 UAH = 0.025 USD, i.e. 1 USD = 40.00 UAH.
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 0.025)])

    def test_foreign_invoice_paid_in_hryvnias(self):
        invoice = self.make_invoice(
            post=False, lines=[(self.product, 1, 10.0), (self.product_7, 1, 5.0)]
        )
        invoice.currency_id = self.usd
        invoice.action_post()
        # 10.00 + 5.00 = 15.00 USD x 40 = 600.00 UAH booked.
        self.assertEqual(invoice.amount_total_signed, 600.0)
        payment = self.pay(invoice, currency_id=self.company.currency_id.id)
        self.assertEqual(payment.amount, 600.0)
        self.send()
        # Rows in hryvnias: 600 x 10/15 = 400.00 at 20 %, 600 x 5/15 =
        # 200.00 at 7 % (never the USD prices as hryvnias).
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [(label, "1", D("400.00")), (label, "4", D("200.00"))],
        )

    def test_payment_in_foreign_currency_refused_before_sending(self):
        invoice = self.make_invoice()
        # 2 x 120.00 = 240.00 UAH = 6.00 USD at 40.
        payment = self.pay(invoice, currency_id=self.usd.id)
        self.assertEqual(payment.currency_id, self.usd)
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual((receipt.state, receipt.error_kind), ("error", "data"))
        self.assertIn("USD", receipt.error_message)
        self.assertIn("hryvnias", receipt.error_message)
        self.assertEqual(calls, [])
        self.assertEqual(self.docs(), [])
