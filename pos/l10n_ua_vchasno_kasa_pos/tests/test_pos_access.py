"""Who may do what at the Point of Sale, the token kept out of the front
end, the customer's contacts at the counter, and the back-office screens."""

import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_ua_vchasno_kasa.tests.common import TOKEN_A

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosAccess(VchasnoPosCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, group):
            return new_test_user(
                cls.env,
                login,
                groups=group,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.cashier = user(
            "vk_pos_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.other_cashier = user(
            "vk_pos_other", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.pos_manager = user(
            "vk_pos_manager", "base.group_user,point_of_sale.group_pos_manager"
        )
        cls.other_config = cls.pos_config.copy({"name": "Друга каса"})

    def cashier_sale(self):
        session = self.open_session(user=self.cashier)
        data = self.order_data(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        data["user_id"] = self.cashier.id
        return self.sync(data, user=self.cashier)

    def test_cashier_acts_on_own_pos_orders_only(self):
        order = self.cashier_sale()
        data = order.with_user(self.cashier).vchasno_pos_fiscal_data(send=True)
        # The follow-up call sent the waiting receipt (in the sender's code).
        self.assertEqual(data[order.id]["state"], "done")
        self.assertTrue(data[order.id]["fiscal_number"])
        self.assertEqual(len(self.docs()), 1)
        # Another cashier, even with a session of another POS, may not.
        self.open_session(self.other_config, user=self.other_cashier)
        for method, kwargs in (
            ("vchasno_pos_fiscal_data", {}),
            ("vchasno_pos_deliver", {"email": "a@example.com", "consent": True}),
            ("action_vchasno_print", {}),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(order.with_user(self.other_cashier), method)(**kwargs)
        # Managers and accounting users act on every order of their company;
        # an accounting user reads POS orders only with a POS group (Odoo's
        # access rights on pos.order), whatever our check says.
        with self.assertRaises(AccessError):
            order.with_user(self.billing).vchasno_pos_fiscal_data()
        self.billing.groups_id |= self.env.ref("point_of_sale.group_pos_user")
        for user in (self.pos_manager, self.billing):
            with self.subTest(user=user.login):
                data = order.with_user(user).vchasno_pos_fiscal_data()
                self.assertEqual(data[order.id]["state"], "done")
        # Printing from the back office opens the receipt page.
        action = order.with_user(self.cashier).action_vchasno_print()
        self.assertEqual(
            action["url"], "/vchasno/receipt/%s" % order.vchasno_receipt_id.id
        )

    def test_token_never_reaches_the_pos(self):
        session = self.open_session(user=self.cashier)
        loaded = session.with_user(self.cashier).load_data([])
        text = json.dumps(loaded, default=str)
        self.assertNotIn(TOKEN_A, text)
        config = loaded["pos.config"]["data"][0]
        self.assertEqual(config["vchasno_register_id"], self.register.id)
        self.assertTrue(config["vchasno_active"])
        self.assertNotIn("api_token", text)
        with self.assertRaises(AccessError):
            self.register.with_user(self.cashier).read(["api_token"])
        # Nor the fiscal data the POS reads.
        order = self.cashier_sale()
        data = order.with_user(self.cashier).vchasno_pos_fiscal_data(send=True)
        self.assertNotIn(TOKEN_A, json.dumps(data, default=str))

    def test_contacts_and_consent_at_the_counter(self):
        order = self.cashier_sale()
        as_cashier = order.with_user(self.cashier)
        # A bad phone is refused with the back office's sentence.
        with self.assertRaisesRegex(UserError, "landline"):
            as_cashier.vchasno_pos_deliver(phone="044 123 45 67", consent=True)
        # No consent on record for an anonymous customer: ask first.
        with self.assertRaisesRegex(UserError, "has not agreed"):
            as_cashier.vchasno_pos_deliver(email="olena@example.com")
        # The customer agrees: the email goes with the fiscal request (the
        # receipt is not sent yet), the consent is noted on the order.
        result = as_cashier.vchasno_pos_deliver(email="olena@example.com", consent=True)
        self.assertIn("o***a@example.com", result["message"])
        self.assertIn("agreed at the counter", str(order.message_ids[:1].body))
        self.send()
        receipt = order.vchasno_receipt_id
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            self.docs(tag=receipt.tag)[0]["userinfo"], {"email": "olena@example.com"}
        )

    def test_consent_recorded_on_the_customer(self):
        session = self.open_session()
        order = self.sync(
            self.order_data(
                session,
                [self.line(self.product, 1)],
                [self.pay(self.card_method, 120.0)],
                partner_id=self.customer.id,
            )
        )
        self.send()  # issued first: the receipt is re-sent by Vchasno
        self.assertFalse(self.customer.vchasno_consent_sms)
        order.vchasno_pos_deliver(phone="050 123 45 67", consent=True)
        self.assertTrue(self.customer.vchasno_consent_sms)
        self.assertIn("Viber/SMS", str(self.customer.message_ids[:1].body))
        notes = self.emulator.notifications()
        self.assertEqual(
            [(n["recipient"], n["check"]) for n in notes],
            [("+380501234567", order.vchasno_fiscal_number)],
        )

    def test_screens(self):
        order = self.cashier_sale()
        self.send()
        for model, xmlid in (
            ("pos.order", "point_of_sale.view_pos_pos_form"),
            ("pos.order", "point_of_sale.view_pos_order_tree"),
            ("vchasno.receipt", "l10n_ua_vchasno_kasa.vchasno_receipt_view_form"),
            ("pos.payment.method", "point_of_sale.pos_payment_method_view_form"),
            ("res.config.settings", "point_of_sale.res_config_settings_view_form"),
        ):
            with self.subTest(xmlid=xmlid):
                view = self.env.ref(xmlid)
                arch = self.env[model].get_views([(view.id, view.type)])["views"][
                    view.type
                ]["arch"]
                self.assertIn("vchasno", arch)
        # The accounting settings offer no Point of Sale option any more: the
        # POS's own settings do, and it does something (PosStore.printReceipt).
        settings = self.env.ref("account.res_config_settings_view_form")
        arch = self.env["res.config.settings"].get_views([(settings.id, "form")])
        self.assertNotIn("print_pos", arch["views"]["form"]["arch"])
        self.assertNotIn("vchasno_print_pos", self.env["res.company"]._fields)
        action = order.action_vchasno_view_receipts()
        self.assertEqual(action["res_id"], order.vchasno_receipt_id.id)
        self.assertEqual(order.vchasno_receipt_count, 1)
