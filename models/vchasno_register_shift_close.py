"""Closing a shift: the 24-hour guard and the daily close inside the sender,
the daily close of the cron, and the shift bookkeeping after a receipt.

The rules are in ``vchasno_register_shift``.
"""

import logging
from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.vchasno_errors import (
    VchasnoAuthError,
    VchasnoError,
    VchasnoNotSentError,
)
from . import vchasno_tx
from .vchasno_register_shift import (
    DRAIN_RETRY,
    OPENING_KINDS,
    SHIFT_GUARD,
    SHIFT_KINDS,
    WAIT_SECONDS,
    VchasnoShiftWait,
)

_logger = logging.getLogger(__name__)


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    # === Sender hooks === #

    def _before_send(self, receipt, client):
        # EXTENDS l10n_ua_vchasno_kasa: the 24-hour guard, the daily close that
        # is due, and the no-sales window, before a receipt of a shift goes out.
        super()._before_send(receipt, client)
        if receipt.kind not in SHIFT_KINDS:
            return
        now = fields.Datetime.now()
        reason = self._close_reason(now, client)
        if reason:
            self._close_before(receipt, client, reason)
            return
        if self._in_no_sales_window(now):
            wait = (self._next_close_at(now) - now).total_seconds() + WAIT_SECONDS
            raise VchasnoShiftWait(
                _(
                    "Held until the daily close of the shift at %(time)s: the "
                    "receipt goes out after it, in the new shift.",
                    time=self._format_z_time(),
                ),
                retry_after=int(wait),
            )

    def _after_send(self, receipt):
        # EXTENDS l10n_ua_vchasno_kasa: shift bookkeeping from a done receipt,
        # read from the stored receipt (a follow-up step: it may run later).
        res = super()._after_send(receipt)
        vals = {}
        safe = ((receipt.response or {}).get("info") or {}).get("safe")
        if safe is not None:
            vals["safe_amount"] = float(Decimal(str(safe)))
        when = receipt.fiscal_date or fields.Datetime.now()
        if receipt.kind == "z_report":
            # A shift opened after this Z (known from a status) stays open.
            if not (
                self.shift_state == "open"
                and self.shift_opened_at
                and self.shift_opened_at > when
            ):
                vals.update(shift_state="closed", shift_opened_at=False)
            vals.update(
                last_z_at=when,
                last_z_number=receipt.local_number or receipt.shift_number or False,
            )
        elif receipt.kind in OPENING_KINDS and (
            self.shift_state != "open" or not self.shift_opened_at
        ):
            vals.update(shift_state="open", shift_opened_at=when)
        if vals:
            # sudo: register bookkeeping written by code, after a fiscal outcome.
            self.sudo().write(vals)
        return res

    # === Helpers: closing === #

    def _close_shift_if_due(self, now):
        """The daily close of one register; returns the Z receipt or False."""
        self.ensure_one()
        due = self._close_due_at(now)
        # sudo: whether a token is set, never its value (the cron's check).
        if not due or not self._is_available() or not self.sudo().api_token:
            return False
        opened = self.shift_opened_at
        if self.shift_state == "open" and opened and opened >= due:
            return False  # the shift began after the close: tomorrow's
        if self.shift_state == "closed" and (
            self.last_status_at and self.last_status_at >= due
        ):
            return False  # known closed since the close instant
        Receipt = self.env["vchasno.receipt"].sudo()
        if Receipt.search_count(
            [("register_id", "=", self.id), ("state", "=", "sending")]
        ):
            # Drain first: the Z waits for receipts in flight.
            self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_close_shifts")._trigger(
                now + DRAIN_RETRY
            )
            return False
        try:
            with self._get_client() as client:
                self._store_status(client.status())
        except VchasnoError as err:
            _logger.warning(
                "Vchasno register %s: no status before the daily close: %s",
                self.id,
                err,
            )
            return False
        opened = self.shift_opened_at
        if self.shift_state != "open" or (opened and opened >= due):
            return False
        try:
            z_receipt = self._z_receipt()
        except UserError:
            return False  # a Z report is already on its way
        self._send_and_resolve(z_receipt)
        _logger.info("Vchasno register %s: daily Z report %s", self.id, z_receipt.state)
        return z_receipt

    def _close_reason(self, now, client):
        """Why the shift must be closed before the next receipt, or None."""
        if self.shift_state != "open":
            return None
        if self.auto_close:
            due = self._close_due_at(now)
            if due and self.shift_opened_at and self.shift_opened_at < due:
                return "schedule"
        if self.shift_opened_at and self.shift_opened_at + SHIFT_GUARD > now:
            return None
        # Stored data say the shift is old (or its age is unknown): ask.
        self._status_in_sender(client)
        opened = self.shift_opened_at
        if self.shift_state == "open" and opened and opened + SHIFT_GUARD <= now:
            return "limit"
        return None

    def _status_in_sender(self, client):
        """A status request inside the sender: errors never touch the receipt.

        Nothing of the receipt was sent yet, so any failure is "not sent".
        """
        try:
            result = client.status()
        except (VchasnoAuthError, VchasnoNotSentError):
            raise
        except VchasnoError as err:
            raise VchasnoNotSentError(
                _("The shift status could not be read: %(error)s", error=err)
            ) from err
        self._store_status(result)

    def _close_before(self, receipt, client, reason):
        """Run the Z report inside the sender, then let ``receipt`` go out."""
        _logger.info(
            "Vchasno register %s: closing the shift (%s) before receipt %s",
            self.id,
            reason,
            receipt.id,
        )
        try:
            z_receipt = self._z_receipt()
        except UserError as err:
            raise VchasnoShiftWait(str(err), retry_after=WAIT_SECONDS) from err
        claimed = z_receipt._claim_next(ids=z_receipt.ids)
        if claimed:
            claimed._send_claimed({(self.id, None): client})
        z_receipt.invalidate_recordset()
        if z_receipt.state == "unknown":
            z_receipt._resolve_unknown(client)
            # The settled Z, alone; then its bookkeeping (shift closed).
            vchasno_tx.commit(self.env)
            z_receipt._run_followups(commit=True)
        # The commits above released the receipt's row lock: take it again.
        self.env.cr.execute(
            SQL("SELECT id FROM vchasno_receipt WHERE id = %s FOR UPDATE", receipt.id)
        )
        self.invalidate_recordset()
        if z_receipt.state == "done" or (
            z_receipt.state == "cancelled" and self.shift_state == "closed"
        ):
            # Logged with the receipt's outcome, after it is committed.
            note = _(
                "The shift was closed first (%(report)s); this receipt goes "
                "out in the new shift.",
                report=z_receipt.display_name,
            )
            receipt.followup_notes = [*(receipt.followup_notes or []), [note, False]]
            return
        raise VchasnoShiftWait(
            _(
                "Waiting for the Z report that closes the shift (%(report)s).",
                report=z_receipt.display_name,
            ),
            retry_after=WAIT_SECONDS,
        )
