from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountTax(models.Model):
    _inherit = "account.tax"

    vchasno_tax_group_code = fields.Char(
        string="Vchasno tax group code",
        help="The tax group code configured for the register in the Vchasno cabinet "
        "(Tax group > Tax group codes) that matches this tax. Empty: the register's "
        "default code is used.",
    )

    @api.constrains("vchasno_tax_group_code")
    def _check_vchasno_tax_group_code(self):
        for tax in self.filtered("vchasno_tax_group_code"):
            if not tax.vchasno_tax_group_code.strip().isdigit():
                raise ValidationError(
                    _(
                        "The Vchasno tax group code of %(tax)s must be a number.",
                        tax=tax.display_name,
                    )
                )
