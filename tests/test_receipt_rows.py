"""Rows of a payment's receipt for every invoice shape (issue 12, point 2).

Every expected number is worked out by hand in the test (the comments show
the arithmetic) and compared with the request the emulator received. Group
rows are split by the largest remainder: the kopecks of
``amount x group / total`` are floored, and the kopecks left go to the
largest fractions.
"""

from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .receipt_rows_common import D, ReceiptRowsCommon


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
