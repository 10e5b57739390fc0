"""What a person does with a receipt: send now, retry, cancel, print.

Each public action is a thin entry point (one access check fits at its
top); the work is in private helpers. Retry and cancel are honest: a new
request (new tag) or a cancellation only when Vchasno provably issued
nothing (``_issued_nothing``, see the state diagram in vchasno_receipt).
"""

import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from .vchasno_receipt import _RETRY_FROM


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    waiting_reason = fields.Char(
        string="Waiting because",
        compute="_compute_waiting_reason",
        help="Why a receipt waits instead of being sent.",
    )

    status_message = fields.Char(
        string="Status",
        compute="_compute_status_message",
        help="Where the receipt stands and why, in words: the refusal, the "
        "cause of the last failed attempt, what it waits for.",
    )

    @api.depends("state", "next_attempt_at", "register_id", "original_receipt_id")
    @api.depends_context("uid")
    def _compute_waiting_reason(self):
        for receipt in self:
            receipt.waiting_reason = (
                receipt._waiting_reason()
                if receipt.state in ("to_send", "unknown")
                else False
            )

    @api.depends("state", "error_message", "waiting_reason")
    def _compute_status_message(self):
        for receipt in self:
            receipt.status_message = receipt._status_message()

    # === Actions === #

    def action_retry(self):
        """Try again: a refused or unsendable receipt goes back to the queue."""
        self.env["vchasno.access"]._check("retry", self)
        for receipt in self:
            if receipt.state not in _RETRY_FROM:
                raise UserError(
                    _(
                        "Only receipts in error can be retried "
                        "(%(receipt)s is %(state)s).",
                        receipt=receipt.display_name,
                        state=receipt._state_label(),
                    )
                )
        for receipt in self:
            receipt._retry()
        self._trigger_sender()
        return True

    def action_send_now(self):
        """Send at once instead of waiting for the cron (in its own transaction)."""
        self.env["vchasno.access"]._check("send_now", self)
        for receipt in self:
            if receipt.state != "to_send":
                raise UserError(
                    _(
                        "%(receipt)s cannot be sent now: it is %(state)s.",
                        receipt=receipt.display_name,
                        state=receipt._state_label(),
                    )
                )
        # A person asks for it now: skip the back-off delay (a paused or
        # tripped register still waits, see _due_domain_sql).
        sent = self.with_context(vchasno_ignore_backoff=True)._send_now()
        for receipt in self - sent:
            if receipt.state == "to_send" and not receipt.waiting_reason:
                raise UserError(receipt._being_sent_message())
        # Always an answer: issued, or why not (the cause, not "pending").
        # No invalidation here: ``_send_now`` put the outcome the sender
        # committed into this request's cache; its own snapshot is older.
        if len(self) == 1:
            return self._open_or_notify()
        return self._vchasno_outcome_notification()

    def action_cancel(self):
        self.env["vchasno.access"]._check("cancel", self)
        for receipt in self:
            receipt._cancel_before_sending()
        return True

    def action_open_receipt(self):
        """Open the printable receipt (R5.2) in a new browser tab."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": "/vchasno/receipt/%s" % self.id,
            "target": "new",
        }

    def action_open_public_url(self):
        self.ensure_one()
        if not self.public_url:
            raise UserError(_("This receipt has no Vchasno link yet."))
        return {"type": "ir.actions.act_url", "url": self.public_url, "target": "new"}

    # === Helpers === #

    @api.model
    def _vchasno_list_action(self, domain, receipts=None):
        """The receipts list, for a smart button of a payment, invoice or
        POS order: ``domain`` selects them; one of ``receipts`` opens as a form."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_ua_vchasno_kasa.vchasno_receipt_action"
        )
        action["domain"] = domain
        action["context"] = {"create": False}
        if receipts is not None and len(receipts) == 1:
            action.update(view_mode="form", res_id=receipts.id, views=[(False, "form")])
        return action

    def _retry(self):
        """Back to the queue; a new request only if Vchasno issued nothing."""
        self.ensure_one()
        if self.state == "to_send":
            # sudo: written by code only; action_retry checked the caller.
            self.sudo().next_attempt_at = False
            return
        vals = {
            "next_attempt_at": False,
            "error_kind": False,
            "error_code": False,
            "error_text": False,
            "error_message": False,
        }
        if self._issued_nothing():
            # Nothing exists at Vchasno under the old tag: today's data, a new
            # request, a new tag (the refused one stays in the chatter).
            new_tag = uuid.uuid4().hex
            vals.update(tag=new_tag, payload=False)
            note = _(
                "Retried: Vchasno issued nothing for the request %(old)s, so the "
                "request is built again from today's data as %(new)s.",
                old=self.tag,
                new=new_tag,
            )
        else:
            note = _(
                "Retried after a check: the same request %(tag)s is sent again.",
                tag=self.tag,
            )
        self._transition("to_send", vals, note=note)

    def _cancel_before_sending(self):
        """Cancel a receipt of which Vchasno provably issued nothing."""
        self.ensure_one()
        if self.state == "cancelled":
            return
        if self.state in ("to_send", "error") and self.maybe_issued:
            raise UserError(self._refusal_message("cancelled"))
        if not (self._issued_nothing() and self._try_lock()):
            raise UserError(self._being_sent_message())
        self._transition("cancelled", note=_("Cancelled: Vchasno issued nothing."))

    def _being_sent_message(self):
        return _(
            "%(receipt)s is being sent to Vchasno or its outcome is not known "
            "yet: wait a minute and try again.",
            receipt=self.display_name,
        )

    def _try_lock(self):
        """Row lock NOWAIT: False if the sender holds the receipt right now."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM vchasno_receipt WHERE id IN %s "
                        "FOR UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except Exception:  # noqa: BLE001 - psycopg2 LockNotAvailable
            return False
        self.invalidate_recordset(["state"])
        return all(r.state in ("to_send", "error") for r in self)

    def _waiting_reason(self):
        """Why this receipt is not sent now, in words, or False."""
        self.ensure_one()
        reason = self.register_id._unavailable_reason()
        if reason or self.state != "to_send":
            return reason
        if self.original_receipt_id and self.original_receipt_id.state != "done":
            return _("Waits until the receipt it returns is issued.")
        if self.next_attempt_at and self.next_attempt_at > fields.Datetime.now():
            return _(
                "Next attempt at %(time)s.",
                time=format_datetime(self.env, self.next_attempt_at),
            )
        return False

    def _vchasno_queued_notification(self):
        """Say that these receipts are queued (the sender is woken already)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Fiscal receipts queued"),
                "message": _(
                    "%(count)s fiscal receipt(s) queued: Vchasno issues them in a "
                    "moment.",
                    count=len(self),
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _status_message(self):
        """Where this receipt stands and why, in words (False once settled)."""
        self.ensure_one()
        if self.state == "error":
            return self.error_message or _("Vchasno refused the receipt.")
        if self.state == "unknown":
            return _(
                "Vchasno's answer was lost; the receipt will be checked and "
                "finished automatically."
            )
        if self.state == "sending":
            return _("Being sent to Vchasno right now.")
        if self.state != "to_send":
            return False
        parts = []
        if self.error_message:  # the last attempt failed, nothing was issued
            parts.append(_("Not sent: %(error)s", error=self.error_message.strip()))
        if self.waiting_reason:
            parts.append(self.waiting_reason)
        return " ".join(parts) or _("Queued: Vchasno issues it in a moment.")

    def _vchasno_notification(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _vchasno_outcome_notification(self):
        """One notification for several receipts: how many issued, and why
        the others were not."""
        done = self.filtered(lambda r: r.state == "done")
        lines = [_("%(count)s fiscal receipt(s) issued.", count=len(done))] + [
            "%s: %s" % (receipt.display_name, receipt._status_message())
            for receipt in self - done
        ]
        kind = (
            "success"
            if done == self
            else ("danger" if "error" in self.mapped("state") else "warning")
        )
        return self._vchasno_notification(_("Vchasno.Kasa"), "\n".join(lines), kind)

    def _open_or_notify(self, open_done=True):
        """The printable receipt once issued; otherwise a notification saying
        where it stands and why (the record is reloaded after it)."""
        self.ensure_one()
        if self.state == "done":
            if open_done:
                return self.action_open_receipt()
            return self._vchasno_notification(
                self.display_name,
                _(
                    "Issued by Vchasno: fiscal receipt %(number)s.",
                    number=self.fiscal_number or "",
                ),
                "success",
            )
        return self._vchasno_notification(
            self.display_name,
            self._status_message() or self._state_label(),
            "danger" if self.state == "error" else "warning",
        )
