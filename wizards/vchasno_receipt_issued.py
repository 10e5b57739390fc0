"""The "Issued in cabinet" dialog: a person settles a receipt whose answer
was lost, with the fiscal number the Vchasno cabinet shows (issue 11)."""

from odoo import fields, models


class VchasnoReceiptIssued(models.TransientModel):
    _name = "vchasno.receipt.issued"
    _description = "Confirm a fiscal receipt found in the Vchasno cabinet"

    receipt_id = fields.Many2one("vchasno.receipt", required=True, readonly=True)
    tag = fields.Char(related="receipt_id.tag")
    fiscal_number = fields.Char(
        required=True,
        help="The fiscal number of the receipt found in the Vchasno cabinet under "
        "the request tag shown above.",
    )
    fiscal_date = fields.Datetime(
        string="Issued at",
        default=fields.Datetime.now,
        required=True,
        help="When the cabinet says the receipt was issued.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.env["vchasno.access"]._check("mark_issued", self.receipt_id)
        # The receipt method checks the group, the access and the state again:
        # the id the client sent is not trusted beyond that.
        self.receipt_id._vchasno_mark_issued(self.fiscal_number, self.fiscal_date)
        return {"type": "ir.actions.act_window_close"}
