"""Which Vchasno tax group each invoice line goes to (issue 13's rule).

A receipt must never state VAT that was not charged:

* a line with taxes goes to the code of its taxes (a group tax: its own code,
  else its children's); a tax without a code is refused, naming the tax;
* a line without any tax goes to the register's *tax group for untaxed
  lines*, an explicit choice; left empty, the receipt is refused;
* nothing falls back silently to the register's default group, which now
  only serves payments that are not reconciled with an invoice (advances).

The same check feeds the warnings shown before anything is sent: the
register lists the company's unmapped sales taxes, the tax form flags a
missing code, and the Register Payment dialog lists the problem lines.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.vchasno_errors import VchasnoPayloadError


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    tax_group_code = fields.Char(
        string="Tax group for payments without invoice",
        help="The Vchasno tax group code (cabinet: Tax group > Tax group codes) "
        "of a payment, or the part of a payment, that is not reconciled with "
        "an invoice, e.g. an advance. Invoice lines use their taxes' codes. "
        "Vchasno's defaults: 1 = VAT 20%, 2 = no VAT, 4 = VAT 7%, 5 = VAT 0%.",
    )
    untaxed_tax_group_code = fields.Char(
        string="Tax group for untaxed lines",
        tracking=True,
        help="The Vchasno tax group code for invoice lines without any tax, e.g. "
        "2 (no VAT) for a business that is not a VAT payer. Empty: a receipt "
        "with an untaxed line is refused, so that no receipt states VAT that "
        "was not charged.",
    )
    unmapped_tax_ids = fields.Many2many(
        "account.tax",
        string="Sales taxes without a Vchasno tax group",
        compute="_compute_unmapped_tax_ids",
    )

    @api.depends("company_id")
    def _compute_unmapped_tax_ids(self):
        for register in self:
            taxes = self.env["account.tax"].search(
                [
                    ("company_id", "=", register.company_id.id),
                    ("type_tax_use", "=", "sale"),
                ]
            )
            register.unmapped_tax_ids = taxes.filtered(
                lambda tax: tax._vchasno_codes()[1]
            )

    @api.constrains("untaxed_tax_group_code")
    def _check_untaxed_tax_group_code(self):
        for register in self.filtered("untaxed_tax_group_code"):
            if not register.untaxed_tax_group_code.strip().isdigit():
                raise ValidationError(
                    _(
                        "The tax group for untaxed lines of %(register)s must be "
                        "a number.",
                        register=register.display_name,
                    )
                )

    def action_view_unmapped_taxes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Sales taxes without a Vchasno tax group"),
            "res_model": "account.tax",
            "view_mode": "list,form",
            "domain": [("id", "in", self.unmapped_tax_ids.ids)],
        }

    # === Helpers === #

    def _line_tax_groups(self, lines):
        """``{line: code}`` for document lines (invoice or Point of Sale order
        lines), or refuse with every problem.

        :raise VchasnoPayloadError: lines without tax and no untaxed group,
            taxes without a code, taxes of one line with different codes
        """
        groups, problems = self._line_tax_problems(lines)
        if problems:
            raise VchasnoPayloadError(problems)
        return groups

    def _line_tax_problems(self, lines):
        """``({line: code}, [problem texts])``; each tax is named once."""
        self.ensure_one()
        groups, problems, named = {}, [], self.env["account.tax"]
        untaxed = (self.untaxed_tax_group_code or "").strip()
        for line in lines:
            where = {
                "document": line._vchasno_line_document(),
                "line": line._vchasno_line_label(),
            }
            taxes = line._vchasno_line_taxes()
            if not taxes:
                if untaxed:
                    groups[line] = untaxed
                    continue
                problems.append(
                    _(
                        "%(document)s, line «%(line)s» has no tax. A receipt "
                        "never states VAT that was not charged: put the right "
                        'tax on the line, or set the "Tax group for untaxed '
                        'lines" on the register %(register)s (e.g. 2, no VAT).',
                        register=self.name,
                        **where,
                    )
                )
                continue
            codes, missing = taxes._vchasno_codes()
            for tax in missing - named:
                problems.append(
                    _(
                        "The tax «%(tax)s» (%(document)s, line «%(line)s») has no "
                        "Vchasno tax group code: set it on the tax (Accounting > "
                        'Configuration > Taxes, field "Vchasno tax group code").',
                        tax=tax.name,
                        **where,
                    )
                )
            named |= missing
            if len(codes) > 1:
                problems.append(
                    _(
                        "Taxes %(taxes)s map to different Vchasno tax groups "
                        "(%(codes)s); one receipt row can have only one.",
                        taxes=", ".join(taxes.mapped("name")),
                        codes=", ".join(sorted(codes)),
                    )
                )
            elif codes and not missing:
                groups[line] = codes.pop()
        return groups, problems
