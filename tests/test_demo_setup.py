"""Issue 13: ``make run``'s demo company is a Ukrainian shop ready to sell.

The demo data itself needs Odoo's demo flag (``make run``); its set-up
methods are tested here on the test company: VAT 20 %, 7 % and exempt
mapped to their Vchasno groups, a cash journal sent as cash (never as
"Безготівка"), a card journal as card, the bank journal as cashless.
"""

from odoo.tests import tagged

from .common import VchasnoCommon


@tagged("post_install", "-at_install")
class TestDemoSetup(VchasnoCommon):
    def test_taxes_mapped_to_their_groups(self):
        company = self.register.company_id
        taxes = self.register._demo_chart_and_taxes(company)
        # Vchasno's default groups: 1 = ПДВ 20 %, 4 = ПДВ 7 %, 2 = без ПДВ.
        self.assertEqual(
            {
                key: (tax.amount, tax.vchasno_tax_group_code)
                for key, tax in taxes.items()
            },
            {"vat20": (20.0, "1"), "vat7": (7.0, "4"), "exempt": (0.0, "2")},
        )
        self.assertEqual(company.account_price_include, "tax_included")
        # Safe to run again: the same taxes, none doubled.
        self.assertEqual(
            self.register._demo_chart_and_taxes(company)["vat20"], taxes["vat20"]
        )

    def test_journals_send_the_right_payment_type(self):
        company = self.register.company_id
        self.register._demo_journals(company)
        Journal = self.env["account.journal"]
        on_register = Journal.search(
            [
                ("company_id", "=", company.id),
                ("vchasno_register_id", "=", self.register.id),
            ]
        )
        types = {j.type: set() for j in on_register}
        for journal in on_register:
            types[journal.type].add(journal.vchasno_payment_type)
        self.assertEqual(types["cash"], {"cash"})  # never "Безготівка"
        self.assertIn("card", types["bank"])
        card = Journal.search([("company_id", "=", company.id), ("code", "=", "CARD")])
        self.assertEqual(card.vchasno_payment_type, "card")
