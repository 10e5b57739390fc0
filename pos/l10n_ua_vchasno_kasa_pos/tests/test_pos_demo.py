"""``make run``'s Point of Sale: the demo set-up makes a POS on the demo
register with cash and card methods (card asking for the slip's data), once,
with nothing for its settings to warn about."""

from odoo.tests import tagged

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosDemo(VchasnoPosCommon):
    def test_demo_pos_sells_with_cash_and_card(self):
        self.setup_company_b()
        company, register = self.company_b, self.register_b
        Journal = self.env["account.journal"]
        cash = Journal.search([("company_id", "=", company.id), ("type", "=", "cash")])
        (cash[:1] | self.bank_b).vchasno_register_id = register
        cash[:1].vchasno_payment_type = "cash"
        self.bank_b.vchasno_payment_type = "card"
        Config = self.env["pos.config"]
        Config._vchasno_demo_setup(register.ids)
        Config._vchasno_demo_setup(register.ids)  # safe to run again
        config = Config.search([("company_id", "=", company.id)])
        self.assertEqual(len(config), 1)
        self.assertEqual(config.vchasno_register_id, register)
        self.assertEqual(
            [
                (m.name, m.journal_id, m.vchasno_ask_card_data)
                for m in config.payment_method_ids
            ],
            [("Готівка", cash[:1], False), ("Картка", self.bank_b, True)],
        )
        self.assertFalse(config.vchasno_setup_warning)
