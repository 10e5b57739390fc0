"""Issue 13, point 6: a customer's refusal of a channel is remembered.

Asked at the payment about email and Viber/SMS, a customer who agrees to
email only is not asked about Viber/SMS again at the next payment (the
refusal is on the customer, with a chatter note); "Send receipt" can still
use any channel, and a later consent clears the refusal.
"""

from odoo.tests import Form, tagged

from .common import VchasnoCommon
from .test_delivery import TestDelivery


@tagged("post_install", "-at_install")
class TestConsentMemory(VchasnoCommon):
    register_and_print = TestDelivery.register_and_print
    dialog = TestDelivery.dialog
    receipt_of = TestDelivery.receipt_of

    def setUp(self):
        super().setUp()
        self.company.write({"vchasno_send_email": True, "vchasno_send_sms": True})
        self.customer.write(
            {
                "email": "olena@example.com",
                "mobile": "+380501234567",
                "vchasno_consent_email": False,
                "vchasno_consent_sms": False,
            }
        )

    def test_email_only_is_not_asked_again_about_sms(self):
        invoice = self.make_invoice()
        form = self.dialog(self.register_and_print(invoice), "consent")
        self.assertTrue(form.use_email)
        self.assertTrue(form.use_phone)
        form.use_phone = False  # the customer wants email only
        form.save().action_grant_and_send()
        self.assertTrue(self.customer.vchasno_consent_email)
        self.assertFalse(self.customer.vchasno_consent_sms)
        self.assertTrue(self.customer.vchasno_declined_sms)
        self.assertFalse(self.customer.vchasno_declined_email)
        notes = self.customer.message_ids.filtered(
            lambda m: "declined fiscal receipts" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn(self.env.user.name, notes.body)

        second = self.make_invoice()
        action = self.register_and_print(second)
        # No dialog this time: the receipt page opens at once.
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(str(self.receipt_of(second).id), action["url"])
        self.assertEqual(self.receipt_of(second).send_email, "olena@example.com")

    def test_a_later_consent_clears_the_refusal(self):
        self.customer.vchasno_declined_sms = True
        self.customer._vchasno_record_consent(sms=True)
        self.assertTrue(self.customer.vchasno_consent_sms)
        self.assertFalse(self.customer.vchasno_declined_sms)

    def test_refusal_is_shown_on_the_customer(self):
        form = Form(self.customer)
        self.assertFalse(form.vchasno_declined_sms)
