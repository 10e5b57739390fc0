"""Recovery: receipts whose sender died, answers that were lost.

A "sending" row that nobody holds a lock on belongs to a dead sender: it
becomes "unknown". An "unknown" receipt is never resent blindly: Vchasno is
asked for it by its tag (``_reconcile``; the shift file settles lost Z reports
and shift openings by the register status). Every change is a transition of
the state machine; each receipt is settled in a transaction of its own, and
one receipt's failure (or a register that cannot be reached) never stops the
others.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..tools.vchasno_errors import VchasnoError
from . import vchasno_tx

_logger = logging.getLogger(__name__)

RECOVER_BATCH = 50
RECOVER_GRACE = timedelta(minutes=5)  # a "sending" row older than this has no sender
RECOVER_MAX = 5  # reconciliation attempts before a human is asked


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    # === Cron entry point === #

    @api.model
    def _cron_recover_receipts(self):
        """Dead senders' rows become "unknown"; "unknown" rows are reconciled."""
        self._run_pending_followups()
        self._recover_dead_senders()
        # Every company's receipts: the cron is not bound to one user's rules.
        receipts = self.sudo().search([("state", "=", "unknown")], limit=RECOVER_BATCH)
        clients = {}
        try:
            for receipt in receipts:
                settled = vchasno_tx.isolated(
                    self.env,
                    lambda r=receipt: r._reconcile_alone(clients),
                    "Vchasno receipt %s: reconciliation failed",
                    receipt.id,
                )
                if settled:
                    receipt._run_followups(commit=True)
        finally:
            for client in clients.values():
                client.close()
        return True

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
            receipts._transition(
                "unknown",
                {
                    "error_kind": "unknown",
                    "error_message": _(
                        "The sender stopped during the call; "
                        "the outcome is being checked."
                    ),
                },
            )
            _logger.warning("Vchasno receipts %s were left sending: now unknown", ids)
            # Committed alone, before anything is asked of Vchasno.
            vchasno_tx.commit(self.env)
            receipts._run_followups(commit=True)
        return ids

    def _reconcile_alone(self, clients):
        self._reconcile(clients)
        # The settled outcome, alone.
        vchasno_tx.commit(self.env)

    def _reconcile(self, clients):
        """Ask Vchasno whether an "unknown" receipt exists, by its tag."""
        self.ensure_one()
        # sudo: the recovery cron settles every company's receipts (code only),
        # its notes in the company's language.
        receipt = self.sudo()._vchasno_in_company_lang()
        register = receipt.register_id
        if not register._is_available():
            return
        # Only what "Check Vchasno behaviour" proved is used (issue 11): a tag
        # search, a resend with the same tag, or else a person decides
        # (vchasno_receipt_confirm).
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
            receipt._transition(
                "done",
                receipt._done_vals(found),
                note=receipt.env._("Found in Vchasno by its tag after a lost answer."),
                steps=["_after_register_ok"],
            )
        elif found is None and register._vchasno_trusts_tag_search():
            # Vchasno says it never received this tag: resending it (same tag,
            # same payload) cannot make a second receipt.
            receipt._transition(
                "to_send",
                {"next_attempt_at": False, "recover_count": receipt.recover_count + 1},
                note=receipt.env._(
                    "Vchasno has no receipt with this tag: sending it again."
                ),
            )
            self._trigger_sender()
        else:
            receipt._count_recover_failure(None)

    def _count_recover_failure(self, err):
        self.ensure_one()
        count = self.recover_count + 1
        vals = {"recover_count": count}
        if count < RECOVER_MAX:
            self.write(vals)
            return
        vals.update(
            error_kind="unknown",
            error_message=_(
                "Vchasno's answer was lost and the receipt could not be found "
                "by its tag %(tag)s. Look for it in the Vchasno cabinet: if it "
                "was issued, press 'Issued in cabinet' and enter its fiscal "
                "number; otherwise press 'Retry' to send it again.",
                tag=self.tag,
            ),
        )
        self._transition("error", vals)
