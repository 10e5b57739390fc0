from odoo import fields, models

#: The vchasno.access action of each kind of service cash.
CASH_ACTIONS = {"service_in": "cash_in", "service_out": "cash_out"}


class VchasnoCashMove(models.TransientModel):
    """Service cash-in / cash-out (tasks 3 and 4): the amount dialog."""

    _name = "vchasno.cash.move"
    _description = "Vchasno service cash-in or cash-out"
    _check_company_auto = True

    register_id = fields.Many2one(
        "vchasno.register",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="register_id.company_id")
    currency_id = fields.Many2one(related="register_id.currency_id")
    kind = fields.Selection(
        [("service_in", "Cash-in"), ("service_out", "Cash-out")],
        required=True,
        readonly=True,
        default="service_in",
    )
    amount = fields.Monetary(required=True)
    safe_amount = fields.Monetary(related="register_id.safe_amount")

    def action_confirm(self):
        self.ensure_one()
        self.env["vchasno.access"]._check(CASH_ACTIONS[self.kind], self.register_id)
        return self.register_id._service_cash(self.kind, self.amount)
