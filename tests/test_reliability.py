"""RELIABILITY.md §7: nothing lost, nothing doubled, whatever goes wrong.

Every test asserts the Odoo side (receipt state) and the emulator side (how
many documents it issued for the receipt's tag).
"""

import hashlib
import logging
import socket
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..tools.vchasno_client import VchasnoClient
from ..tools.vchasno_errors import VchasnoNotSentError
from .common import TOKEN_A, TOKEN_B, VchasnoCommon


class LaterStepFailed(Exception):
    """A failure later in the same business transaction."""


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return "http://127.0.0.1:%d" % port


@tagged("post_install", "-at_install")
class TestOutbox(VchasnoCommon):
    """The business transaction only queues; it never calls Vchasno."""

    def _triggers(self):
        self.env.flush_all()
        return (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "=", self.register.sudo().sender_cron_id.id)])
        )

    def test_rolled_back_posting_leaves_nothing(self):
        invoice = self.make_invoice()
        triggers_before = self._triggers()
        with self.count_http() as calls:
            with self.assertRaises(LaterStepFailed), self.cr.savepoint():
                payment = self.pay(invoice)
                self.assertTrue(payment.vchasno_receipt_ids)
                self.assertEqual(self._triggers(), triggers_before + 1)
                raise LaterStepFailed
            self.env.invalidate_all()
        self.assertFalse(self.env["vchasno.receipt"].search([]))
        self.assertEqual(calls, [])
        self.assertEqual(self._triggers(), triggers_before)

    def test_post_with_transport_down_makes_no_call(self):
        invoice = self.make_invoice()

        def boom(*args, **kwargs):
            raise AssertionError("no HTTP call during posting")

        triggers_before = self._triggers()
        with patch.object(VchasnoClient, "_request", boom):
            payment = self.pay(invoice)
        self.assertRecordValues(payment.vchasno_receipt_ids, [{"state": "to_send"}])
        self.assertEqual(self._triggers(), triggers_before + 1)

    def test_posting_twice_after_rollback_one_receipt(self):
        invoice = self.make_invoice()
        with self.assertRaises(LaterStepFailed), self.cr.savepoint():
            self.pay(invoice)
            raise LaterStepFailed  # e.g. a serialization failure, then a replay
        payment = self.pay(invoice)
        self.send()
        self.send()
        self.assertEqual(len(self.env["vchasno.receipt"].search([])), 1)
        self.assertEqual(len(self.docs(tag=payment.vchasno_receipt_ids.tag)), 1)

    def test_posting_query_budget(self):
        """The hook costs a handful of queries, not a round trip.

        The receipt INSERT, the cron trigger INSERT and a look-up of the
        payment's receipts (bench/bench_outbox.py lists them; RELIABILITY.md
        asks +3). The bound leaves room for cold caches in a test database.
        """
        invoices = self.make_invoice() | self.make_invoice() | self.make_invoice()

        def post_one(invoice):
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 240.0,
                    "journal_id": self.bank_journal.id,
                }
            )
            self.env.flush_all()
            start = self.cr.sql_log_count
            payment.action_post()
            self.env.flush_all()
            return self.cr.sql_log_count - start

        self.company.vchasno_enabled = False
        post_one(invoices[0])  # warm the caches
        baseline = post_one(invoices[1])
        self.company.vchasno_enabled = True
        with_receipt = post_one(invoices[2])
        self.assertLessEqual(
            with_receipt - baseline,
            8,
            "baseline %s, with receipt %s" % (baseline, with_receipt),
        )


@tagged("post_install", "-at_install")
class TestAmbiguousOutcomes(VchasnoCommon):
    def _queued(self, journal=None):
        payment = self.pay(self.make_invoice(), journal=journal)
        return payment.vchasno_receipt_ids

    def test_lost_answer_is_reconciled_not_resent(self):
        receipt = self._queued()
        self.emulator.inject_fault("timeout_after_record")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        self.send()  # the sender never touches an unknown receipt
        self.recover()
        self.assertRecordValues(receipt, [{"state": "done"}])
        docs = self.docs(tag=receipt.tag)
        self.assertEqual(len(docs), 1)
        self.assertEqual(receipt.fiscal_number, docs[0]["doccode"])

    def test_invalid_json_reconciled(self):
        receipt = self._queued()
        self.emulator.inject_fault("invalid_json")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.recover()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_http_500_html_never_done_then_resent_once(self):
        receipt = self._queued()
        self.emulator.inject_fault("http_500_html")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.assertFalse(receipt.fiscal_number)
        self.recover()  # Vchasno has no such tag: back to the queue, same tag
        self.assertEqual(receipt.state, "to_send")
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_connect_error_retries_later(self):
        receipt = self._queued()
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_ua_vchasno_kasa.api_url", closed_port_url()
        )
        self.send()
        self.assertEqual(receipt.state, "to_send")
        self.assertEqual(receipt.error_kind, "transport")
        self.assertTrue(receipt.next_attempt_at)
        self.assertEqual(self.register.consecutive_failures, 1)
        self.send()  # not due yet: nothing happens
        self.assertEqual(receipt.attempt_count, 1)
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_ua_vchasno_kasa.api_url", self.emulator_url
        )
        self.make_due(receipt)
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        self.assertEqual(self.register.consecutive_failures, 0)

    def test_circuit_breaker_opens_after_repeated_failures(self):
        receipts = self._queued() | self._queued()
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_ua_vchasno_kasa.api_url", closed_port_url()
        )
        for _i in range(5):
            self.make_due(receipts[0])
            self.register.sudo().consecutive_failures = _i
            self.send(batch_size=1)
        self.assertTrue(self.register.circuit_open_until)
        self.assertGreater(self.register.circuit_open_until, fields.Datetime.now())
        attempts = receipts.mapped("attempt_count")
        receipts.sudo().next_attempt_at = False
        self.send()  # circuit open: nothing is tried
        self.assertEqual(receipts.mapped("attempt_count"), attempts)

    def test_res_action_1_retries(self):
        receipt = self._queued()
        self.emulator.inject_fault("res_action_1")
        self.send()
        self.assertRecordValues(
            receipt, [{"state": "to_send", "error_kind": "refused"}]
        )
        self.make_due(receipt)
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_res_action_2_is_unknown(self):
        receipt = self._queued()
        self.emulator.inject_fault("res_action_2")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.recover()
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_res_action_3_is_error_with_vchasno_text(self):
        receipt = self._queued()
        self.emulator.inject_fault("res_action_3")
        self.send()
        self.assertEqual(receipt.state, "error")
        self.assertTrue(receipt.error_text)
        self.assertIn(receipt.error_text, receipt.error_message)
        self.assertEqual(self.docs(tag=receipt.tag), [])
        self.assertEqual(receipt.payment_id.vchasno_state, "error")
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_throttled_honours_retry_after(self):
        receipt = self._queued()
        self.emulator.inject_fault("http_429")
        before = fields.Datetime.now()
        self.send()
        self.assertEqual(receipt.state, "to_send")
        self.assertGreaterEqual(
            receipt.next_attempt_at, before + timedelta(seconds=119)
        )
        self.send()
        self.assertEqual(receipt.attempt_count, 1, "no call before Retry-After")

    def test_dead_sender_is_recovered_without_blind_resend(self):
        receipt = self._queued()
        claimed = self.env["vchasno.receipt"]._claim_next()
        self.assertEqual(claimed, receipt)
        self.assertEqual(receipt.state, "sending")
        # The worker died before calling Vchasno; minutes pass.
        receipt.sudo().last_attempt_at = fields.Datetime.now() - timedelta(minutes=10)
        self.recover()
        self.assertEqual(receipt.state, "to_send")
        self.send()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_unknown_unresolved_becomes_error_for_a_human(self):
        receipt = self._queued()
        self.emulator.inject_fault("timeout_after_record")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        self.emulator.inject_fault("http_500_html", count=10)
        down = VchasnoNotSentError("connection refused")
        with patch.object(VchasnoClient, "find_by_tag", side_effect=down):
            for _i in range(5):
                self.recover()
        self.assertEqual(receipt.state, "error")
        self.assertIn(receipt.tag, receipt.error_message)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_repeat_tag_either_way_one_document(self):
        for mode in ("return_stored", "new_document"):
            with self.subTest(mode=mode):
                self.emulator.reset()
                self.emulator.configure(repeat_tag=mode, hang_s=3)
                receipt = self._queued()
                self.emulator.inject_fault("timeout_after_record")
                self.send()
                self.recover()
                self.send()
                self.assertEqual(receipt.state, "done")
                self.assertEqual(len(self.docs(tag=receipt.tag)), 1)


@tagged("post_install", "-at_install")
class TestAuthAndCompanies(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_company_b()
        cls.bank_b.vchasno_register_id = cls.register_b

    def _payment(self, company, journal, amount=50.0):
        payment = (
            self.env["account.payment"]
            .with_company(company)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": amount,
                    "journal_id": journal.id,
                }
            )
        )
        payment.action_post()
        return payment

    def test_bad_token_pauses_register_and_tells_managers(self):
        self.emulator.configure(strict_tokens=True, tokens=[TOKEN_B])
        payment_a = self._payment(self.company, self.bank_journal)
        payment_b = self._payment(self.company_b, self.bank_b)
        self.send()
        receipt_a = payment_a.vchasno_receipt_ids
        self.assertEqual(receipt_a.state, "to_send", "paused, not failed")
        self.assertEqual(receipt_a.error_kind, "auth")
        self.assertTrue(self.register.auth_failed)
        self.assertTrue(self.register.activity_ids)
        self.assertEqual(payment_b.vchasno_receipt_ids.state, "done")
        self.make_due(receipt_a)
        self.send()
        self.assertEqual(receipt_a.attempt_count, 1, "paused register is not retried")
        # A manager enters a valid token: sending resumes.
        self.emulator.configure(strict_tokens=False)
        self.register.api_token = TOKEN_A + "x"
        self.assertFalse(self.register.auth_failed)
        self.send()
        self.assertEqual(receipt_a.state, "done")

    def test_each_company_sends_with_its_own_token(self):
        payment_a = self._payment(self.company, self.bank_journal)
        payment_b = self._payment(self.company_b, self.bank_b)
        self.send()
        (doc_a,) = self.docs(tag=payment_a.vchasno_receipt_ids.tag)
        (doc_b,) = self.docs(tag=payment_b.vchasno_receipt_ids.tag)
        self.assertEqual(
            doc_a["token_hash"], hashlib.sha256(TOKEN_A.encode()).hexdigest()
        )
        self.assertEqual(
            doc_b["token_hash"], hashlib.sha256(TOKEN_B.encode()).hexdigest()
        )
        self.assertEqual(doc_b["fiscal"]["receipt"]["rows"][0]["taxgrp"], 2)

    def test_user_of_a_sees_no_receipt_of_b(self):
        self._payment(self.company, self.bank_journal)
        self._payment(self.company_b, self.bank_b)
        user = new_test_user(
            self.env,
            "vk_a_only",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        receipts = self.env["vchasno.receipt"].with_user(user).search([])
        self.assertEqual(receipts.company_id, self.company)

    def test_receipt_on_other_company_register_refused(self):
        payment = self._payment(self.company, self.bank_journal)
        with self.assertRaises(UserError):
            payment.vchasno_receipt_ids.sudo().register_id = self.register_b

    def test_token_never_logged_or_stored(self):
        self.emulator.inject_fault("http_500_html")
        payment = self._payment(self.company, self.bank_journal)
        with self.assertLogs("odoo.addons.l10n_ua_vchasno_kasa", logging.DEBUG) as logs:
            self.send()
            self.recover()
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual(receipt.state, "done")
        stored = " ".join(
            [
                "\n".join(logs.output),
                str(receipt.payload),
                str(receipt.response),
                str(receipt.error_message),
                " ".join(receipt.message_ids.mapped("body")),
                " ".join(payment.message_ids.mapped("body")),
            ]
        )
        self.assertNotIn(TOKEN_A, stored)


@tagged("post_install", "-at_install")
class TestConcurrencyAndCorrections(VchasnoCommon):
    def test_send_now_while_sender_holds_it(self):
        receipt = self.pay(self.make_invoice()).vchasno_receipt_ids
        # The cron holds the row lock: SKIP LOCKED claims nothing, as it would
        # in real life (tests/test_outcome_commits has real cursors).
        with (
            patch.object(type(receipt), "_claim_next", return_value=receipt.browse()),
            self.assertRaisesRegex(UserError, "being sent"),
        ):
            receipt.action_send_now()
        self.assertEqual(self.docs(), [])

    def test_cancel_while_sending_is_blocked(self):
        payment = self.pay(self.make_invoice(), journal=self.cash_journal)
        receipt = payment.vchasno_receipt_ids
        self.force_state(receipt, "sending")
        with self.assertRaisesRegex(UserError, "being sent"):
            payment.action_draft()
        self.assertEqual(receipt.state, "sending")

    def test_done_receipt_cannot_be_deleted(self):
        payment = self.pay(self.make_invoice())
        self.send()
        with self.assertRaises(UserError):
            payment.vchasno_receipt_ids.sudo().unlink()

    def test_one_connection_per_batch(self):
        for _i in range(4):
            self.pay(self.make_invoice())
        created = []
        original = VchasnoClient.__init__

        def spy(client, *args, **kwargs):
            created.append(client)
            return original(client, *args, **kwargs)

        with patch.object(VchasnoClient, "__init__", spy):
            self.send()
        self.assertEqual(len(self.docs()), 4)
        self.assertEqual(len(created), 1)
        self.assertEqual(
            self.env["vchasno.receipt"].search_count([("state", "=", "done")]), 4
        )
