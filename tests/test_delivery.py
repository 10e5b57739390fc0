from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..models.vchasno_receipt_delivery import mask_address
from .common import VchasnoCommon

PHONE = "+380501234567"


@tagged("post_install", "-at_install")
class TestDelivery(VchasnoCommon):
    """R4: receipts reach the customer through Vchasno, with consent."""

    # === Helpers === #

    def register_and_print(self, invoice):
        """Register Payment with "print fiscal receipt" ticked: its action."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": self.bank_journal.id, "vchasno_print": True})
        )
        self.assertTrue(wizard.vchasno_print)
        return wizard.action_create_payments()

    def dialog(self, action, mode):
        """The delivery dialog opened by ``action``, as a Form."""
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "vchasno.receipt.send")
        self.assertEqual(action["target"], "new")
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(form.mode, mode)
        return form

    def receipt_of(self, invoice):
        receipt = invoice.matched_payment_ids.vchasno_receipt_ids
        self.assertEqual(len(receipt), 1)
        return receipt

    def assert_opens_receipt(self, action, receipt):
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], "/vchasno/receipt/%s" % receipt.id)
        self.assertTrue(action["close"])

    def issue(self, receipt):
        """What the receipt page does once the payment has committed."""
        receipt._send_now()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1, "exactly one fiscal document per receipt")
        return docs[0]

    def done_receipt(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done", receipt.error_message)
        return payment, receipt

    # === Consent dialog (R4.2) === #

    def test_consent_missing_grant_then_sent(self):
        self.company.vchasno_send_email = True
        self.customer.vchasno_consent_email = False
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        self.assertEqual(receipt.state, "to_send", "fiscalization is queued first")
        self.assertFalse(receipt.send_email)
        form = self.dialog(action, "consent")
        self.assertTrue(form.use_email)
        self.assertFalse(form.use_phone)
        self.assertTrue(form.consent_email_missing)
        self.assertIn("has not agreed", form.message)
        wizard = form.save()
        with self.count_http() as calls:
            result = wizard.action_grant_and_send()
        self.assertEqual(calls, [], "the receipt page sends, not the dialog")
        self.assert_opens_receipt(result, receipt)
        self.assertTrue(self.customer.vchasno_consent_email)
        note = self.customer.message_ids.filtered(
            lambda m: "Consent to receive fiscal receipts" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(self.env.user.name, note.body)
        self.assertEqual(receipt.send_email, "olena@example.com")
        doc = self.issue(receipt)
        self.assertEqual(doc["userinfo"], {"email": "olena@example.com"})
        self.assertEqual(self.emulator.notifications(), [])
        self.assertRecordValues(
            receipt.delivery_ids,
            [
                {
                    "method": "fiscal",
                    "channel": "email",
                    "address": "olena@example.com",
                    "state": "sent",
                }
            ],
        )

    def test_consent_missing_download_only(self):
        self.company.vchasno_send_email = True
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        wizard = self.dialog(action, "consent").save()
        result = wizard.action_download()
        self.assert_opens_receipt(result, receipt)
        self.assertFalse(self.customer.vchasno_consent_email)
        self.assertFalse(receipt.send_email)
        doc = self.issue(receipt)
        self.assertFalse(doc["userinfo"], "nothing is sent without consent")
        self.assertFalse(receipt.delivery_ids)
        self.assertEqual(self.emulator.notifications(), [])

    def test_consent_granted_for_one_channel_only(self):
        self.company.write({"vchasno_send_email": True, "vchasno_send_sms": True})
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        form = self.dialog(action, "consent")
        self.assertTrue(form.use_email)
        self.assertTrue(form.use_phone)
        self.assertEqual(form.phone, PHONE, "the partner's mobile, normalized")
        form.use_email = False  # the customer agrees to Viber/SMS only
        form.save().action_grant_and_send()
        self.assertFalse(self.customer.vchasno_consent_email)
        self.assertTrue(self.customer.vchasno_consent_sms)
        doc = self.issue(receipt)
        self.assertEqual(doc["userinfo"], {"phone": PHONE})

    def test_no_dialog_when_consent_and_contacts_are_there(self):
        self.company.vchasno_send_email = True
        self.customer.vchasno_consent_email = True
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], "/vchasno/receipts/%s" % receipt.id)
        self.assertEqual(receipt.send_email, "olena@example.com")

    # === Missing contact dialog (R4.3) === #

    def _missing_email_dialog(self):
        self.company.vchasno_send_email = True
        self.customer.write({"vchasno_consent_email": True, "email": False})
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        form = self.dialog(action, "contact")
        self.assertTrue(form.use_email)
        self.assertFalse(form.email)
        return receipt, form

    def test_missing_email_entered_and_saved(self):
        receipt, form = self._missing_email_dialog()
        form.email = " new@example.com "
        self.assertFalse(form.email_error)
        self.assertTrue(form.contact_changed)
        self.assertTrue(form.save_to_partner)
        result = form.save().action_send()
        self.assert_opens_receipt(result, receipt)
        self.assertEqual(self.customer.email, "new@example.com")
        doc = self.issue(receipt)
        self.assertEqual(doc["userinfo"], {"email": "new@example.com"})

    def test_missing_email_entered_not_saved(self):
        receipt, form = self._missing_email_dialog()
        form.email = "once@example.com"
        form.save_to_partner = False
        form.save().action_send()
        self.assertFalse(self.customer.email)
        doc = self.issue(receipt)
        self.assertEqual(doc["userinfo"], {"email": "once@example.com"})

    def test_missing_email_none_then_download(self):
        receipt, form = self._missing_email_dialog()
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "Enter the customer's email address"):
            wizard.action_send()
        self.assert_opens_receipt(wizard.action_download(), receipt)
        doc = self.issue(receipt)
        self.assertFalse(doc["userinfo"])
        self.assertEqual(self.emulator.notifications(), [])

    def test_missing_phone_normalized_and_saved(self):
        self.company.vchasno_send_sms = True
        self.customer.write({"vchasno_consent_sms": True, "mobile": False})
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        form = self.dialog(action, "contact")
        self.assertTrue(form.use_phone)
        form.phone = "050 123-45-67"
        self.assertFalse(form.phone_error)
        form.save().action_send()
        self.assertEqual(self.customer.mobile, PHONE)
        doc = self.issue(receipt)
        self.assertEqual(doc["userinfo"], {"phone": PHONE})

    def test_invalid_email_or_phone_clear_error_nothing_sent(self):
        self.company.write({"vchasno_send_email": True, "vchasno_send_sms": True})
        self.customer.write(
            {
                "vchasno_consent_email": True,
                "vchasno_consent_sms": True,
                "email": False,
                "mobile": False,
            }
        )
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        form = self.dialog(action, "contact")
        form.email = "olena.example.com"
        form.phone = "+380 44 123 45 67"  # a Kyiv landline: no Viber, no SMS
        self.assertEqual(
            form.email_error, "olena.example.com is not a valid email address."
        )
        self.assertIn("is not a Ukrainian mobile phone number", form.phone_error)
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "not a valid email address"):
            wizard.action_send()
        wizard.email = "olena@example.com"
        with self.assertRaisesRegex(UserError, "not a Ukrainian mobile phone"):
            wizard.action_send()
        self.assertFalse(receipt.send_email or receipt.send_phone)
        self.assertFalse(self.customer.email or self.customer.mobile)
        self.assertEqual(self.emulator.documents(), [], "nothing sent")
        self.assertEqual(self.emulator.notifications(), [])

    # === Send receipt / resend on an issued receipt === #

    def test_resend_to_another_channel(self):
        self.customer.write(
            {"vchasno_consent_email": True, "vchasno_consent_sms": True}
        )
        payment, receipt = self.done_receipt()
        action = payment.action_vchasno_send_receipt()
        form = self.dialog(action, "send")
        self.assertTrue(form.receipt_done)
        form.use_email = False
        form.use_phone = True
        form.phone_channel = "viber"
        result = form.save().action_send()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(
            [
                (n["recipient"], n["channel"], n["check"])
                for n in self.emulator.notifications()
            ],
            [(PHONE, "viber", receipt.fiscal_number)],
        )
        self.assertEqual(len(self.emulator.documents()), 1, "no new fiscal document")
        self.assertRecordValues(
            receipt.delivery_ids,
            [
                {
                    "method": "resend",
                    "channel": "viber",
                    "address": PHONE,
                    "address_masked": "+38050***4567",
                    "state": "sent",
                    "user_id": self.env.user.id,
                }
            ],
        )
        self.assertIn("ok", receipt.delivery_ids.answer)

        # A corrected address, by email, not saved on the customer.
        form = self.dialog(receipt.action_resend(), "send")
        form.use_phone = False
        form.use_email = True
        form.email = "olena.work@example.com"
        form.save_to_partner = False
        form.save().action_send()
        notifications = self.emulator.notifications()
        self.assertEqual(len(notifications), 2)
        self.assertEqual(
            (notifications[1]["channel"], notifications[1]["recipient"]),
            ("email", "olena.work@example.com"),
        )
        self.assertEqual(self.customer.email, "olena@example.com")
        self.assertEqual(len(receipt.delivery_ids), 2)

    def test_resend_without_consent_asks_first(self):
        payment, receipt = self.done_receipt()
        form = self.dialog(receipt.action_resend(), "send")
        form.use_email = False
        form.use_phone = True
        wizard = form.save()
        action = wizard.action_send()
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(wizard.mode, "consent")
        self.assertEqual(self.emulator.notifications(), [])
        wizard.action_grant_and_send()
        self.assertTrue(self.customer.vchasno_consent_sms)
        self.assertEqual(
            [(n["channel"], n["recipient"]) for n in self.emulator.notifications()],
            [("cascade", PHONE)],
        )

    def test_resend_invalid_address_nothing_sent(self):
        self.customer.vchasno_consent_email = True
        payment, receipt = self.done_receipt()
        form = self.dialog(receipt.action_resend(), "send")
        form.email = "olena@"
        self.assertTrue(form.email_error)
        with self.assertRaisesRegex(UserError, "not a valid email address"):
            form.save().action_send()
        self.assertEqual(self.emulator.notifications(), [])
        self.assertFalse(receipt.delivery_ids)

    def test_resend_error_is_logged_and_shown(self):
        self.customer.vchasno_consent_email = True
        payment, receipt = self.done_receipt()
        receipt.sudo().fiscal_number = "UNKNOWN-1"  # Vchasno does not know it
        form = self.dialog(receipt.action_resend(), "send")
        result = form.save().action_send()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("404", result["params"]["message"])
        self.assertRecordValues(
            receipt.delivery_ids, [{"state": "error", "channel": "email"}]
        )
        self.assertIn("404", receipt.delivery_ids.answer)
        self.assertNotIn("tok-A", receipt.delivery_ids.answer)
        self.assertEqual(self.emulator.notifications(), [])

    def test_issued_before_the_dialog_answer_uses_resend(self):
        """The dialog never holds fiscalization: the cron may issue first."""
        self.company.vchasno_send_email = True
        invoice = self.make_invoice()
        action = self.register_and_print(invoice)
        receipt = self.receipt_of(invoice)
        self.send()  # the cron ran while the cashier was reading the dialog
        self.assertEqual(receipt.state, "done")
        wizard = self.dialog(action, "consent").save()
        result = wizard.action_grant_and_send()
        self.assert_opens_receipt(result, receipt)
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1)
        self.assertFalse(docs[0]["userinfo"])
        self.assertEqual(
            [(n["channel"], n["check"]) for n in self.emulator.notifications()],
            [("email", receipt.fiscal_number)],
        )
        self.assertEqual(receipt.delivery_ids.method, "resend")

    def test_billing_user_grants_consent(self):
        """A cashier records consent without the right to edit contacts."""
        payment, receipt = self.done_receipt()
        action = receipt.with_user(self.billing).action_resend()
        Wizard = self.env["vchasno.receipt.send"].with_user(self.billing)
        form = Form(Wizard.with_context(**action["context"]))
        self.assertTrue(form.use_email)
        wizard = form.save()
        wizard.action_send()
        self.assertEqual(wizard.mode, "consent")
        wizard.action_grant_and_send()
        self.assertTrue(self.customer.vchasno_consent_email)
        self.assertEqual(len(self.emulator.notifications()), 1)
        self.assertEqual(receipt.delivery_ids.user_id, self.billing)

    def test_mask_address(self):
        self.assertEqual(mask_address("olena@example.com"), "o***a@example.com")
        self.assertEqual(mask_address("ab@example.com"), "a***@example.com")
        self.assertEqual(mask_address(PHONE), "+38050***4567")
