"""Issue 13, point 5: resetting or cancelling a fiscalized payment asks first.

The form's buttons open a dialog saying exactly what happens at Vchasno (a
return receipt of X UAH, or the queued receipt cancelled) before anything is
done; RPC callers of ``action_draft`` keep the server-side behaviour.
"""

from lxml import etree

from odoo.tests import tagged

from .test_permissions import PermissionsCommon


@tagged("post_install", "-at_install")
class TestResetAsksFirst(PermissionsCommon):
    def dialog(self, payment, operation="draft"):
        mine = self.as_user(payment, "billing")
        method = "action_vchasno_confirm_" + operation
        action = getattr(mine, method)()
        self.assertEqual(action["res_model"], "vchasno.payment.reverse")
        self.assertEqual(action["target"], "new")
        return mine.env["vchasno.payment.reverse"].browse(action["res_id"])

    def test_reset_of_an_issued_receipt_says_the_return_first(self):
        receipt = self.receipt("done")
        payment = receipt.payment_id
        self.assertTrue(payment.vchasno_reverse_needed)
        state = payment.state
        wizard = self.dialog(payment)
        self.assertIn("A return receipt of", wizard.summary)
        self.assertIn("240.00", wizard.summary)
        self.assertIn(receipt.fiscal_number, wizard.summary)
        self.assertEqual(payment.state, state, "nothing done yet")
        self.assertFalse(receipt.return_receipt_ids, "nothing issued yet")
        result = wizard.action_confirm()
        self.assertEqual(result["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(payment.state, "draft")
        self.assertEqual(receipt.return_receipt_ids.amount, 240.0)

    def test_reset_of_a_queued_receipt_says_it_is_cancelled(self):
        receipt = self.receipt()
        wizard = self.dialog(receipt.payment_id)
        self.assertIn("will be cancelled", wizard.summary)
        wizard.action_confirm()
        self.assertEqual(receipt.state, "cancelled")

    def test_the_form_buttons_ask(self):
        views = self.env["account.payment"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        (draft,) = arch.xpath("//button[@name='action_draft']")
        self.assertIn("vchasno_reverse_needed", draft.get("invisible"))
        self.assertTrue(arch.xpath("//button[@name='action_vchasno_confirm_draft']"))
        self.assertTrue(arch.xpath("//button[@name='action_vchasno_confirm_cancel']"))

    def test_rpc_reset_still_reverses_on_the_server(self):
        receipt = self.receipt("done")
        receipt.payment_id.action_draft()
        self.assertTrue(receipt.return_receipt_ids)
