"""Reset to draft / cancel of a payment with a fiscal receipt: ask first.

The payment form's "Reset To Draft" and "Cancel" open this dialog when the
payment has a fiscal receipt: it says exactly what will happen at Vchasno
("a return receipt of X UAH will be issued", "the queued receipt will be
cancelled") before anything is done. Confirming runs Odoo's own action.

RPC callers of ``account.payment.action_draft`` / ``action_cancel`` are not
asked: the server keeps reversing the receipts itself (README, "Reset to
draft and cancel").
"""

from odoo import _, api, fields, models
from odoo.tools import float_compare, format_amount


class VchasnoPaymentReverse(models.TransientModel):
    _name = "vchasno.payment.reverse"
    _description = "Confirm the fiscal consequences of resetting a payment"

    payment_ids = fields.Many2many("account.payment", required=True, readonly=True)
    operation = fields.Selection(
        [("draft", "Reset to draft"), ("cancel", "Cancel")],
        required=True,
        readonly=True,
    )
    summary = fields.Text(compute="_compute_summary")

    @api.depends("payment_ids", "operation")
    def _compute_summary(self):
        for wizard in self:
            lines = []
            for payment in wizard.payment_ids:
                lines += payment._vchasno_reverse_preview()
            wizard.summary = "\n".join(lines)

    def action_confirm(self):
        self.ensure_one()
        # sudo: only to learn every id the client stored (record rules would
        # drop foreign ones silently); the check below is with the user's rights.
        payments = self.sudo().payment_ids.with_env(self.env)
        self.env["vchasno.access"]._check("reset_payment", payments)
        if self.operation == "draft":
            payments.action_draft()
        else:
            payments.action_cancel()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Fiscal receipts"),
                "message": self.summary,
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


class AccountPayment(models.Model):
    _inherit = "account.payment"

    vchasno_reverse_needed = fields.Boolean(
        compute="_compute_vchasno_reverse_needed",
        help="Resetting or cancelling this payment changes a fiscal receipt.",
    )

    @api.depends("vchasno_receipt_ids.state")
    def _compute_vchasno_reverse_needed(self):
        for payment in self:
            payment.vchasno_reverse_needed = bool(payment._vchasno_to_reverse())

    def _vchasno_to_reverse(self):
        """The receipts ``_vchasno_reverse_receipts`` would return or cancel."""
        self.ensure_one()
        return self._vchasno_active_receipts().filtered(
            lambda r: (
                not r._is_reversal() and not r._is_reversed() and r.state != "cancelled"
            )
        )

    def _vchasno_reverse_preview(self):
        """What resetting this payment does at Vchasno, in sentences."""
        self.ensure_one()
        lines = []
        for receipt in self._vchasno_to_reverse():
            if receipt.state == "done":
                left = receipt._returnable_amount()
                if (
                    float_compare(
                        left, 0.0, precision_rounding=receipt.currency_id.rounding
                    )
                    > 0
                ):
                    lines.append(
                        _(
                            "A return receipt of %(amount)s will be issued for "
                            "fiscal receipt %(number)s.",
                            amount=format_amount(self.env, left, receipt.currency_id),
                            number=receipt.fiscal_number,
                        )
                    )
                else:
                    lines.append(
                        _(
                            "Fiscal receipt %(number)s was fully returned "
                            "already: no return receipt.",
                            number=receipt.fiscal_number,
                        )
                    )
            elif receipt.state in ("to_send", "error") and not receipt.maybe_issued:
                lines.append(
                    _(
                        "The queued fiscal receipt %(receipt)s will be cancelled "
                        "(Vchasno issued nothing).",
                        receipt=receipt.display_name,
                    )
                )
            else:
                lines.append(
                    _(
                        "%(receipt)s may have been issued by Vchasno: the "
                        "payment cannot be reset until its outcome is known.",
                        receipt=receipt.display_name,
                    )
                )
        return lines

    def action_vchasno_confirm_draft(self):
        """ "Reset To Draft" of a payment with a fiscal receipt: ask first."""
        return self._vchasno_confirm_reverse("draft")

    def action_vchasno_confirm_cancel(self):
        """ "Cancel" of a payment with a fiscal receipt: ask first."""
        return self._vchasno_confirm_reverse("cancel")

    def _vchasno_confirm_reverse(self, operation):
        self.env["vchasno.access"]._check("reset_payment", self)
        wizard = self.env["vchasno.payment.reverse"].create(
            {"payment_ids": [fields.Command.set(self.ids)], "operation": operation}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Reset to draft")
            if operation == "draft"
            else _("Cancel the payment"),
            "res_model": "vchasno.payment.reverse",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
