"""Sales and returns apart (issue 13, point 10).

Lists and reports add up ``amount_signed`` (a sale counts +, a return −) or
the two columns ``amount_sales`` / ``amount_returns``; service cash-in/out,
shift openings and X/Z reports are no sales and count 0 in all three.
The three are precomputed: written by the receipt's INSERT (from ``kind``
and ``amount``, both given at creation), not by a second UPDATE.
"""

from odoo import api, fields, models


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    amount_sales = fields.Monetary(
        string="Sales",
        compute="_compute_amount_signed",
        store=True,
        precompute=True,
        help="The amount of a sale receipt; 0 for any other kind.",
    )
    amount_returns = fields.Monetary(
        string="Returns",
        compute="_compute_amount_signed",
        store=True,
        precompute=True,
        help="The amount of a return receipt; 0 for any other kind.",
    )
    amount_signed = fields.Monetary(
        string="Net sales",
        compute="_compute_amount_signed",
        store=True,
        precompute=True,
        help="Sales minus returns: a sale +, a return −; service cash-in/out "
        "and reports count 0.",
    )

    @api.depends("kind", "amount")
    def _compute_amount_signed(self):
        for receipt in self:
            sale = receipt.amount if receipt.kind == "sale" else 0.0
            ret = receipt.amount if receipt.kind == "return" else 0.0
            receipt.amount_sales = sale
            receipt.amount_returns = ret
            receipt.amount_signed = sale - ret
