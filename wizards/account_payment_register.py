from odoo import api, fields, models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    vchasno_available = fields.Boolean(compute="_compute_vchasno_available")
    vchasno_policy = fields.Selection(related="journal_id.vchasno_policy")
    vchasno_fiscalize = fields.Boolean(
        string="Fiscal receipt",
        compute="_compute_vchasno_defaults",
        store=True,
        readonly=False,
    )
    vchasno_print = fields.Boolean(
        string="Print fiscal receipt",
        compute="_compute_vchasno_defaults",
        store=True,
        readonly=False,
        help="Open the fiscal receipt in a new tab as soon as Vchasno issues it.",
    )
    vchasno_cashier_id = fields.Many2one(
        "res.users",
        string="Cashier",
        default=lambda self: self.env.user,
        help="The cashier named on the fiscal receipt.",
    )

    @api.depends("journal_id", "partner_type", "company_id")
    def _compute_vchasno_available(self):
        for wizard in self:
            wizard.vchasno_available = bool(
                wizard.company_id.vchasno_enabled
                and wizard.journal_id.vchasno_register_id
                and wizard.journal_id.vchasno_policy != "never"
                and wizard.partner_type == "customer"
            )

    @api.depends("journal_id", "payment_type", "vchasno_available")
    def _compute_vchasno_defaults(self):
        for wizard in self:
            company = wizard.company_id
            wizard.vchasno_fiscalize = (
                wizard.vchasno_available
                and wizard.journal_id.vchasno_policy == "always"
            )
            refund = wizard.payment_type == "outbound"
            wizard.vchasno_print = wizard.vchasno_available and (
                company.vchasno_print_refund
                if refund
                else company.vchasno_print_invoice
            )

    def _vchasno_payment_vals(self):
        return {
            "vchasno_cashier_id": self.vchasno_cashier_id.id or self.env.user.id,
            "vchasno_fiscalize": self.vchasno_fiscalize,
        }

    def _create_payment_vals_from_wizard(self, batch_result):
        # EXTENDS account: the cashier and the "ask each time" answer reach
        # the payment, whose posting queues the receipt.
        vals = super()._create_payment_vals_from_wizard(batch_result)
        vals.update(self._vchasno_payment_vals())
        return vals

    def _create_payment_vals_from_batch(self, batch_result):
        # EXTENDS account: same for payments made in batch (several partners).
        vals = super()._create_payment_vals_from_batch(batch_result)
        vals.update(self._vchasno_payment_vals())
        return vals

    def action_create_payments(self):
        # EXTENDS account: with "print" ticked, open the receipts in a new tab.
        # The page sends them (after this transaction has committed) and shows
        # the receipt, or "fiscalization pending" while Vchasno has not answered.
        if not (self.vchasno_available and self.vchasno_print):
            return super().action_create_payments()
        if self.is_register_payment_on_draft:
            self.payment_difference_handling = "open"
        payments = self.with_context(dont_redirect_to_payments=True)._create_payments()
        receipts = payments.vchasno_receipt_ids.filtered(lambda r: r.state == "to_send")
        if not receipts:
            return {"type": "ir.actions.act_window_close"}
        # Auto-send is on but the customer's consent or contact is missing: the
        # delivery dialog comes first; its buttons set the receipt's contacts
        # and then open the same page (R4.2, R4.3). The receipt is queued
        # already: closing the dialog never stops fiscalization.
        dialog = self.env["vchasno.receipt.send"]._vchasno_dialog_for_print(receipts)
        if dialog:
            return dialog
        return {
            "type": "ir.actions.act_url",
            "url": "/vchasno/receipts/%s" % ",".join(str(i) for i in receipts.ids),
            "target": "new",
            "close": True,
        }
