"""Issue 13, points 1, 3, 4 and 7: the user sees where a receipt stands.

1. A refused token or Vchasno down: the payment, the invoice, the receipt
   form and the list say so and why (not "pending"), and "Send now" answers
   with the cause.
3. Every button answers with a notification and reloads the record.
4. "Send receipt" only on issued receipts; the server refuses the others.
7. The invoice's smart button counts the receipts of its payments from the
   moment they are queued (no reload, no sending needed).
"""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_permissions import PermissionsCommon
from .test_reliability import closed_port_url


def arch(env, model, view_type="form"):
    views = env[model].get_views([(False, view_type)])["views"][view_type]
    return etree.fromstring(views["arch"])


@tagged("post_install", "-at_install")
class TestUxFeedback(PermissionsCommon):
    def queued_receipt(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        return invoice, payment, payment.vchasno_receipt_ids

    def vchasno_down(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_ua_vchasno_kasa.api_url", closed_port_url()
        )

    def assert_notification(self, action, kind=None):
        self.assertEqual(action["tag"], "display_notification", action)
        params = action["params"]
        self.assertEqual(params["next"]["tag"], "soft_reload")
        if kind:
            self.assertEqual(params["type"], kind, params["message"])
        return params["message"]

    # === Point 1 === #

    def test_vchasno_down_cause_shown_where_the_user_looks(self):
        invoice, payment, receipt = self.queued_receipt()
        self.vchasno_down()
        self.send()
        self.assertEqual(receipt.state, "to_send")
        cause = receipt.error_message
        self.assertTrue(cause)
        self.assertIn(cause, receipt.status_message)
        self.assertIn(cause, payment.vchasno_status_message)
        self.assertIn(cause, invoice.vchasno_status_message)
        message = self.assert_notification(
            self.as_user(receipt, "billing").action_send_now(), "warning"
        )
        self.assertIn(cause, message)

    def test_token_refused_shown_and_send_now_says_why(self):
        invoice, payment, receipt = self.queued_receipt()
        self.emulator.inject_fault("http_401", count=5)
        self.send()
        self.assertTrue(self.register.auth_failed)
        reason = self.register._token_refused_message()
        self.assertIn(reason, payment.vchasno_status_message)
        self.assertIn(reason, invoice.vchasno_status_message)
        message = self.assert_notification(
            self.as_user(receipt, "billing").action_send_now(), "warning"
        )
        self.assertIn(reason, message)

    def test_status_is_in_the_views(self):
        self.assertTrue(
            arch(self.env, "account.payment").xpath(
                "//field[@name='vchasno_status_message']"
            )
        )
        self.assertTrue(
            arch(self.env, "account.move").xpath(
                "//field[@name='vchasno_status_message']"
            )
        )
        for view_type in ("form", "list"):
            self.assertTrue(
                arch(self.env, "vchasno.receipt", view_type).xpath(
                    "//field[@name='status_message']"
                ),
                view_type,
            )

    # === Point 3 === #

    def test_send_now_of_several_receipts_answers(self):
        receipts = self.queued_receipt()[2] | self.queued_receipt()[2]
        message = self.assert_notification(
            self.as_user(receipts, "billing").action_send_now(), "success"
        )
        self.assertIn("2", message)
        self.assertEqual(receipts.mapped("state"), ["done", "done"])

    def test_fiscalize_and_open_shift_answer(self):
        payment = self.payment(fiscalize=False)
        self.assert_notification(
            self.as_user(payment, "billing").action_vchasno_fiscalize()
        )
        self.register.auto_close = False
        self.assert_notification(self.register.action_open_shift())

    # === Point 4 === #

    def test_send_receipt_only_once_issued(self):
        receipt = self.queued_receipt()[2]
        with self.assertRaisesRegex(UserError, "not issued yet"):
            self.as_user(receipt, "billing").action_resend()
        (button,) = arch(self.env, "vchasno.receipt").xpath(
            "//button[@name='action_resend']"
        )
        self.assertIn("state != 'done'", button.get("invisible"))

    # === Point 7 === #

    def test_invoice_smart_button_counts_the_queued_receipt(self):
        invoice, payment, receipt = self.queued_receipt()
        self.assertEqual(receipt.state, "to_send")
        self.assertFalse(receipt.move_id, "bound only when first sent")
        self.assertEqual(invoice.vchasno_receipt_count, 1)
