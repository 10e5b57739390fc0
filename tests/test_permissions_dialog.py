"""Issue 10, item 2: the receipt dialog writes only what the user may write.

The dialog is called the way an RPC client can call it: ``create``/``write``
with any values (a foreign ``partner_id``, receipts of another company, "save"
ticked), then its buttons.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .test_permissions import PermissionsCommon

ATTACKER = "attacker@example.com"


@tagged("post_install", "-at_install")
class TestDialogPermissions(PermissionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A cashier who may also edit contacts (Odoo's default for new users).
        cls.cashier = new_test_user(
            cls.env,
            "vk_cashier",
            groups="account.group_account_invoice,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.admin_partner = cls.env.ref("base.user_admin").partner_id
        cls.admin_email = cls.admin_partner.email

    def setUp(self):
        super().setUp()
        self.receipt_done = self.receipt("done")

    def rpc_dialog(self, user, vals):
        """The dialog as an RPC client creates it, as ``user``."""
        return (
            self.env["vchasno.receipt.send"]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids)
            .create(
                {
                    "receipt_ids": [Command.set(self.receipt_done.ids)],
                    "use_email": True,
                    "email": ATTACKER,
                    **vals,
                }
            )
        )

    # === The customer is the receipts' customer === #

    def test_foreign_partner_in_create_changes_nobody_else(self):
        """The account takeover: the admin's email through password reset."""
        wizard = self.rpc_dialog(
            self.cashier, {"partner_id": self.admin_partner.id, "save_to_partner": True}
        )
        wizard.action_grant_and_send()
        self.assertEqual(self.admin_partner.email, self.admin_email)
        self.assertFalse(self.admin_partner.vchasno_consent_email)
        self.assertTrue(self.customer.vchasno_consent_email)
        self.assertEqual(wizard.partner_id, self.customer)
        # The cashier may edit contacts: the receipts' customer gets the address.
        self.assertEqual(self.customer.email, ATTACKER)
        self.assertEqual(self.receipt_done.delivery_ids.address, ATTACKER)

    def test_foreign_partner_in_write_changes_nobody_else(self):
        self.customer.vchasno_consent_email = True
        wizard = self.rpc_dialog(self.cashier, {})
        wizard.write({"partner_id": self.admin_partner.id, "save_to_partner": True})
        wizard.action_send()
        self.assertEqual(self.admin_partner.email, self.admin_email)
        self.assertEqual(self.customer.email, ATTACKER)

    def test_consent_recorded_only_for_the_receipts_customer(self):
        other = self.env["res.partner"].create({"name": "Інший покупець"})
        wizard = self.rpc_dialog(
            self.billing, {"partner_id": other.id, "email": self.customer.email}
        )
        wizard.action_grant_and_send()
        self.assertFalse(other.vchasno_consent_email)
        self.assertTrue(self.customer.vchasno_consent_email)
        note = self.customer.message_ids.filtered(
            lambda m: "Consent to receive fiscal receipts" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(self.billing.name, note.body)
        self.assertEqual(note.author_id, self.billing.partner_id)
        self.assertEqual(len(self.emulator.notifications()), 1)

    # === Contacts: the user's own rights === #

    def test_cashier_without_contact_rights_cannot_save(self):
        self.customer.vchasno_consent_email = True
        wizard = self.rpc_dialog(self.billing, {"save_to_partner": True})
        with self.count_http() as calls, self.assertRaises(AccessError) as caught:
            wizard.action_send()
        self.assertIn("Save to the customer", str(caught.exception))
        self.assertFalse(calls, "nothing sent when the save is refused")
        self.assertEqual(self.customer.email, "olena@example.com")

    def test_dialog_offers_saving_only_to_those_who_may(self):
        self.customer.vchasno_consent_email = True
        for user, writable in ((self.billing, False), (self.cashier, True)):
            with self.subTest(user=user.login):
                action = self.receipt_done.with_user(user).action_resend()
                dialog = self.env["vchasno.receipt.send"].with_user(user)
                form = Form(dialog.with_context(**action["context"]))
                self.assertEqual(form.partner_id, self.customer)
                self.assertEqual(form.partner_writable, writable)
                self.assertEqual(form.save_to_partner, writable)
        # The cashier without contact rights still sends to a new address.
        form = Form(
            self.env["vchasno.receipt.send"]
            .with_user(self.billing)
            .with_context(**self.receipt_done.action_resend()["context"])
        )
        form.email = "new@example.com"
        form.save().action_send()
        self.assertEqual(self.customer.email, "olena@example.com")
        self.assertEqual(
            self.receipt_done.delivery_ids.mapped("address"), ["new@example.com"]
        )

    # === Receipts: checked on the server === #

    def test_receipts_of_another_company_refused(self):
        self.bank_b.vchasno_register_id = self.register_b
        payment_b = (
            self.env["account.payment"]
            .with_company(self.company_b)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 10.0,
                    "journal_id": self.bank_b.id,
                }
            )
        )
        payment_b.action_post()
        self.send()
        receipt_b = payment_b.vchasno_receipt_ids
        self.assertEqual(receipt_b.state, "done")
        self.customer.vchasno_consent_email = True
        for receipts in (receipt_b, receipt_b | self.receipt_done):
            with self.subTest(receipts=receipts.ids):
                wizard = self.rpc_dialog(
                    self.billing, {"receipt_ids": [Command.set(receipts.ids)]}
                )
                for button in ("action_send", "action_grant_and_send"):
                    with self.count_http() as calls, self.assertRaises(AccessError):
                        getattr(wizard, button)()
                    self.assertFalse(calls)
                with self.assertRaises(AccessError):
                    wizard.action_download()
        self.assertFalse(receipt_b.delivery_ids)
        self.assertFalse(self.emulator.notifications())
