from odoo import _, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_vchasno_send_receipt(self):
        """The "Send receipt" button of the payment: its receipt's dialog."""
        self.env["vchasno.access"]._check("resend", self)
        self.ensure_one()
        receipt = self._vchasno_main_receipt()
        if not receipt:
            raise UserError(_("This payment has no fiscal receipt."))
        return receipt.action_resend()
