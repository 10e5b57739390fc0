"""Set-up shared by the receipt-rows tests: more taxes, products, helpers."""

from decimal import Decimal

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
