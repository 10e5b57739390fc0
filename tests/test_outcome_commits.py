"""Issue 12 point 3: the fiscal outcome commits alone (real cursors, real commits).

The sender runs as the cron worker runs it: its own cursor, committing. What
the rest of the world sees is read from another cursor.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..tools.vchasno_client import VchasnoClient
from .real_cursors import RealCursorCase, WorkerKilled


@tagged("post_install", "-at_install")
class TestOutcomeCommitsAlone(RealCursorCase):
    def cash_sale(self):
        from decimal import Decimal

        from ..tools import receipt_maths as rm

        receipt_id = self.queue()
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(receipt_id)
            # A cash sale of 2 x 120.00: the register holds 240.00 after it.
            body = rm.build_receipt(
                [rm.Row("Кава зернова", Decimal(2), Decimal("120.00"), "1")],
                [rm.Pay(rm.PAY_CASH, Decimal("240.00"))],
            )
            receipt.payload = rm.build_request(rm.TASK_SALE, receipt.tag, receipt=body)
            env["vchasno.receipt.delivery"].create(
                {
                    "receipt_id": receipt.id,
                    "channel": "email",
                    "address": "olena@example.com",
                }
            )
            return receipt_id, receipt.tag

    def run_cron(self, method="_cron_send_pending_receipts"):
        """The cron in a real cursor; sending: the global one (the dispatcher),
        then the register's own (models/vchasno_sender_crons), as Odoo would."""
        with self.cursor() as env:
            done = getattr(env["vchasno.receipt"], method)()
        if method == "_cron_send_pending_receipts":
            with self.cursor() as env:
                done += env["vchasno.receipt"]._cron_send_pending_receipts(
                    register_ids=[self.register_id]
                )
        return done

    def assert_followed_up(self, receipt_id):
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(receipt_id)
            self.assertEqual(receipt.state, "done")
            self.assertRecordValues(
                receipt.delivery_ids, [{"state": "sent", "method": "resend"}]
            )
            self.assertEqual(
                [(n["channel"], n["check"]) for n in self.emulator.notifications()],
                [("email", receipt.fiscal_number)],
            )
            bodies = receipt.message_ids.mapped("body")
            issued = [b for b in bodies if receipt.fiscal_number in b]
            self.assertEqual(len(issued), 1, bodies)
            self.assertRecordValues(
                receipt.register_id, [{"safe_amount": 240.0, "shift_state": "open"}]
            )
            self.assertFalse(receipt.followups)

    def test_cron_commits_the_outcome_then_each_follow_up(self):
        receipt_id, tag = self.cash_sale()
        self.run_cron()
        (doc,) = self.docs(tag)
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(receipt_id)
            self.assertEqual(receipt.fiscal_number, doc["doccode"])
        self.assert_followed_up(receipt_id)

    def test_crash_during_delivery_keeps_the_outcome(self):
        receipt_id, tag = self.cash_sale()
        Delivery = type(self.env["vchasno.receipt.delivery"])
        with (
            patch.object(Delivery, "_send", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            self.run_cron()
        (doc,) = self.docs(tag)
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(receipt_id)
            self.assertRecordValues(
                receipt, [{"state": "done", "fiscal_number": doc["doccode"]}]
            )
            self.assertEqual(receipt.delivery_ids.state, "pending")
            self.assertTrue(receipt.followups, "what did not run is still due")
        # The next run of the sender (or of recovery) finishes the follow-ups.
        self.run_cron()
        self.assert_followed_up(receipt_id)
        self.assertEqual(len(self.docs(tag)), 1, "never a second fiscal document")

    def test_register_updated_meanwhile_does_not_lose_the_outcome(self):
        """Another worker commits a change of the register during our call:
        writing the register in the outcome's transaction would then fail on
        a serialization error and roll the fiscal outcome back."""
        receipt_id, tag = self.cash_sale()
        execute = VchasnoClient.execute

        def execute_meanwhile(client, request):
            result = execute(client, request)
            if request.get("tag") == tag:
                with self.cursor() as env:
                    env["vchasno.register"].browse(self.register_id).write(
                        {"z_time": 23.5}
                    )
            return result

        with patch.object(VchasnoClient, "execute", execute_meanwhile):
            self.run_cron()
        self.assertEqual(len(self.docs(tag)), 1)
        self.assert_followed_up(receipt_id)

    def test_a_bug_rolls_back_one_receipt_and_the_queue_goes_on(self):
        first, second = self.queue(), self.queue()
        Register = type(self.env["vchasno.register"])
        before_send = Register._before_send

        def broken_for_first(register, receipt, client):
            if receipt.id == first:
                raise RuntimeError("a bug")
            return before_send(register, receipt, client)

        with patch.object(Register, "_before_send", broken_for_first):
            self.run_cron()
        with self.cursor() as env:
            receipts = env["vchasno.receipt"].browse([first, second])
            # "sending" was committed before the call: recovery checks it.
            self.assertEqual(receipts.mapped("state"), ["sending", "done"])
            receipts[0].last_attempt_at = fields.Datetime.now() - timedelta(hours=1)
        self.run_cron("_cron_recover_receipts")  # not found by its tag: resent
        self.run_cron()
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(first)
            self.assertEqual(receipt.state, "done")
            self.assertEqual(len(self.docs(receipt.tag)), 1)


@tagged("post_install", "-at_install")
class TestRequestsCommitNothing(RealCursorCase):
    """A button or a page never commits the transaction of the request."""

    def setUp(self):
        super().setUp()
        with self.cursor() as env:
            partner = env["res.partner"].create({"name": "Untouched", "ref": "OLD"})
            self.partner_id = partner.id
            self.committed["partner"].append(partner.id)

    def assert_request_not_committed(self):
        with self.cursor() as env:
            self.assertEqual(env["res.partner"].browse(self.partner_id).ref, "OLD")

    def test_send_now_sends_in_its_own_transaction(self):
        receipt_id = self.queue()
        with self.open_cursor() as env:  # the request's transaction
            env["res.partner"].browse(self.partner_id).ref = "NEW"
            receipt = env["vchasno.receipt"].browse(receipt_id)
            action = receipt.action_send_now()
            # The request sees the outcome the sender committed.
            self.assertEqual(receipt.state, "done")
            self.assertEqual(action["type"], "ir.actions.act_url")
            self.assert_request_not_committed()
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].browse(receipt_id)
            self.assertEqual(receipt.state, "done")
            self.assertEqual(len(self.docs(receipt.tag)), 1)
        self.assert_request_not_committed()

    def test_shift_opening_button_commits_nothing_of_the_request(self):
        with self.open_cursor() as env:
            env["res.partner"].browse(self.partner_id).ref = "NEW"
            register = env["vchasno.register"].browse(self.register_id)
            register.action_open_shift()
            self.assert_request_not_committed()
        with self.cursor() as env:
            opening = env["vchasno.receipt"].search(
                [("register_id", "=", self.register_id), ("kind", "=", "open_shift")]
            )
            self.assertEqual(opening.state, "done")
            self.assertEqual(opening.register_id.shift_state, "open")
        self.assert_request_not_committed()
