from decimal import Decimal

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import VchasnoCommon


def receipt_sum(payload):
    return Decimal(str(payload["fiscal"]["receipt"]["sum"]))


@tagged("post_install", "-at_install")
class TestPaymentReceipts(VchasnoCommon):
    """Invoice payments and refunds get exactly one receipt each."""

    def test_payment_enqueues_without_http(self):
        invoice = self.make_invoice()
        with self.count_http() as calls:
            payment = self.pay(invoice)
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(calls, [], "posting must never call Vchasno")
        self.assertRecordValues(
            receipt,
            [
                {
                    "state": "to_send",
                    "kind": "sale",
                    "amount": 240.0,
                    "register_id": self.register.id,
                    "company_id": self.company.id,
                    "cashier_name": self.env.user.name,
                }
            ],
        )
        self.assertEqual(len(receipt.tag), 32)

    def test_full_payment_itemized_and_done(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1.5, 53.5)]
        )
        payment = self.pay(invoice)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1)
        self.assertEqual(
            docs[0]["fiscal"]["receipt"]["rows"][0]["name"], "Кава зернова"
        )
        rows = receipt.payload["fiscal"]["receipt"]["rows"]
        self.assertEqual([r["taxgrp"] for r in rows], [1, 4])  # numbers on the wire
        self.assertEqual(receipt_sum(receipt.payload), Decimal("320.25"))
        self.assertEqual(receipt.fiscal_number, docs[0]["doccode"])
        self.assertTrue(receipt.fiscal_number.startswith("TEST_"))
        self.assertTrue(receipt.is_test)
        self.assertEqual(payment.vchasno_state, "done")
        self.assertIn(receipt, invoice._vchasno_receipts())

    def test_partial_payment_rows_by_tax_group(self):
        invoice = self.make_invoice(
            [(self.product, 1, 100.0), (self.product_7, 1, 50.0)]
        )
        payment = self.pay(invoice, amount=100.0)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = receipt.payload["fiscal"]["receipt"]
        self.assertEqual(body["sum"], 100.0)
        self.assertEqual(
            [(r["taxgrp"], r["price"]) for r in body["rows"]],
            [(1, 66.67), (4, 33.33)],
        )
        self.assertEqual(body["pays"], [{"type": 1, "sum": 100.0}])

    def test_cash_journal_sends_cash_type(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice, journal=self.cash_journal)
        self.send()
        self.assertEqual(
            payment.vchasno_receipt_ids.payload["fiscal"]["receipt"]["pays"][0]["type"],
            0,
        )

    def test_integration_off_or_never_policy_sends_nothing(self):
        self.company.vchasno_enabled = False
        payment = self.pay(self.make_invoice())
        self.assertFalse(payment.vchasno_receipt_ids)
        self.company.vchasno_enabled = True
        self.bank_journal.vchasno_policy = "never"
        payment = self.pay(self.make_invoice())
        self.assertFalse(payment.vchasno_receipt_ids)

    def test_ask_policy_follows_the_wizard(self):
        self.bank_journal.vchasno_policy = "ask"
        payment = self.pay(self.make_invoice(), vchasno_fiscalize=False)
        self.assertFalse(payment.vchasno_receipt_ids)
        payment = self.pay(self.make_invoice(), vchasno_fiscalize=True)
        self.assertEqual(len(payment.vchasno_receipt_ids), 1)

    def test_cashier_from_wizard(self):
        payment = self.pay(self.make_invoice(), vchasno_cashier_id=self.billing.id)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.cashier_name, self.billing.name)
        self.assertEqual(
            self.docs(tag=receipt.tag)[0]["fiscal"]["cashier"], self.billing.name
        )

    def test_vendor_payment_not_fiscalized(self):
        bill = self.init_invoice("in_invoice", amounts=[100.0], post=True)
        payment = self.pay(bill)
        self.assertFalse(payment.vchasno_receipt_ids)

    def test_second_receipt_for_one_payment_impossible(self):
        payment = self.pay(self.make_invoice())
        with self.assertRaises(UserError):
            payment.action_vchasno_fiscalize()
        with self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self.env["vchasno.receipt"].sudo().create(payment._vchasno_receipt_vals())

    def test_refund_is_return_linked_to_sale(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        self.send()
        sale = payment.vchasno_receipt_ids
        credit_note = self.credit_note(invoice)
        refund = self.pay(credit_note)
        ret = refund.vchasno_receipt_ids
        self.assertRecordValues(ret, [{"kind": "return", "state": "to_send"}])
        self.send()
        self.assertRecordValues(
            ret, [{"kind": "return", "original_receipt_id": sale.id, "state": "done"}]
        )
        self.assertEqual(len(self.docs(task=2)), 1)
        self.assertEqual(sale._returnable_amount(), 0.0)

    def test_refund_more_than_sold_refused(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice, amount=100.0)
        self.send()
        self.assertEqual(payment.vchasno_receipt_ids.state, "done")
        credit_note = self.credit_note(invoice)
        with self.count_http() as calls:
            refund = self.pay(credit_note, amount=150.0)
            self.send()
        ret = refund.vchasno_receipt_ids
        self.assertEqual((ret.kind, ret.amount), ("return", 150.0))
        self.assertEqual(ret.state, "error", ret.payload)
        self.assertIn("more than", ret.error_message)
        self.assertEqual(calls, [])

    def test_reset_to_draft_before_sending_cancels(self):
        payment = self.pay(self.make_invoice(), journal=self.cash_journal)
        receipt = payment.vchasno_receipt_ids
        payment.action_draft()
        self.assertEqual(receipt.state, "cancelled")
        payment.action_post()
        self.send()
        active = payment.vchasno_receipt_ids.filtered(lambda r: r.state != "cancelled")
        self.assertEqual(len(active), 1)
        self.assertEqual(len(self.docs()), 1)

    def test_cancel_after_done_issues_return(self):
        payment = self.pay(self.make_invoice(), journal=self.cash_journal)
        self.send()
        sale = payment.vchasno_receipt_ids
        payment.action_draft()
        reversal = sale.return_receipt_ids
        self.assertRecordValues(reversal, [{"kind": "return", "state": "to_send"}])
        self.send()
        self.assertEqual(reversal.state, "done")
        self.assertEqual(
            reversal.payload["fiscal"]["receipt"], sale.payload["fiscal"]["receipt"]
        )
        self.assertEqual(sale.state, "done", "a done receipt is never undone")
        self.assertEqual(payment.vchasno_state, "returned")
        # Posted again: a new sale, the old pair stays as history.
        payment.action_post()
        self.send()
        self.assertEqual(len(self.docs(task=1)), 2)
        self.assertEqual(len(self.docs(task=2)), 1)
        self.assertEqual(payment.vchasno_state, "done")

    def test_non_uah_refused_before_sending(self):
        usd = self.setup_other_currency("USD")
        invoice = self.init_invoice(
            "out_invoice", amounts=[100.0], currency=usd, post=True
        )
        payment = self.pay(invoice)
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "error")
        self.assertEqual(receipt.error_kind, "data")
        self.assertIn("USD", receipt.error_message)
        self.assertEqual(calls, [])

    def test_conflicting_tax_groups_refused(self):
        tax = self.tax_7.copy(
            {
                "name": "Акциз",
                "vchasno_tax_group_code": "3",
                "include_base_amount": False,
            }
        )
        self.product.taxes_id = self.tax_20 | tax
        payment = self.pay(self.make_invoice())
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "error")
        self.assertIn("different Vchasno tax groups", receipt.error_message)
        self.assertEqual(self.docs(), [])
        # Fixed, then retried: the payload is rebuilt and the receipt goes out.
        tax.vchasno_tax_group_code = "1"
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)

    def test_long_name_refused(self):
        self.product.name = "Д" * 200
        payment = self.pay(self.make_invoice())
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "error")
        self.assertEqual(self.docs(), [])

    def test_payment_without_invoice_single_row(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 75.5,
                "journal_id": self.bank_journal.id,
                "memo": "Аванс",
            }
        )
        payment.action_post()
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        rows = receipt.payload["fiscal"]["receipt"]["rows"]
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["price"], rows[0]["taxgrp"]), (75.5, 1))

    def _rounded_invoice(self):
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "0.10",
                "rounding": 0.10,
                "strategy": "add_invoice_line",
                "rounding_method": "HALF-UP",
                "profit_account_id": self.company_data["default_account_revenue"].id,
                "loss_account_id": self.company_data["default_account_expense"].id,
            }
        )
        invoice = self.make_invoice([(self.product, 1, 79.83)], post=False)
        invoice.invoice_cash_rounding_id = rounding
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 79.80)
        return invoice

    def test_cash_rounding_becomes_round_on_cash(self):
        payment = self.pay(self._rounded_invoice(), journal=self.cash_journal)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = receipt.payload["fiscal"]["receipt"]
        self.assertEqual((body["sum"], body["round"]), (79.83, -0.03))
        self.assertEqual(body["pays"], [{"type": 0, "sum": 79.8, "change": 0.0}])

    def test_cash_rounding_on_cashless_is_exact(self):
        payment = self.pay(self._rounded_invoice(), journal=self.bank_journal)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = receipt.payload["fiscal"]["receipt"]
        self.assertEqual(body["sum"], 79.8)
        self.assertNotIn("round", body)
