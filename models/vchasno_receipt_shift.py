"""Shift operations on receipts: settling lost answers of Z reports and shift
openings by the register status, and refusals that prove nothing was issued.

See ``vchasno_register_shift`` for the rules.
"""

import logging

from odoo import _, models
from odoo.tools import SQL

from ..tools.vchasno_errors import (
    RES_SHIFT_ALREADY_OPEN,
    RES_SHIFT_EXPIRED,
    RES_SHIFT_NOT_OPEN,
    VchasnoApiError,
    VchasnoError,
)
from .vchasno_register_shift import SHIFT_KINDS, VchasnoShiftWait

_logger = logging.getLogger(__name__)

STATUS_SETTLED_KINDS = ("z_report", "open_shift")


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def init(self):
        # EXTENDS l10n_ua_vchasno_kasa: at most one Z report per register is
        # queued, in flight or unknown, so a second one can never go out.
        res = super().init()
        self.env.cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_pending_z_uniq
                ON vchasno_receipt (register_id)
             WHERE kind = 'z_report'
               AND state IN ('to_send', 'sending', 'unknown')
        """)
        )
        return res

    # === Outcomes (EXTENDS the sender's classification) === #

    def _outcome_of(self, err):
        # EXTENDS l10n_ua_vchasno_kasa: a receipt held for its shift is no
        # error; a refusal about the shift is no lost answer; a receipt
        # refused for an expired shift is reconciled, then sent again (same
        # tag) after the 24-hour guard closed the shift.
        if isinstance(err, VchasnoShiftWait):
            vals = self._retry_vals(err, min_delay=err.retry_after or 0)
            vals.update(
                error_kind=False,
                error_code=False,
                error_text=False,
                error_message=err.message,
            )
            return "to_send", vals, []
        if isinstance(err, VchasnoApiError) and err.collision:
            if self.kind in ("x_report", "z_report") and err.res == RES_SHIFT_NOT_OPEN:
                return self._not_needed(
                    err,
                    _("No shift is open: there is nothing to report."),
                    "_after_shift_closed",
                )
            if self.kind == "open_shift" and err.res == RES_SHIFT_ALREADY_OPEN:
                return self._not_needed(
                    err,
                    _("The shift was already open: nothing was issued."),
                    "_after_shift_open",
                )
            if self.kind in SHIFT_KINDS and err.res == RES_SHIFT_EXPIRED:
                vals = self._error_vals("unknown", err)
                return "unknown", vals, ["_after_register_ok", "_after_shift_expired"]
        return super()._outcome_of(err)

    def _not_needed(self, err, message, step):
        """Vchasno refused a shift task that had nothing to do: cancelled."""
        vals = self._error_vals("refused", err)
        vals.update(error_message=message, next_attempt_at=False)
        _logger.info("Vchasno receipt %s not needed: %s", self.id, err)
        return "cancelled", vals, ["_after_register_ok", step, "_after_not_needed"]

    # === Follow-up steps (after the outcome is committed) === #

    def _after_not_needed(self):
        self._message_log(body=self.error_message)

    def _after_shift_closed(self):
        # sudo: what Vchasno said of the shift, written by code on the register.
        self.register_id.sudo().write(
            {"shift_state": "closed", "shift_opened_at": False}
        )

    def _after_shift_open(self):
        # sudo: what Vchasno said of the shift, written by code on the register.
        self.register_id.sudo().write({"shift_state": "open", "last_status_at": False})

    def _after_shift_expired(self):
        # Age unknown: the next send asks the status and closes first.
        self.register_id.sudo().write({"shift_state": "open", "shift_opened_at": False})
        self._message_log(
            body=_(
                "Vchasno refused the receipt: the shift is older than 24 "
                "hours. The shift is closed with a Z report before this "
                "receipt is sent again."
            )
        )

    # === Recovery (EXTENDS the sender) === #

    def _reconcile(self, clients):
        # EXTENDS l10n_ua_vchasno_kasa: a lost Z report or shift opening is
        # settled by the register status (task 18), not by a tag search.
        if self.kind not in STATUS_SETTLED_KINDS:
            return super()._reconcile(clients)
        # sudo: the recovery cron, every company; outcomes are code-written.
        receipt = self.sudo()
        register = receipt.register_id
        if not register._is_available():
            return None
        try:
            if register.id not in clients:
                clients[register.id] = register._get_client()
        except VchasnoError as err:
            receipt._count_recover_failure(err)
            return None
        return receipt._resolve_unknown(clients[register.id])

    def _resolve_unknown(self, client):
        """Settle a Z report or shift opening whose answer was lost.

        Asks the status first (side-effect free). For a Z report: the shift is
        closed, or a new one began after our attempt, so the Z happened: done
        with what Vchasno still tells (a tag search for the totals, if it
        works); the shift it was to close is still open, so it did not happen:
        back to the queue with the same tag. Never a second Z blindly.
        """
        self.ensure_one()
        # sudo: same as _reconcile (recovery cron, code-written outcomes).
        receipt = self.sudo()
        register = receipt.register_id
        try:
            status = client.status()
        except VchasnoError as err:
            receipt._count_recover_failure(err)
            return False
        register._store_status(status)
        if register.shift_state not in ("open", "closed"):
            receipt._count_recover_failure(None)
            return False
        attempt = receipt.last_attempt_at or receipt.write_date
        opened = register.shift_opened_at
        new_shift = bool(opened and attempt and opened >= attempt)
        if receipt.kind == "z_report":
            happened = register.shift_state == "closed" or new_shift
        else:
            happened = register.shift_state == "open"
        if not happened:
            receipt._transition(
                "to_send",
                {"next_attempt_at": False, "recover_count": receipt.recover_count + 1},
                note=_(
                    "The answer was lost, and the register status shows that "
                    "%(operation)s did not happen: it is sent again with the "
                    "same tag.",
                    operation=receipt.display_name,
                ),
            )
            receipt._trigger_sender()
            return False
        try:
            found = client.find_by_tag(receipt.tag)
        except VchasnoError:
            found = None
        if found is not None and found.doccode:
            vals = receipt._done_vals(found)
        else:
            vals = {
                "fiscal_date": attempt,
                "error_kind": False,
                "error_code": False,
                "error_text": False,
                "error_message": False,
            }
        receipt._transition(
            "done",
            vals,
            note=_(
                "The answer was lost; the register status confirms that "
                "%(operation)s happened.",
                operation=receipt.display_name,
            ),
        )
        return True
