from odoo import _, api, fields, models
from odoo.tools import float_repr

OPTIONS = {
    "open_shift": "vchasno_open_shift",
    "cash_moves": "vchasno_cash_moves",
    "close_shift": "vchasno_close_shift",
}


class PosConfig(models.Model):
    _inherit = "pos.config"

    vchasno_register_id = fields.Many2one(
        "vchasno.register",
        string="Vchasno register",
        check_company=True,
        ondelete="restrict",
        help="Every paid order of this Point of Sale gets a fiscal receipt from "
        "this Vchasno.Kasa register. Empty: Odoo fiscalizes nothing here.",
    )
    vchasno_active = fields.Boolean(
        compute="_compute_vchasno_active",
        help="The company's integration is on and the register is set.",
    )
    vchasno_print_fiscal = fields.Boolean(
        string="Print the fiscal receipt automatically",
        help="Print the ticket by itself as soon as Vchasno has issued the "
        "fiscal receipt, with its fiscal number and QR code (at most 15 seconds "
        "after the sale; later, the ticket says the fiscal receipt follows). It "
        "replaces Odoo's automatic printing, which would print the ticket "
        "before Vchasno answered. The cashier can sell on meanwhile.",
    )
    vchasno_open_shift = fields.Boolean(
        string="Open the shift with the session",
        help="Opening a session of this Point of Sale opens the register's "
        "shift in Vchasno (otherwise the first receipt opens it).",
    )
    vchasno_cash_moves = fields.Boolean(
        string="Cash in/out as service cash",
        help="Cash in and cash out of a session are also Vchasno service "
        "cash-in and cash-out of the register.",
    )
    vchasno_close_shift = fields.Boolean(
        string="Z report when the session closes",
        help="Closing a session of this Point of Sale closes the register's "
        "shift with a Z report.",
    )
    vchasno_setup_warning = fields.Text(compute="_compute_vchasno_setup_warning")

    @api.depends("vchasno_register_id", "company_id.vchasno_enabled")
    def _compute_vchasno_active(self):
        for config in self:
            config.vchasno_active = bool(
                config.vchasno_register_id and config.company_id.vchasno_enabled
            )

    @api.depends(
        "vchasno_register_id",
        "company_id.vchasno_enabled",
        "cash_rounding",
        "rounding_method",
        "only_round_cash_method",
        "payment_method_ids.journal_id",
    )
    def _compute_vchasno_setup_warning(self):
        for config in self:
            problems = config._vchasno_setup_problems()
            config.vchasno_setup_warning = "\n".join(problems) or False

    # === Helpers === #

    def _vchasno_uses(self, option):
        """Whether this POS fiscalizes and has ``option`` (a key of OPTIONS) on."""
        self.ensure_one()
        return self.vchasno_active and self[OPTIONS[option]]

    def _vchasno_setup_problems(self):
        """What would make this POS's receipts fail, said before a sale."""
        self.ensure_one()
        if not self.vchasno_register_id:
            return []
        problems = []
        company = self.company_id
        if not company.vchasno_enabled:
            problems.append(
                _(
                    "The Vchasno.Kasa integration is off for %(company)s: nothing "
                    "is fiscalized.",
                    company=company.name,
                )
            )
        later = self.payment_method_ids.filtered(lambda m: not m.journal_id)
        if later:
            problems.append(
                _(
                    "%(methods)s: no journal (customer account). Orders paid this "
                    "way are fiscalized when the customer pays; an order paid "
                    "partly this way is refused.",
                    methods=", ".join(later.mapped("name")),
                )
            )
        if self.cash_rounding:
            problems += self._vchasno_rounding_problems()
        return problems

    def _vchasno_rounding_problems(self):
        company = self.company_id
        rule = company._vchasno_rounding_rule()
        if not rule["max_abs_round"]:
            return [
                _(
                    "Cash rounding is on in this Point of Sale but off for "
                    "Vchasno receipts (Accounting settings): rounded cash "
                    "sales will be refused."
                )
            ]
        problems = []
        if not self.only_round_cash_method:
            problems.append(
                _(
                    "Vchasno accepts a rounding only on cash: tick “Only apply "
                    "rounding on cash”, or card payments with a rounding will "
                    "be refused."
                )
            )
        step = self.rounding_method.rounding
        if (
            step
            and rule["round_step"]
            and (round(step / float(rule["round_step"]), 6) % 1)
        ):
            problems.append(
                _(
                    "The cash rounding of this Point of Sale (%(step)s) is not a "
                    "multiple of the Vchasno rounding step (%(vchasno)s, "
                    "Accounting settings): such cash amounts will be refused.",
                    step=float_repr(step, 2),
                    vchasno=float_repr(float(rule["round_step"]), 2),
                )
            )
        return problems
