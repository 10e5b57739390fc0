from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    vchasno_receipt_ids = fields.One2many(
        "vchasno.receipt", "move_id", string="Fiscal receipts"
    )
    vchasno_receipt_count = fields.Integer(compute="_compute_vchasno_receipt_count")

    @api.depends("vchasno_receipt_ids")
    def _compute_vchasno_receipt_count(self):
        for move in self:
            move.vchasno_receipt_count = len(move.vchasno_receipt_ids)

    def _vchasno_receipts(self):
        """Receipts of the payments of these invoices (and linked directly)."""
        return self.vchasno_receipt_ids | self.matched_payment_ids.vchasno_receipt_ids

    def action_vchasno_view_receipts(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_ua_vchasno_kasa.vchasno_receipt_action"
        )
        action["domain"] = [("id", "in", self._vchasno_receipts().ids)]
        action["context"] = {"create": False}
        return action

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
