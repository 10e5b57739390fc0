"""Issue 12 points 3 to 6 in one database transaction (real cursors: see
test_outcome_commits): where nothing may be sent, honest retry and cancel,
server actions that only queue, and an install that leaves old rows alone."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_path

from ..tools.vchasno_client import VchasnoClient
from ..tools.vchasno_errors import VchasnoNotSentError
from .common import VchasnoCommon

MODULE = "l10n_ua_vchasno_kasa"


@tagged("post_install", "-at_install")
class TestNothingSentWhereNothingShould(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_company_b()
        cls.bank_b.vchasno_register_id = cls.register_b

    def queued(self, journal=None):
        return self.pay(self.make_invoice(), journal=journal).vchasno_receipt_ids

    def queued_b(self):
        payment = (
            self.env["account.payment"]
            .with_company(self.company_b)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 50.0,
                    "journal_id": self.bank_b.id,
                }
            )
        )
        payment.action_post()
        return payment.vchasno_receipt_ids

    def test_integration_switched_off_sends_nothing_and_says_why(self):
        receipt, receipt_b = self.queued(), self.queued_b()
        self.company.vchasno_enabled = False
        self.send()
        self.assertEqual(receipt.state, "to_send")
        self.assertEqual(receipt.attempt_count, 0)
        self.assertIn("integration is off", receipt.waiting_reason)
        self.assertEqual(receipt_b.state, "done", "the other company goes on")
        self.assertEqual(self.docs(tag=receipt.tag), [])

    def test_archived_register_sends_nothing_and_says_why(self):
        receipt = self.queued()
        self.register.journal_ids.vchasno_register_id = False
        self.register.action_archive()
        self.send()
        self.assertEqual(receipt.state, "to_send")
        self.assertIn("archived", receipt.waiting_reason)
        self.assertEqual(self.docs(), [])

    def test_register_without_token_stops_nobody(self):
        receipt, receipt_b = self.queued(), self.queued_b()
        self.emulator.inject_fault("timeout_after_record", count=2)
        self.send()
        self.assertEqual((receipt | receipt_b).mapped("state"), ["unknown"] * 2)
        self.register.api_token = False
        waiting = self.queued()
        self.send()  # no UserError from the register without a token
        self.recover()  # nor here: company B's receipt is settled
        self.assertEqual(receipt_b.state, "done")
        self.assertEqual(receipt.state, "unknown")
        self.assertEqual(waiting.state, "to_send")
        for record in (receipt, waiting):
            self.assertIn("no API token", record.waiting_reason)

    def test_neutralized_database_sends_nothing(self):
        receipt = self.queued()
        with open(file_path(MODULE + "/data/neutralize.sql")) as sql:
            self.env.flush_all()
            self.env.cr.execute(sql.read())
        self.env.invalidate_all()
        with self.count_http() as calls:
            self.send()
            self.recover()
            self.env["vchasno.register"]._cron_close_shifts()
        self.assertEqual(calls, [])
        self.assertEqual(receipt.state, "to_send")
        self.assertTrue(receipt.waiting_reason)

    def test_fiscalize_honours_the_never_policy(self):
        self.bank_journal.vchasno_policy = "never"
        payment = self.pay(self.make_invoice())
        self.assertFalse(payment.vchasno_receipt_ids)
        with self.assertRaisesRegex(UserError, "Never"):
            payment.action_vchasno_fiscalize()
        self.assertFalse(payment.vchasno_receipt_ids)

    def test_fiscalize_skips_pos_closing_payments(self):
        self.bank_journal.vchasno_policy = "ask"
        payment = self.pay(self.make_invoice(), vchasno_fiscalize=False)
        other = self.pay(self.make_invoice(), vchasno_fiscalize=False)
        invoices = (payment | other).reconciled_invoice_ids
        Payment = type(payment)
        with patch.object(
            Payment, "_vchasno_is_pos_closing", lambda p: p.id == payment.id
        ):
            with self.assertRaisesRegex(UserError, "Point of Sale"):
                payment.action_vchasno_fiscalize()
            invoices.action_vchasno_fiscalize()  # the POS one skipped, not an error
        self.assertFalse(payment.vchasno_receipt_ids)
        self.assertEqual(other.vchasno_receipt_ids.state, "to_send")

    def test_fiscalize_many_queues_and_wakes_the_sender(self):
        self.bank_journal.vchasno_policy = "ask"
        payments = self.env["account.payment"]
        for _i in range(3):
            payments |= self.pay(self.make_invoice(), vchasno_fiscalize=False)
        Trigger = self.env["ir.cron.trigger"].sudo()
        cron = self.register.sudo().sender_cron_id  # the register's own sender
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        with self.count_http() as calls:
            action = payments.action_vchasno_fiscalize()
        self.assertEqual(calls, [], "one worker makes no N calls: the cron sends")
        self.assertEqual(payments.vchasno_receipt_ids.mapped("state"), ["to_send"] * 3)
        self.env.flush_all()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)
        self.assertEqual(action["tag"], "display_notification")
        self.send()
        self.assertEqual(payments.vchasno_receipt_ids.mapped("state"), ["done"] * 3)


@tagged("post_install", "-at_install")
class TestHonestRetryAndCancel(VchasnoCommon):
    def queued(self):
        return self.pay(self.make_invoice()).vchasno_receipt_ids

    def test_retry_after_refusal_rebuilds_with_a_new_tag(self):
        receipt = self.queued()
        self.emulator.inject_fault("res_action_3")
        self.send()
        self.assertEqual(receipt.state, "error")
        old_tag = receipt.tag
        self.product.name = "Кава мелена"  # the data are fixed before the retry
        receipt.action_retry()
        self.assertNotEqual(receipt.tag, old_tag)
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.docs(tag=old_tag), [])
        (doc,) = self.docs(tag=receipt.tag)
        self.assertEqual(doc["fiscal"]["receipt"]["rows"][0]["name"], "Кава мелена")
        self.assertIn(old_tag, " ".join(receipt.message_ids.mapped("body")))

    def test_retry_after_data_error_rebuilds_with_a_new_tag(self):
        self.product.name = "Д" * 200
        receipt = self.queued()
        self.send()
        self.assertRecordValues(receipt, [{"state": "error", "error_kind": "data"}])
        old_tag = receipt.tag
        self.product.name = "Кава"
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertNotEqual(receipt.tag, old_tag)

    def lost_and_not_found(self):
        receipt = self.queued()
        self.emulator.inject_fault("timeout_after_record")
        self.send()
        down = VchasnoNotSentError("connection refused")
        with patch.object(VchasnoClient, "find_by_tag", side_effect=down):
            for _i in range(5):
                self.recover()
        self.assertRecordValues(receipt, [{"state": "error", "error_kind": "unknown"}])
        return receipt

    def test_error_after_a_lost_answer_cannot_be_cancelled(self):
        receipt = self.lost_and_not_found()
        with self.assertRaisesRegex(UserError, "may have issued"):
            receipt.action_cancel()
        with self.assertRaisesRegex(UserError, "may have issued"):
            receipt.payment_id.action_draft()
        self.assertEqual(receipt.state, "error")

    def test_unknown_cannot_be_cancelled(self):
        receipt = self.queued()
        self.emulator.inject_fault("timeout_after_record")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        with self.assertRaises(UserError):
            receipt.action_cancel()

    def test_retry_after_a_lost_answer_keeps_the_tag(self):
        """A human found nothing in the cabinet: the same request goes again."""
        receipt = self.lost_and_not_found()
        tag, payload = receipt.tag, receipt.payload
        receipt.action_retry()
        self.assertEqual((receipt.tag, receipt.payload), (tag, payload))

    def test_refused_receipt_can_be_cancelled(self):
        receipt = self.queued()
        self.emulator.inject_fault("res_action_3")
        self.send()
        receipt.payment_id.action_draft()
        self.assertEqual(receipt.state, "cancelled")
        self.assertEqual(self.docs(), [])


@tagged("post_install", "-at_install")
class TestCheapInstall(VchasnoCommon):
    BIG_MODELS = ("account.payment", "account.move", "account.move.line", "res.partner")

    def test_no_stored_default_or_compute_on_big_tables(self):
        """Installing must not rewrite historical rows (issue 12 point 6)."""
        for model in self.BIG_MODELS:
            for name, field in self.env[model]._fields.items():
                if field._module != MODULE or not field.store:
                    continue
                with self.subTest(model=model, field=name):
                    self.assertFalse(field.compute, "a stored compute fills old rows")
                    if field.type != "boolean":
                        self.assertFalse(field.default, "a default fills old rows")

    def test_cashier_is_who_posts_unless_chosen(self):
        payment = (
            self.env["account.payment"]
            .with_user(self.billing)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 50.0,
                    "journal_id": self.bank_journal.id,
                }
            )
        )
        self.assertFalse(payment.vchasno_cashier_id)
        payment.with_user(self.manager).action_post()
        self.assertEqual(payment.vchasno_receipt_ids.cashier_id, self.manager)
        self.assertEqual(payment.vchasno_receipt_ids.cashier_name, self.manager.name)
