"""What follows a transition: chatter, register bookkeeping, delivery.

The fiscal outcome of a receipt is committed alone (RELIABILITY.md §6.4).
``_transition`` lists the steps that follow it in ``followups``; once the
outcome is committed, ``_run_followups`` runs each step in a transaction of
its own (or a savepoint, inside a request or a test), removing the step from
the list in that same transaction. A step that fails is rolled back and
stays listed; the next run of the sender or of recovery tries it again, up
to ``FOLLOWUP_MAX`` failures, then it is dropped with an error in the log.
So a crash right after the outcome loses nothing: the list is committed
with the outcome.

Steps are receipt methods named ``_after_<what>``; other files register
theirs by extending ``_after_transition_steps``.
"""

import logging

from psycopg2.extensions import TransactionRollbackError

from odoo import api, models
from odoo.tools import SQL

from . import vchasno_tx

_logger = logging.getLogger(__name__)

FOLLOWUP_MAX = 5  # failures before pending steps are given up
FOLLOWUP_BATCH = 200  # receipts per run of _run_pending_followups


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def _after_transition_steps(self, old_state, new_state):
        # EXTENDS l10n_ua_vchasno_kasa: a done receipt updates its register
        # (cash in the register, shift bookkeeping).
        steps = super()._after_transition_steps(old_state, new_state)
        if new_state == "done":
            steps.append("_after_register_done")
        return steps

    # === Runner === #

    def _run_followups(self, commit=False):
        """Run the pending steps of these receipts, each on its own.

        :param commit: commit after each step (the sender's own cursor);
            otherwise each step is a savepoint of the caller's transaction
        """
        # sudo: follow-ups are the code's own work on receipts users only read;
        # their notes are written in the company's language, whoever runs them.
        for receipt in self.sudo():
            receipt = receipt._vchasno_in_company_lang()  # noqa: PLW2901
            for step in (receipt.followups or "").split():
                if not receipt._run_step(step, commit):
                    break
        return True

    def _run_step(self, step, commit):
        """Run one pending step; False when this worker must leave the rest.

        The receipt's row is locked first (SKIP LOCKED): a step another worker
        is running, or has just finished, is not run twice (a delivery would
        be sent twice). A concurrent update (another worker changed the same
        register meanwhile) is no failure: the step stays due, for the next
        run, and is logged without a traceback. In the sender's own cursor a
        step is its own transaction; elsewhere (a request, a test) a savepoint.
        """
        self.ensure_one()
        own_transaction = commit and vchasno_tx.can_commit(self.env.cr)
        try:
            if own_transaction:
                if not self._step_is_mine(step):
                    vchasno_tx.rollback(self.env)  # releases the row, if locked
                    return False
                getattr(self, step)()
                self._forget_step(step)
                # The step and its removal from the list, alone.
                vchasno_tx.commit(self.env)
            else:
                with self.env.cr.savepoint():
                    if not self._step_is_mine(step):
                        return False
                    getattr(self, step)()
                    self._forget_step(step)
        except TransactionRollbackError as err:
            if own_transaction:
                vchasno_tx.rollback(self.env)
            _logger.info(
                "Vchasno receipt %s: follow-up %s met a concurrent update, "
                "it runs again later (%s)",
                self.id,
                step,
                str(err).strip().splitlines()[0],
            )
            self._trigger_sender()
            if own_transaction:
                vchasno_tx.commit(self.env)
            return False
        except Exception:
            _logger.exception("Vchasno receipt %s: follow-up %s failed", self.id, step)
            if own_transaction:
                vchasno_tx.rollback(self.env)
            self._count_followup_failure()
            if own_transaction:
                vchasno_tx.commit(self.env)
        return True

    def _step_is_mine(self, step):
        """Lock this receipt for its follow-ups; whether ``step`` is still due."""
        self.env.cr.execute(
            SQL(
                "SELECT followups FROM vchasno_receipt WHERE id = %s "
                "FOR UPDATE SKIP LOCKED",
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        if row is None:
            return False  # another worker holds it: it runs the steps
        self.invalidate_recordset(["followups", "followup_notes"])
        return step in (row[0] or "").split()

    def _forget_step(self, step):
        pending = [name for name in (self.followups or "").split() if name != step]
        vals = {"followups": " ".join(pending) or False}
        if step == "_after_chatter":
            vals["followup_notes"] = False
        self.write(vals)

    def _count_followup_failure(self):
        self.invalidate_recordset(["followups", "followup_failures"])
        failures = self.followup_failures + 1
        vals = {"followup_failures": failures}
        if failures >= FOLLOWUP_MAX:
            _logger.error(
                "Vchasno receipt %s: follow-ups %s given up after %s failures",
                self.id,
                self.followups,
                failures,
            )
            vals.update(followups=False, followup_notes=False)
        self.write(vals)

    @api.model
    def _run_pending_followups(self, limit=FOLLOWUP_BATCH):
        """Steps left by a crash or a failure (sender and recovery crons)."""
        # sudo: the crons finish every company's follow-ups (code only).
        receipts = self.sudo().search([("followups", "!=", False)], limit=limit)
        receipts._run_followups(commit=True)
        return receipts

    # === Steps === #

    def _after_chatter(self):
        """Log the notes of the transitions; outcomes also on the source."""
        source = self._vchasno_source()
        for body, on_source in self.followup_notes or []:
            # A log note (no followers to notify): cheap on the sender's path.
            self._message_log(body=body)
            if on_source and source:
                # sudo: the outcome's note on its payment, whoever sent it.
                source.sudo()._message_log(body=body)

    def _after_register_done(self):
        """The register learns from the issued receipt (cash, shift)."""
        self.register_id._after_send(self)

    def _after_register_ok(self):
        """Vchasno answered: the register's failure counters are reset."""
        self.register_id._record_success()

    def _after_register_failure(self):
        """Vchasno was not reached: count it for the circuit breaker."""
        self.register_id._record_transport_failure()

    def _after_register_auth(self):
        """The token was refused: pause the register and tell the managers."""
        self.register_id._handle_auth_failure(self.error_message)
