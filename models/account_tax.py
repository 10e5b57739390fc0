from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountTax(models.Model):
    _inherit = "account.tax"

    vchasno_tax_group_code = fields.Char(
        string="Vchasno tax group code",
        help="The tax group code configured for the register in the Vchasno cabinet "
        "(Tax group > Tax group codes) that matches this tax, e.g. 1 for VAT 20%, "
        "4 for VAT 7%, 2 for exempt. Required on every sales tax used on "
        "fiscalized invoices: a receipt with a tax without a code is refused, it "
        "never falls back to another group. A group of taxes may leave it empty "
        "when each of its taxes has one.",
    )
    vchasno_code_missing = fields.Boolean(
        compute="_compute_vchasno_code_missing",
        help="A sales tax of a company with Vchasno registers that has no Vchasno "
        "tax group code: receipts with it are refused.",
    )

    @api.depends(
        "vchasno_tax_group_code",
        "type_tax_use",
        "amount_type",
        "children_tax_ids.vchasno_tax_group_code",
    )
    def _compute_vchasno_code_missing(self):
        companies = (
            self.env["vchasno.register"]
            .sudo()  # only whether a register exists, not its content
            .search([("company_id", "in", self.company_id.ids)])
            .company_id
        )
        for tax in self:
            tax.vchasno_code_missing = bool(
                tax.type_tax_use == "sale"
                and tax.company_id in companies
                and tax._vchasno_codes()[1]
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

    def _vchasno_codes(self):
        """The Vchasno group codes of these taxes, and the taxes without one.

        A group of taxes with a code of its own counts as one tax; without a
        code, each of its taxes must have one.

        :return: ``(set of codes, account.tax recordset without a code)``
        """
        codes, missing = set(), self.browse()
        for tax in self:
            code = (tax.vchasno_tax_group_code or "").strip()
            if code:
                codes.add(code)
            elif tax.amount_type == "group" and tax.children_tax_ids:
                sub_codes, sub_missing = tax.children_tax_ids._vchasno_codes()
                codes |= sub_codes
                missing |= sub_missing
            else:
                missing |= tax
        return codes, missing
