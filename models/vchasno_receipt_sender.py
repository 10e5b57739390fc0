"""Sending receipts: the only place that calls Vchasno for them.

Every HTTP call happens after the business transaction committed, in a
transaction of its own that holds a row lock on the receipt (so a live sender
can be told apart from a dead one). When Vchasno answers, the receipt's
outcome (its transition) is committed alone; register bookkeeping, delivery
and chatter follow, each in its own transaction (vchasno_receipt_followup).

The sender commits only cursors that are its own: the cron worker's, or the
one ``_send_now`` opens next to a request (vchasno_tx).
"""

import logging
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..tools.vchasno_errors import VchasnoError, VchasnoPayloadError
from . import vchasno_tx

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # receipts claimed per cron run before re-triggering
TIME_BOX = 120  # seconds a cron run may spend sending
BIND_RETRY = timedelta(minutes=1)  # a return waits this long for its sale
FAST_READ_TIMEOUT = 8  # seconds the "print now" path waits for Vchasno
# What the request sees of a receipt that its own cursor's sender sent.
OUTCOME_FIELDS = (
    "state", "tag", "payload", "response", "attempt_count", "next_attempt_at",
    "last_attempt_at", "error_kind", "error_code", "error_text", "error_message",
    "fiscal_number", "register_fiscal_id", "local_number", "shift_number",
    "fiscal_date", "qr", "public_url", "is_test", "is_offline", "report_totals",
    "maybe_issued", "followups", "followup_notes", "original_receipt_id",
)  # fmt: skip


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    # === Cron entry point === #

    @api.model
    def _cron_send_pending_receipts(
        self, batch_size=BATCH_SIZE, time_box=TIME_BOX, register_ids=None
    ):
        """Send due receipts, one transaction per receipt, within a time box.

        :param register_ids: a register's own cron sends that register's
            receipts only (models/vchasno_register_sender: registers drain in
            parallel, each one in order). Without it, this is the global cron:
            it wakes the crons of the registers that have due receipts, and
            sends for the registers without an active cron of their own.
        """
        if register_ids is None:
            scope = self._dispatch_register_crons()
        else:
            scope = SQL("r.register_id IN %s", tuple(register_ids) or (0,))
        deadline = time.monotonic() + time_box
        self._run_pending_followups()
        clients = {}
        done = 0
        try:
            while done < batch_size and time.monotonic() < deadline:
                receipt = self._claim_next(scope=scope)
                if not receipt:
                    break
                # A bug must not stop the queue: the row stays "sending"
                # (committed), so recovery checks it by its tag later.
                vchasno_tx.isolated(
                    self.env,
                    lambda r=receipt: r._send_claimed(clients),
                    "Vchasno receipt %s: unexpected error",
                    receipt.id,
                )
                done += 1
        finally:
            for client in clients.values():
                client.close()
        remaining = self._due_count(scope)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            registers = self.env["vchasno.register"].browse(register_ids or ())
            self._trigger_crons(registers)
        return done

    @api.model
    def _dispatch_register_crons(self):
        """The global cron's part: wake the register crons with due receipts.

        :return: the SQL scope of what the global cron sends itself: the
            receipts of registers without an active cron of their own
        """
        self.env["vchasno.register"]._sync_sender_crons()
        self.env.flush_all()
        own_cron = SQL(
            "EXISTS (SELECT 1 FROM ir_cron k "
            "WHERE k.id = g.sender_cron_id AND k.active)"
        )
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT g.sender_cron_id FROM %s WHERE %s AND %s",
                self._due_from_sql(),
                self._due_domain_sql(),
                own_cron,
            )
        )
        cron_ids = [row[0] for row in self.env.cr.fetchall()]
        # sudo: the crons of the registers (admin records), woken by code.
        for cron in self.env["ir.cron"].sudo().browse(cron_ids):
            cron._trigger()
        return SQL("NOT %s", own_cron)

    # === Claiming === #

    @api.model
    def _due_domain_sql(self):
        backoff = SQL(
            "(r.next_attempt_at IS NULL "
            "OR r.next_attempt_at <= now() at time zone 'UTC')"
        )
        if self.env.context.get("vchasno_ignore_backoff"):
            backoff = SQL("TRUE")  # a person asked for it now
        # Nothing is sent for a company whose integration is off, nor by a
        # register that is archived, has no token (a neutralized database)
        # or is paused: those receipts wait and say why (waiting_reason).
        return SQL(
            """
              r.state = 'to_send'
          AND %s
          AND c.vchasno_enabled
          AND g.active
          AND COALESCE(g.api_token, '') <> ''
          AND g.auth_failed IS NOT TRUE
          AND (g.circuit_open_until IS NULL
               OR g.circuit_open_until <= now() at time zone 'UTC')
          AND (r.original_receipt_id IS NULL OR EXISTS (
                SELECT 1 FROM vchasno_receipt o
                 WHERE o.id = r.original_receipt_id AND o.state = 'done'))
            """,
            backoff,
        )

    @api.model
    def _due_from_sql(self):
        return SQL(
            "vchasno_receipt r "
            "JOIN vchasno_register g ON g.id = r.register_id "
            "JOIN res_company c ON c.id = r.company_id"
        )

    @api.model
    def _due_count(self, scope=None):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s AND %s",
                self._due_from_sql(),
                self._due_domain_sql(),
                scope or SQL("TRUE"),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim_next(self, ids=None, scope=None):
        """Mark one due receipt "sending" and commit, or return an empty set.

        SKIP LOCKED lets several workers share the queue: each gets other rows.

        :param ids: only these receipts (a "send now")
        :param scope: an SQL condition on ``r`` (receipt) and ``g`` (register):
            the registers this sender serves
        """
        where = self._due_domain_sql()
        if scope:
            where = SQL("%s AND %s", where, scope)
        if ids:
            where = SQL("%s AND r.id IN %s", where, tuple(ids))
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT r.id FROM %s WHERE %s "
                    "ORDER BY r.id LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
                    self._due_from_sql(),
                    where,
                )
            )
            row = self.env.cr.fetchone()
            if not row:
                return self.browse()
            # sudo: the sender (cron, or an action that checked vchasno.access)
            # works on the row it has just locked for itself; what it stores
            # (errors, notes) is in the company's language.
            receipt = self.browse(row[0]).sudo()._vchasno_in_company_lang()
            receipt.invalidate_recordset()
            if receipt.payload or receipt._freeze_payload():
                break
            # The receipt now waits or is in error: that alone, then the next.
            vchasno_tx.commit(self.env)
            receipt._run_followups(commit=True)
        receipt._transition(
            "sending",
            {
                "attempt_count": receipt.attempt_count + 1,
                "last_attempt_at": fields.Datetime.now(),
            },
        )
        # Commit "sending" before the call: whatever happens to this worker
        # now, the row says that a request may have gone out.
        vchasno_tx.commit(self.env)
        return receipt

    def _freeze_payload(self):
        """Build and store the request once; False if it must wait or failed."""
        self.ensure_one()
        try:
            if not self._bind_sources():
                return False
            self.payload = self.with_context(lang=self._receipt_lang())._build_payload()
        except VchasnoError as err:
            self._transition("error", self._error_vals("data", err))
            return False
        return True

    def _receipt_lang(self):
        """Rows are printed in the customer's language, Ukrainian by default."""
        self.ensure_one()
        langs = self.env["res.lang"].get_installed()
        for code in (self.partner_id.lang, self.company_id.partner_id.lang, "uk_UA"):
            if code and code in dict(langs):
                return code
        return self.env.lang

    def _bind_sources(self):
        """Late binding before the first send; False if the receipt must wait.

        A refund finds the sale receipt it returns against only now: the
        Register Payment dialog reconciles the payment after posting it. The
        ledger of that sale (a database CHECK) has the last word.
        """
        self.ensure_one()
        payment = self.payment_id
        if payment and not self.move_id:
            self.move_id = payment._vchasno_documents()[:1]
        if self.kind == "return" and payment and not self.original_receipt_id:
            original, problem = payment._vchasno_find_original()
            if problem:
                raise VchasnoPayloadError([problem])
            if not self._reserve_on(original):
                return False
        if self.original_receipt_id and self.original_receipt_id.state != "done":
            # A return goes out only after its sale receipt is done.
            self.next_attempt_at = fields.Datetime.now() + BIND_RETRY
            return False
        return True

    def _reserve_on(self, original):
        """Bind this return to ``original``: its ledger counts it from now on.

        :return: False when another worker changed that ledger meanwhile
            (try again in a minute, in a fresh transaction)
        :raise VchasnoPayloadError: the database refuses (more than is left)
        """
        try:
            with self.env.cr.savepoint():
                self.original_receipt_id = original
                self.flush_recordset(["original_receipt_id"])
        except psycopg2.errors.SerializationFailure:
            self.invalidate_recordset(["original_receipt_id"])
            self.next_attempt_at = fields.Datetime.now() + BIND_RETRY
            return False
        except psycopg2.errors.CheckViolation as err:
            self.invalidate_recordset(["original_receipt_id"])
            raise VchasnoPayloadError(
                [
                    _(
                        "The refund of %(amount)s is more than what is left to "
                        "return on the sale receipt (%(left)s).",
                        amount=self.amount,
                        left=original._returnable_amount(),
                    )
                ]
            ) from err
        return True

    # === Sending === #

    def _send_now(self, read_timeout=FAST_READ_TIMEOUT):
        """Send these receipts now: the synchronous path, safe from a request.

        The receipts must be committed already. They are sent in a cursor of
        the sender's own (``vchasno_tx.sender_env``), by the same code as the
        cron, and the request's transaction is never committed. Afterwards
        ``self`` shows the committed outcome, although the request's snapshot
        is older (copied into its cache, ``_show_outcome``).

        :return: the receipts that were sent (a receipt being sent by another
            worker, or not due, is not)
        """
        with vchasno_tx.sender_env(self.env) as env:
            receipts = self.with_env(env)
            sent_ids = receipts._send_here(read_timeout).ids
            if env is not self.env:
                self._show_outcome(receipts)
        return self.browse(sent_ids)

    def _send_here(self, read_timeout=None):
        """Claim and send these receipts in this (sender's) cursor; it commits."""
        sent = self.browse()
        clients = {}
        try:
            for _receipt in self:
                claimed = self._claim_next(ids=self.ids)
                if not claimed:
                    break
                claimed._send_claimed(clients, read_timeout=read_timeout)
                sent |= claimed
        finally:
            for client in clients.values():
                client.close()
        self.invalidate_recordset()
        return sent

    def _show_outcome(self, committed):
        """Put what another cursor committed for these receipts in this cache."""
        self.invalidate_recordset()
        for name in OUTCOME_FIELDS:
            field = self._fields[name]
            values = [
                field.convert_to_cache(receipt[name], receipt, validate=False)
                for receipt in committed
            ]
            self.env.cache.update(self, field, values)

    def _send_claimed(self, clients, read_timeout=None):
        """Call Vchasno for a claimed receipt, commit its outcome, follow up."""
        self.ensure_one()
        # sudo: outcomes are written by code only, on a receipt this sender claimed.
        receipt = self.sudo()
        # Held until the commit below: the recovery cron skips locked rows, so
        # it can only pick up "sending" rows whose sender has died.
        self.env.cr.execute(
            SQL("SELECT id FROM vchasno_receipt WHERE id = %s FOR UPDATE", receipt.id)
        )
        register = receipt.register_id
        try:
            key = (register.id, read_timeout)
            if key not in clients:
                clients[key] = register._get_client(read_timeout=read_timeout)
            register._before_send(receipt, clients[key])
            # Whatever _before_send wrote goes to the database before the
            # call: after it, this transaction writes the receipt only.
            self.env.flush_all()
            result = clients[key].execute(receipt.payload)
        except VchasnoError as err:
            target, vals, steps = receipt._outcome_of(err)
        else:
            target, vals, steps = "done", receipt._done_vals(result), []
            if register._has_failures():
                steps.append("_after_register_ok")
        receipt._transition(target, vals, steps=steps)
        receipt._schedule_after(target, vals)
        # The fiscal outcome, alone: whatever happens next in this worker.
        vchasno_tx.commit(self.env)
        receipt._run_followups(commit=True)
