"""Issue 11: a lost answer is settled only the way Vchasno was proven to allow.

"Check Vchasno behaviour" runs on the (test) register against the emulator in
each mode; then a receipt's answer is lost (the emulator issues it, the answer
never comes) and the recovery cron settles it by the proven path.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import VchasnoCommon


@tagged("post_install", "-at_install")
class TestRecoveryPaths(VchasnoCommon):
    def setUp(self):
        super().setUp()
        # Nothing proven yet: the shared register's proof is taken away.
        self.register.sudo().write(
            {
                "register_kind": "test",
                "tag_search_behaviour": "unknown",
                "behaviour_checked_at": False,
            }
        )

    def _prove(self, **emulator_config):
        self.emulator.configure(**emulator_config)
        self.register.with_user(self.manager).action_check_behaviour()
        self.emulator.reset()
        self.emulator.configure(hang_s=3, **emulator_config)

    def _lost(self, fault="timeout_after_record"):
        """A receipt whose answer was lost: recovery has run once."""
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        self.emulator.inject_fault(fault)
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.recover()
        return receipt

    def _confirm(self, receipt, number, user=None):
        action = receipt.with_user(user or self.manager).action_mark_issued()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user or self.manager)
            .with_context(**action["context"])
        )
        form.fiscal_number = number
        return form.save().action_confirm()

    # === Nothing proven: a person decides === #

    def test_nothing_proven_asks_a_person(self):
        self.assertEqual(self.register._vchasno_recovery_path(), "human")
        receipt = self._lost()
        self.assertRecordValues(receipt, [{"state": "error", "error_kind": "unknown"}])
        self.assertIn(receipt.tag, receipt.error_message)
        self.assertIn("press 'Issued in cabinet'", receipt.error_message)
        self.send()
        self.recover()
        self.assertEqual(receipt.state, "error")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1, "never resent blindly")

    def test_person_confirms_the_fiscal_number(self):
        receipt = self._lost()
        (doc,) = self.docs(tag=receipt.tag)
        self._confirm(receipt, doc["doccode"])
        self.assertRecordValues(
            receipt,
            [
                {
                    "state": "done",
                    "fiscal_number": doc["doccode"],
                    "is_test": True,
                    "error_message": False,
                }
            ],
        )
        self.assertTrue(receipt.public_url.endswith("/check-viewer/" + doc["doccode"]))
        bodies = "".join(receipt.message_ids.mapped("body"))
        self.assertIn("(not checked with Vchasno)", bodies)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_confirmation_checked_with_vchasno_when_proven(self):
        self.register.sudo().receipt_json_behaviour = "works"
        self.register.sudo().behaviour_checked_at = "2026-12-01 10:00:00"
        other = self.pay(self.make_invoice()).vchasno_receipt_ids
        self.send()
        receipt = self._lost()
        self.assertEqual(receipt.state, "error")
        with self.assertRaisesRegex(UserError, "belongs to another request"):
            self._confirm(receipt, other.fiscal_number)
        with self.assertRaisesRegex(UserError, "has no receipt"):
            self._confirm(receipt, "TEST_nosuchnumber")
        with self.assertRaisesRegex(UserError, "exactly as the Vchasno cabinet"):
            self._confirm(receipt, "TEST_ with space")
        self._confirm(receipt, self.docs(tag=receipt.tag)[0]["doccode"])
        self.assertEqual(receipt.state, "done")
        bodies = "".join(receipt.message_ids.mapped("body"))
        self.assertIn("(checked with Vchasno)", bodies)

    def test_only_managers_confirm(self):
        receipt = self._lost()
        with self.assertRaises(AccessError):
            receipt.with_user(self.billing).action_mark_issued()
        with self.assertRaises(AccessError):
            receipt.with_user(self.billing)._vchasno_mark_issued("TEST_x")
        self.assertEqual(receipt.state, "error")

    def test_not_in_the_cabinet_retry_sends_it_once(self):
        # The request never arrived (reset before Vchasno recorded it).
        receipt = self._lost("reset_before_record")
        self.assertEqual(receipt.state, "error")
        self.assertFalse(self.docs(tag=receipt.tag))
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        with self.assertRaisesRegex(UserError, "only a receipt whose answer was lost"):
            receipt.action_mark_issued()

    # === A repeated tag, under both emulator behaviours === #

    def test_repeated_tag_proven_deduplicated_is_resent(self):
        self._prove(tag_search=False, repeat_tag="return_stored")
        self.assertEqual(self.register._vchasno_recovery_path(), "repeat")
        receipt = self._lost()
        self.assertEqual(receipt.state, "to_send")
        # Resent because a repeat is proven harmless, not because Vchasno
        # proved it absent: it may still have been issued, so no Cancel.
        self.assertTrue(receipt.maybe_issued)
        with self.assertRaises(UserError):
            receipt.with_user(self.manager).action_cancel()
        self.send()
        self.assertEqual(receipt.state, "done")
        (doc,) = self.docs(tag=receipt.tag)
        self.assertEqual(receipt.fiscal_number, doc["doccode"])

    def test_repeated_tag_making_a_second_document_is_not_resent(self):
        self._prove(tag_search=False, repeat_tag="new_document")
        self.assertEqual(self.register._vchasno_recovery_path(), "human")
        receipt = self._lost()
        self.send()
        self.assertEqual(receipt.state, "error")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_search_proven_finds_the_receipt(self):
        self._prove()
        self.assertEqual(self.register._vchasno_recovery_path(), "search")
        receipt = self._lost()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_receipt_form_offers_the_confirmation(self):
        arch = (
            self.env["vchasno.receipt"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="action_mark_issued"', arch)
        wizard_arch = self.env["vchasno.receipt.issued"].get_views([(False, "form")])
        self.assertIn('name="fiscal_number"', wizard_arch["views"]["form"]["arch"])
