from odoo import api, fields, models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    vchasno_tax_warning = fields.Text(
        compute="_compute_vchasno_tax_warning",
        help="Why the fiscal receipt of this payment would be refused: lines "
        "without tax and taxes without a Vchasno tax group code.",
    )

    @api.depends("line_ids", "journal_id", "vchasno_available")
    def _compute_vchasno_tax_warning(self):
        for wizard in self:
            problems = []
            if wizard.vchasno_available:
                lines = wizard.line_ids.move_id.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                )
                register = wizard.journal_id.vchasno_register_id
                problems = register._line_tax_problems(lines)[1]
            wizard.vchasno_tax_warning = "\n".join(problems) or False
