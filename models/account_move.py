from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    vchasno_receipt_ids = fields.One2many(
        "vchasno.receipt", "move_id", string="Fiscal receipts"
    )
    # The receipts of the invoice's payments count from the moment they are
    # queued (they are bound to the invoice only when first sent): the smart
    # button appears as soon as the payment is registered.
    vchasno_receipt_count = fields.Integer(compute="_compute_vchasno_receipt_count")
    vchasno_status_message = fields.Char(
        string="Fiscal receipts status",
        compute="_compute_vchasno_receipt_count",
        help="Fiscal receipts of this invoice's payments that are not issued, and why.",
    )
    vchasno_status_error = fields.Boolean(compute="_compute_vchasno_receipt_count")

    @api.depends(
        "vchasno_receipt_ids",
        "matched_payment_ids.vchasno_receipt_ids.state",
        "matched_payment_ids.vchasno_receipt_ids.error_message",
    )
    def _compute_vchasno_receipt_count(self):
        for move in self:
            receipts = move._vchasno_receipts()
            move.vchasno_receipt_count = len(receipts)
            open_ = receipts.filtered(
                lambda r: r.state in ("to_send", "sending", "unknown", "error")
            ).sorted("id")
            move.vchasno_status_message = (
                "\n".join(
                    "%s: %s" % (r.display_name, r._status_message()) for r in open_
                )
                or False
            )
            move.vchasno_status_error = "error" in open_.mapped("state")

    def _vchasno_receipts(self):
        """Receipts of the payments of these invoices (and linked directly)."""
        return self.vchasno_receipt_ids | self.matched_payment_ids.vchasno_receipt_ids

    def action_vchasno_view_receipts(self):
        return self.env["vchasno.receipt"]._vchasno_list_action(
            [("id", "in", self._vchasno_receipts().ids)]
        )

    def action_vchasno_fiscalize(self):
        """Server action on invoices: queue receipts for their payments.

        Payments that posting would not fiscalize (journal set to Never, Point
        of Sale closing, vendor payments...) are skipped, not refused.
        """
        self.env["vchasno.access"]._check("fiscalize", self)
        payments = self.matched_payment_ids.filtered(
            lambda p: not p._vchasno_main_receipt() and p._vchasno_can_fiscalize()
        )
        if not payments:
            raise UserError(_("None of these invoices has a payment to fiscalize."))
        return payments.action_vchasno_fiscalize()

    def action_vchasno_retry(self):
        self.env["vchasno.access"]._check("retry", self)
        return self.matched_payment_ids.action_vchasno_retry()
