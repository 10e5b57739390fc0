"""A receipt never states VAT that was not charged (issue 13, untaxed rule).

A line without tax goes out only on the register's explicit "tax group for
untaxed lines"; a tax without a Vchasno tax group code is refused, naming
the tax. Both are shown before anything is sent: on the register, on the
tax and in the Register Payment dialog.
"""

from decimal import Decimal

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .receipt_rows_common import ReceiptRowsCommon

D = Decimal


@tagged("post_install", "-at_install")
class TestReceiptTaxGroups(ReceiptRowsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.delivery = cls.make_product("Доставка", cls.env["account.tax"])
        cls.tax_14 = cls.tax_20.copy(
            {"name": "ПДВ 14%", "amount": 14.0, "vchasno_tax_group_code": False}
        )
        cls.product_14 = cls.make_product("Зерно", cls.tax_14)

    def untaxed_invoice(self):
        invoice = self.make_invoice(
            [(self.product, 1, 120.0), (self.delivery, 1, 50.0)], post=False
        )
        invoice.invoice_line_ids[1].tax_ids = False
        invoice.action_post()
        return invoice

    def test_untaxed_line_refused_until_the_register_says(self):
        payment = self.pay(self.untaxed_invoice())
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual((receipt.state, receipt.error_kind), ("error", "data"))
        self.assertIn("Доставка", receipt.error_message)
        self.assertIn("has no tax", receipt.error_message)
        self.assertIn("Tax group for untaxed lines", receipt.error_message)
        self.assertIn(self.register.name, receipt.error_message)
        self.assertEqual((calls, self.docs()), ([], []))
        # The accountant decides: untaxed lines are "Без ПДВ" (group 2).
        self.register.untaxed_tax_group_code = "2"
        receipt.action_retry()
        self.send()
        # 120.00 at 20 % (group 1) and 50.00 without tax (group 2).
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [
                ("Кава зернова", "1", D(1), D("120.00"), D(0)),
                ("Доставка", "2", D(1), D("50.00"), D(0)),
            ],
        )

    def test_tax_without_code_refused_naming_the_tax(self):
        invoice = self.make_invoice(
            [(self.product, 1, 120.0), (self.product_14, 1, 114.0)]
        )
        self.register.untaxed_tax_group_code = "2"  # no help for a real tax
        payment = self.pay(invoice)
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual((receipt.state, receipt.error_kind), ("error", "data"))
        self.assertIn("ПДВ 14%", receipt.error_message)
        self.assertIn("Vchasno tax group code", receipt.error_message)
        self.assertEqual((calls, self.docs()), ([], []))
        self.tax_14.vchasno_tax_group_code = "9"
        receipt.action_retry()
        self.send()
        rows = self.item_rows(self.sent(payment))
        self.assertEqual(
            [(r[0], r[1]) for r in rows], [("Кава зернова", "1"), ("Зерно", "9")]
        )

    def test_group_tax_takes_its_childrens_code(self):
        excise = self.tax_20_excl.copy(
            {
                "name": "Акциз 5%",
                "amount": 5.0,
                "type_tax_use": "none",
                "vchasno_tax_group_code": "3",
            }
        )
        vat = self.tax_20_excl.copy(
            {
                "name": "ПДВ 20% (акциз)",
                "type_tax_use": "none",
                "vchasno_tax_group_code": "3",
            }
        )
        group = self.env["account.tax"].create(
            {
                "name": "ПДВ 20% + акциз 5%",
                "amount_type": "group",
                "type_tax_use": "sale",
                "children_tax_ids": [Command.set((excise | vat).ids)],
                "company_id": self.company.id,
            }
        )
        self.assertEqual(group._vchasno_codes(), ({"3"}, self.env["account.tax"]))
        self.assertNotIn(group, self.register.unmapped_tax_ids)
        beer = self.make_product("Пиво", group)
        invoice = self.make_invoice([(beer, 1, 100.0)])
        # 100.00 + 5 % excise (5.00) + 20 % VAT on 100.00 (20.00) = 125.00.
        self.assertEqual(invoice.amount_total, 125.0)
        payment = self.pay(invoice)
        self.send()
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [("Пиво", "3", D(1), D("125.00"), D(0))],
        )
        # Without codes on the children, the children are named.
        (excise | vat).vchasno_tax_group_code = False
        self.assertEqual(group._vchasno_codes(), (set(), excise | vat))

    def test_choice_visible_before_anything_is_sent(self):
        # The register lists the company's sales taxes that have no code.
        self.assertIn(self.tax_14, self.register.unmapped_tax_ids)
        self.assertNotIn(self.tax_20, self.register.unmapped_tax_ids)
        arch = self.env["vchasno.register"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('name="unmapped_tax_ids"', arch)
        self.assertIn('name="untaxed_tax_group_code"', arch)
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.register.untaxed_tax_group_code = "Б"
        action = self.register.action_view_unmapped_taxes()
        taxes = self.env[action["res_model"]].search(action["domain"])
        self.assertIn(self.tax_14, taxes)
        self.assertNotIn(self.tax_20, taxes)
        # The tax says it, on its own form.
        self.assertEqual(
            (self.tax_14.vchasno_code_missing, self.tax_20.vchasno_code_missing),
            (True, False),
        )
        arch = self.env["account.tax"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn('name="vchasno_code_missing"', arch)
        # The Register Payment dialog warns before the payment is posted.
        invoice = self.make_invoice([(self.product_14, 1, 114.0)])
        wizard = Form(
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )
        wizard.journal_id = self.bank_journal
        self.assertIn("ПДВ 14%", wizard.vchasno_tax_warning)
        untaxed = self.untaxed_invoice()
        wizard = Form(
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=untaxed.ids
            )
        )
        wizard.journal_id = self.bank_journal
        self.assertIn("Доставка", wizard.vchasno_tax_warning)
        self.register.untaxed_tax_group_code = "2"
        wizard.journal_id = self.cash_journal  # recomputed
        self.assertFalse(wizard.vchasno_tax_warning)
        arch = self.env["account.payment.register"].get_views([(False, "form")])
        self.assertIn('name="vchasno_tax_warning"', arch["views"]["form"]["arch"])
