"""Issue 12 point 7: one table of receipt states and transitions, one method
that applies them; behaviour is added after a transition, never by
overriding another file's state setter."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.vchasno_receipt import STATES, TRANSITIONS
from .common import VchasnoCommon


@tagged("post_install", "-at_install")
class TestStateMachine(VchasnoCommon):
    def test_one_method_applies_transitions(self):
        Receipt = type(self.env["vchasno.receipt"])
        owners = [cls for cls in Receipt.__mro__ if "_transition" in vars(cls)]
        self.assertEqual(len(owners), 1, "defined once, overridden nowhere")
        for old in ("_set_done", "_set_unknown", "_set_retry", "_set_error"):
            self.assertFalse(hasattr(Receipt, old), old)

    def test_table_names_known_states_only(self):
        states = {state for state, _label in STATES}
        for (old, new), guard in TRANSITIONS.items():
            self.assertIn(old, states)
            self.assertIn(new, states)
            if guard:
                self.assertTrue(hasattr(self.env["vchasno.receipt"], guard), guard)
        self.assertFalse(
            [key for key in TRANSITIONS if key[0] in ("done", "cancelled")]
        )

    def test_state_is_written_only_by_a_transition(self):
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        with self.assertRaises(UserError):
            receipt.sudo().write({"state": "done"})
        self.assertEqual(receipt.state, "to_send")

    def test_forbidden_transitions_are_refused(self):
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        self.send()
        self.assertEqual(receipt.state, "done")
        for target in ("to_send", "cancelled", "error", "unknown"):
            with self.subTest(target=target), self.assertRaises(UserError):
                receipt._transition(target)
        self.assertEqual(receipt.state, "done")

    def test_every_change_of_a_busy_day_follows_the_table(self):
        """Sale, lost answer, recovery, refusal, retry, cancel, reversal."""
        applied = []
        Receipt = type(self.env["vchasno.receipt"])
        transition = Receipt._transition

        def spy(receipts, target, *args, **kwargs):
            applied.extend((r.state, target) for r in receipts)
            return transition(receipts, target, *args, **kwargs)

        with patch.object(Receipt, "_transition", spy):
            lost = self.pay(self.make_invoice()).vchasno_receipt_ids
            self.emulator.inject_fault("timeout_after_record")
            self.send()
            self.recover()
            refused = self.pay(self.make_invoice()).vchasno_receipt_ids
            self.emulator.inject_fault("res_action_3")
            self.send()
            refused.action_retry()
            self.send()
            cancelled = self.pay(self.make_invoice()).vchasno_receipt_ids
            cancelled.action_cancel()
            lost.payment_id.action_draft()
            self.send()
        self.assertEqual(
            (lost.state, refused.state, cancelled.state), ("done",) * 2 + ("cancelled",)
        )
        for step in applied:
            self.assertIn(step, TRANSITIONS)
        self.assertIn(("sending", "unknown"), applied)
        self.assertIn(("unknown", "done"), applied)
        self.assertIn(("error", "to_send"), applied)
        self.assertIn(("to_send", "cancelled"), applied)
