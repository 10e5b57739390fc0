"""Issue 12 point 1: never more returned than sold, whatever the path.

One place computes what is still returnable on a sale receipt
(``_returnable_amount``); every return path uses it, and the database keeps
a stored returned total under a CHECK constraint.
"""

import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import VchasnoCommon
from .real_cursors import RealCursorCase


def rows_of(receipt):
    return [
        (row["name"], row["cnt"], row["price"], str(row["taxgrp"]))
        for row in receipt.payload["fiscal"]["receipt"]["rows"]
    ]


@tagged("post_install", "-at_install")
class TestLedger(VchasnoCommon):
    def sold_and_partly_refunded(self, lines, refund):
        """A done sale receipt and a done return of ``refund`` against it."""
        invoice = self.make_invoice(lines)
        payment = self.pay(invoice)
        self.send()
        sale = payment.vchasno_receipt_ids
        self.assertEqual(sale.state, "done", sale.error_message)
        self.credit = self.credit_note(invoice)
        refund_payment = self.pay(self.credit, amount=refund)
        self.send()
        ret = refund_payment.vchasno_receipt_ids
        self.assertRecordValues(
            ret, [{"state": "done", "original_receipt_id": sale.id, "amount": refund}]
        )
        return payment, sale, ret

    def test_reversal_after_a_partial_refund_returns_what_is_left(self):
        # Sold 2 x 120.00 = 240.00 (group 1); refunded 100.00: 140.00 is left.
        payment, sale, _ret = self.sold_and_partly_refunded(
            [(self.product, 2, 120.0)], 100.0
        )
        self.assertEqual(sale._returnable_amount(), 140.0)
        payment.action_draft()
        reversal = sale.return_receipt_ids.filtered(lambda r: r.payment_id == payment)
        self.assertRecordValues(reversal, [{"kind": "return", "amount": 140.0}])
        self.send()
        self.assertEqual(reversal.state, "done", reversal.error_message)
        body = reversal.payload["fiscal"]["receipt"]
        self.assertEqual(body["sum"], 140.0)
        self.assertEqual(body["pays"], [{"type": 1, "sum": 140.0}])
        self.assertEqual([(r[2], r[3]) for r in rows_of(reversal)], [(140.0, "1")])
        self.assertEqual(sale._returnable_amount(), 0.0)
        self.assertEqual(sale.returned_amount, 240.0)
        self.assertEqual(len(self.docs(task=2)), 2)

    def test_reversal_rest_keeps_each_tax_group(self):
        # Sold 100.00 (VAT 20 %, group 1) + 50.00 (VAT 7 %, group 4) = 150.00.
        # The refund of 60.00 splits like the credit note: 60 x 100/150 = 40.00
        # in group 1 and 60 x 50/150 = 20.00 in group 4. Left per group:
        # 100 - 40 = 60.00 and 50 - 20 = 30.00, 90.00 in all (= 150 - 60).
        payment, sale, ret = self.sold_and_partly_refunded(
            [(self.product, 1, 100.0), (self.product_7, 1, 50.0)], 60.0
        )
        self.assertEqual(
            sorted((r[2], r[3]) for r in rows_of(ret)), [(20.0, "4"), (40.0, "1")]
        )
        payment.action_vchasno_issue_return()
        reversal = sale.return_receipt_ids.filtered(lambda r: r.payment_id == payment)
        self.assertEqual(reversal.amount, 90.0)
        self.send()
        self.assertEqual(reversal.state, "done", reversal.error_message)
        self.assertEqual(
            sorted((r[2], r[3]) for r in rows_of(reversal)), [(30.0, "4"), (60.0, "1")]
        )
        self.assertEqual(reversal.payload["fiscal"]["receipt"]["sum"], 90.0)

    def test_nothing_left_means_no_reversal(self):
        payment, sale, _ret = self.sold_and_partly_refunded(
            [(self.product, 2, 120.0)], 240.0
        )
        self.assertEqual(sale._returnable_amount(), 0.0)
        with self.count_http() as calls:
            payment.action_draft()
            self.send()
        self.assertEqual(calls, [])
        self.assertEqual(len(sale.return_receipt_ids), 1, "only the refund")
        self.assertEqual(payment.vchasno_state, "returned")

    def test_refund_above_what_is_left_refused_with_zero_calls(self):
        # 240.00 sold, 200.00 refunded: 40.00 left, a refund of 50.00 is too much.
        _payment, sale, _ret = self.sold_and_partly_refunded(
            [(self.product, 2, 120.0)], 200.0
        )
        with self.count_http() as calls:
            too_much = self.pay(self.credit, amount=50.0)
            self.send()
        ret = too_much.vchasno_receipt_ids
        self.assertEqual(ret.state, "error")
        self.assertIn("more than", ret.error_message)
        self.assertEqual(calls, [])
        self.assertEqual(sale._returnable_amount(), 40.0)

    @mute_logger("odoo.sql_db")
    def test_database_refuses_more_than_sold(self):
        payment = self.pay(self.make_invoice())
        self.send()
        sale = payment.vchasno_receipt_ids
        vals = {
            "company_id": self.company.id,
            "register_id": self.register.id,
            "kind": "return",
            "original_receipt_id": sale.id,
        }
        Receipt = self.env["vchasno.receipt"].sudo()
        first = Receipt.create({**vals, "amount": 200.0})
        self.env.flush_all()
        with self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            Receipt.create({**vals, "amount": 40.01})
            self.env.flush_all()
        with self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            first.write({"amount": 240.01})
            self.env.flush_all()
        Receipt.create({**vals, "amount": 40.0})  # exactly what is left
        self.env.flush_all()
        sale.invalidate_recordset(["returned_amount"])
        self.assertEqual(sale.returned_amount, 240.0)

    def test_cancelled_return_gives_the_amount_back(self):
        payment = self.pay(self.make_invoice())
        self.send()
        sale = payment.vchasno_receipt_ids
        ret = (
            self.env["vchasno.receipt"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "register_id": self.register.id,
                    "kind": "return",
                    "original_receipt_id": sale.id,
                    "amount": 100.0,
                }
            )
        )
        self.assertEqual(sale._returnable_amount(), 140.0)
        ret.action_cancel()
        self.assertEqual(sale._returnable_amount(), 240.0)

    def test_ledger_does_not_need_a_payment(self):
        """Point of Sale will queue receipts without a payment on this ledger."""
        Receipt = self.env["vchasno.receipt"].sudo()
        vals = {"company_id": self.company.id, "register_id": self.register.id}
        sale = Receipt.create({**vals, "kind": "sale", "amount": 50.0})
        Receipt.create(
            {**vals, "kind": "return", "amount": 20.0, "original_receipt_id": sale.id}
        )
        self.assertEqual(sale._returnable_amount(), 30.0)


@tagged("post_install", "-at_install")
class TestLedgerTwoWorkers(RealCursorCase):
    """Two workers return against the same sale at the same time."""

    def test_second_concurrent_return_is_refused_by_the_database(self):
        sale_id = self.queue(amount="240.00", state="done")
        vals = {
            "company_id": self.company_id,
            "register_id": self.register_id,
            "kind": "return",
            "original_receipt_id": sale_id,
            "amount": 150.0,
        }
        with self.two_workers() as (env1, env2):
            # Both workers see 240.00 returnable before either has committed.
            for env in (env1, env2):
                sale = env["vchasno.receipt"].browse(sale_id)
                self.assertEqual(sale._returnable_amount(), 240.0)
            first = env1["vchasno.receipt"].create(vals)
            env1.flush_all()
            self.committed["receipt"].append(first.id)
            # The first worker commits its return; the second has not yet.
            env1.cr.commit()  # pylint: disable=invalid-commit
            refused = None
            with mute_logger("odoo.sql_db"):
                try:
                    env2["vchasno.receipt"].create(vals)
                    env2.flush_all()
                except (
                    psycopg2.errors.SerializationFailure,
                    psycopg2.errors.CheckViolation,
                ) as err:
                    refused = err
            self.assertTrue(refused, "the database let 300.00 be returned of 240.00")
        with self.cursor() as env:
            sale = env["vchasno.receipt"].browse(sale_id)
            self.assertEqual(sale.returned_amount, 150.0)
            self.assertEqual(sale._returnable_amount(), 90.0)
