"""Sending and recovery of receipts: the only place that calls Vchasno for them.

Every HTTP call happens after the business transaction committed, in a
transaction of its own that holds a row lock on the receipt (so a live sender
can be told apart from a dead one) and commits as soon as the outcome is stored.
"""

import logging
import random
import time
from datetime import timedelta

from odoo import _, api, fields, models, modules, tools
from odoo.tools import SQL

from ..tools.redact import redact
from ..tools.vchasno_errors import (
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoError,
    VchasnoNotSentError,
    VchasnoOutcomeUnknownError,
    VchasnoPayloadError,
    VchasnoThrottledError,
    describe_error,
)
from .kyiv_time import kyiv_to_utc

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # receipts claimed per cron run before re-triggering
TIME_BOX = 120  # seconds a cron run may spend sending
BACKOFF_BASE = 30  # seconds; full jitter: random(0, min(cap, base * 2 ** n))
BACKOFF_CAP = 3600
RECOVER_GRACE = timedelta(minutes=5)  # a "sending" row older than this has no sender
RECOVER_MAX = 5  # reconciliation attempts before a human is asked
FAST_READ_TIMEOUT = 8  # seconds the "print now" path waits for Vchasno


def _can_commit():
    """Commits are for real runs only: tests run inside one transaction."""
    return not tools.config["test_enable"] and not modules.module.current_test


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    # === Cron entry points === #

    @api.model
    def _cron_send_pending_receipts(self, batch_size=BATCH_SIZE, time_box=TIME_BOX):
        """Send due receipts, one transaction per receipt, within a time box."""
        deadline = time.monotonic() + time_box
        clients = {}
        done = 0
        try:
            while done < batch_size and time.monotonic() < deadline:
                receipt = self._claim_next()
                if not receipt:
                    break
                try:
                    receipt._send_claimed(clients)
                except Exception:
                    if not _can_commit():
                        raise
                    # A bug must not stop the queue: the row stays "sending"
                    # (committed), so recovery checks it by its tag later.
                    _logger.exception(
                        "Vchasno receipt %s: unexpected error", receipt.id
                    )
                    self.env.cr.rollback()
                done += 1
        finally:
            for client in clients.values():
                client.close()
        remaining = self._due_count()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            self._trigger_sender()
        return done

    @api.model
    def _cron_recover_receipts(self):
        """Dead senders' rows become "unknown"; "unknown" rows are reconciled."""
        self._recover_dead_senders()
        # Every company's receipts: the cron is not bound to one user's rules.
        receipts = self.sudo().search([("state", "=", "unknown")], limit=BATCH_SIZE)
        clients = {}
        try:
            for receipt in receipts:
                receipt._reconcile(clients)
                self._commit()
        finally:
            for client in clients.values():
                client.close()
        return True

    # === Claiming === #

    @api.model
    def _due_domain_sql(self):
        return SQL("""
              r.state = 'to_send'
          AND (r.next_attempt_at IS NULL
               OR r.next_attempt_at <= now() at time zone 'UTC')
          AND g.active
          AND g.auth_failed IS NOT TRUE
          AND (g.circuit_open_until IS NULL
               OR g.circuit_open_until <= now() at time zone 'UTC')
          AND (r.original_receipt_id IS NULL OR EXISTS (
                SELECT 1 FROM vchasno_receipt o
                 WHERE o.id = r.original_receipt_id AND o.state = 'done'))
        """)

    @api.model
    def _due_count(self):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM vchasno_receipt r "
                "JOIN vchasno_register g ON g.id = r.register_id WHERE %s",
                self._due_domain_sql(),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim_next(self, ids=None):
        """Mark one due receipt "sending" and commit, or return an empty set.

        SKIP LOCKED lets several workers share the queue: each gets other rows.
        """
        where = self._due_domain_sql()
        if ids:
            where = SQL("%s AND r.id IN %s", where, tuple(ids))
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT r.id FROM vchasno_receipt r "
                    "JOIN vchasno_register g ON g.id = r.register_id WHERE %s "
                    "ORDER BY r.id LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
                    where,
                )
            )
            row = self.env.cr.fetchone()
            if not row:
                return self.browse()
            # sudo: the sender (cron, or an action that checked vchasno.access)
            # works on the row it has just locked for itself.
            receipt = self.browse(row[0]).sudo()
            receipt.invalidate_recordset()
            if receipt.payload or receipt._freeze_payload():
                break
            self._commit()  # the receipt now waits or is in error: next one
        receipt.write(
            {
                "state": "sending",
                "attempt_count": receipt.attempt_count + 1,
                "last_attempt_at": fields.Datetime.now(),
            }
        )
        # Commit "sending" before the call: whatever happens to this worker
        # now, the row says that a request may have gone out.
        self._commit()
        return receipt

    def _freeze_payload(self):
        """Build and store the request once; False if it must wait or failed."""
        self.ensure_one()
        try:
            if not self._bind_sources():
                return False
            self.payload = self.with_context(lang=self._receipt_lang())._build_payload()
        except VchasnoError as err:
            self._set_error("data", err)
            self._post_outcome()
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
        Register Payment dialog reconciles the payment after posting it.
        """
        self.ensure_one()
        payment = self.payment_id
        if payment and not self.move_id:
            self.move_id = payment._vchasno_documents()[:1]
        if self.kind == "return" and payment and not self.original_receipt_id:
            original, problem = payment._vchasno_find_original()
            self.original_receipt_id = original
            if problem:
                raise VchasnoPayloadError([problem])
        if self.original_receipt_id and self.original_receipt_id.state != "done":
            # A return goes out only after its sale receipt is done.
            self.next_attempt_at = fields.Datetime.now() + timedelta(minutes=1)
            return False
        return True

    # === Sending === #

    def _send_now(self, read_timeout=FAST_READ_TIMEOUT):
        """The synchronous path ("send now", "print now"): same code as the cron."""
        receipt = self._claim_next(ids=self.ids)
        if receipt:
            clients = {}
            try:
                receipt._send_claimed(clients, read_timeout=read_timeout)
            finally:
                for client in clients.values():
                    client.close()
        self.invalidate_recordset()
        return receipt

    def _send_claimed(self, clients, read_timeout=None):
        """Call Vchasno for a claimed receipt, store the outcome, commit."""
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
            result = clients[key].execute(receipt.payload)
        except VchasnoAuthError as err:
            register._handle_auth_failure(err)
            receipt._set_retry(err, kind="auth", count_failure=False)
        except VchasnoThrottledError as err:
            receipt._set_retry(err, min_delay=err.retry_after or 0)
        except VchasnoNotSentError as err:
            register._record_transport_failure()
            receipt._set_retry(err)
        except VchasnoOutcomeUnknownError as err:
            register._record_transport_failure()
            receipt._set_unknown(err)
        except VchasnoApiError as err:
            register._record_success()
            if err.retryable:
                receipt._set_retry(err, kind="refused")
            elif err.collision:
                receipt._set_unknown(err)
            else:
                receipt._set_error("refused", err)
        except VchasnoError as err:
            receipt._set_error("data", err)
        else:
            register._record_success()
            receipt._set_done(result)
            register._after_send(receipt, result)
        receipt._post_outcome()
        self._commit()

    # === Outcomes === #

    def _error_vals(self, kind, err):
        return {
            "error_kind": kind,
            "error_code": str(getattr(err, "res", None) or err.code or ""),
            "error_text": getattr(err, "errortxt", False) or False,
            "error_message": describe_error(err, lang=self.env.lang),
        }

    def _set_done(self, result):
        self.ensure_one()
        self.write(
            {
                "state": "done",
                "fiscal_number": result.doccode,
                "register_fiscal_id": result.fisid,
                "local_number": result.docno and str(result.docno),
                "shift_number": result.shift_link and str(result.shift_link),
                "fiscal_date": kyiv_to_utc(result.dt) or fields.Datetime.now(),
                "qr": result.qr,
                "public_url": result.public_url if result.doccode else False,
                "is_test": result.is_test,
                "is_offline": result.is_offline,
                "response": redact(result.raw, []),
                "next_attempt_at": False,
                "error_kind": False,
                "error_code": False,
                "error_text": False,
                "error_message": False,
            }
        )
        if self.kind in ("x_report", "z_report"):
            self.report_totals = result.info
        _logger.info("Vchasno receipt %s done: %s", self.id, result.doccode)

    def _set_retry(self, err, kind="transport", min_delay=0, count_failure=True):
        self.ensure_one()
        cap = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(self.attempt_count - 1, 0))
        delay = max(random.uniform(0, cap), min_delay)
        vals = self._error_vals(kind, err)
        vals.update(
            state="to_send",
            next_attempt_at=fields.Datetime.now() + timedelta(seconds=delay),
        )
        self.write(vals)
        if count_failure:
            _logger.info(
                "Vchasno receipt %s not sent, retry in %.0f s: %s",
                self.id,
                delay,
                vals["error_message"],
            )
        if kind != "auth":
            self._trigger_sender(vals["next_attempt_at"])

    def _set_unknown(self, err):
        self.ensure_one()
        vals = self._error_vals("unknown", err)
        vals["state"] = "unknown"
        self.write(vals)
        _logger.warning(
            "Vchasno receipt %s: outcome unknown (%s)", self.id, vals["error_message"]
        )
        self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_recover")._trigger(
            fields.Datetime.now() + timedelta(minutes=1)
        )

    def _set_error(self, kind, err):
        self.ensure_one()
        vals = self._error_vals(kind, err)
        vals["state"] = "error"
        self.write(vals)
        _logger.warning(
            "Vchasno receipt %s refused: %s", self.id, vals["error_message"]
        )

    # === Recovery === #

    @api.model
    def _recover_dead_senders(self):
        """ "sending" rows that nobody holds a lock on belong to a dead sender."""
        limit = fields.Datetime.now() - RECOVER_GRACE
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM vchasno_receipt WHERE state = 'sending' "
                "AND (last_attempt_at IS NULL OR last_attempt_at < %s) "
                "FOR UPDATE SKIP LOCKED",
                limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            # sudo: recovery is the cron's, across every company.
            receipts = self.browse(ids).sudo()
            receipts.write(
                {
                    "state": "unknown",
                    "error_kind": "unknown",
                    "error_message": _(
                        "The sender stopped during the call; "
                        "the outcome is being checked."
                    ),
                }
            )
            _logger.warning("Vchasno receipts %s were left sending: now unknown", ids)
            self._commit()
        return ids

    def _reconcile(self, clients):
        """Ask Vchasno whether an "unknown" receipt exists, by its tag."""
        self.ensure_one()
        # sudo: the recovery cron settles every company's receipts (code only).
        receipt = self.sudo()
        register = receipt.register_id
        if not register._is_available():
            return
        # Only what "Check Vchasno behaviour" proved is used (issue 11): a tag
        # search, a resend with the same tag, or else a person decides.
        path = register._vchasno_recovery_path()
        if path != "search":
            receipt._vchasno_recover_by(path)
            return
        try:
            if register.id not in clients:
                clients[register.id] = register._get_client()
            found = clients[register.id].find_by_tag(receipt.tag)
        except VchasnoError as err:
            receipt._count_recover_failure(err)
            return
        if found is not None and found.doccode:
            receipt._set_done(found)
            receipt.message_post(
                body=_("Found in Vchasno by its tag after a lost answer.")
            )
            receipt._post_outcome()
        elif found is None and register._vchasno_trusts_tag_search():
            # Vchasno says it never received this tag: resending it (same tag,
            # same payload) cannot make a second receipt.
            receipt.write(
                {
                    "state": "to_send",
                    "next_attempt_at": False,
                    "recover_count": receipt.recover_count + 1,
                }
            )
            receipt.message_post(
                body=_("Vchasno has no receipt with this tag: sending it again.")
            )
            self._trigger_sender()
        else:
            receipt._count_recover_failure(None)

    def _count_recover_failure(self, err):
        self.ensure_one()
        count = self.recover_count + 1
        vals = {"recover_count": count}
        if count >= RECOVER_MAX:
            vals.update(
                state="error",
                error_kind="unknown",
                error_message=_(
                    "Vchasno's answer was lost and the receipt could not be found "
                    "by its tag %(tag)s. Look for it in the Vchasno cabinet: if it "
                    "was issued, do not send it again; otherwise use Retry.",
                    tag=self.tag,
                ),
            )
        self.write(vals)
        if count >= RECOVER_MAX:
            self._post_outcome()

    @api.model
    def _commit(self):
        if _can_commit():
            # The outcome of a fiscal call must survive whatever happens next
            # in this worker: commit it at once (RELIABILITY.md §6.4).
            self.env.cr.commit()  # pylint: disable=invalid-commit
