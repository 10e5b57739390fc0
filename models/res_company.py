from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_repr

from ..tools import receipt_maths as rm

ROUND_LIMIT_MAX = 1.0  # UAH; a larger ``round`` would hide a wrong amount


class ResCompany(models.Model):
    _inherit = "res.company"

    vchasno_enabled = fields.Boolean(string="Vchasno.Kasa integration enabled")
    vchasno_send_email = fields.Boolean(string="Send receipts by email")
    vchasno_send_sms = fields.Boolean(string="Send receipts by SMS/Viber")
    vchasno_print_invoice = fields.Boolean(
        string="Print receipts of invoice payments", default=True
    )
    vchasno_print_refund = fields.Boolean(
        string="Print receipts of customer refunds", default=True
    )
    vchasno_register_ids = fields.One2many("vchasno.register", "company_id")
    # Cash rounding (spec §4.5): NBU resolution No. 115 changes the steps from
    # 01.10.2025 without Vchasno stating the new ones, so they are settings;
    # the defaults are the classic rule the addon always used.
    vchasno_round_enabled = fields.Boolean(
        string="Cash rounding on receipts",
        default=True,
        help="Send the rounding of cash payments to Vchasno (the receipt's "
        "'round'). The register must have Заокруглення enabled among its payment "
        "types in the Vchasno cabinet. Off: a cash payment that needs rounding is "
        "refused before sending.",
    )
    vchasno_round_step = fields.Float(
        string="Cash rounding step",
        digits=(12, 2),
        default=float(rm.CASH_ROUNDING_STEP),
        help="The cash left to pay after rounding is a multiple of this amount "
        "(0.10 UAH under the 2018 NBU rule).",
    )
    vchasno_round_max = fields.Float(
        string="Rounding limit",
        digits=(12, 2),
        default=float(rm.MAX_ABS_ROUND),
        help="A rounding of this amount or more is refused before sending: it "
        "points to a wrong amount rather than to coins.",
    )

    @api.constrains("vchasno_round_enabled", "vchasno_round_step", "vchasno_round_max")
    def _check_vchasno_rounding(self):
        for company in self.filtered("vchasno_round_enabled"):
            step, limit = company.vchasno_round_step, company.vchasno_round_max
            if not (0 < step <= ROUND_LIMIT_MAX and 0 < limit <= ROUND_LIMIT_MAX):
                raise ValidationError(
                    _(
                        "The cash rounding step and limit must be greater than 0 "
                        "and at most %(max)s UAH.",
                        max=float_repr(ROUND_LIMIT_MAX, 2),
                    )
                )

    # === Helpers === #

    def _vchasno_rounding_rule(self):
        """The company's rounding rule as keyword arguments of the tools.

        :return: ``{"round_step": Decimal, "max_abs_round": Decimal}``;
            ``max_abs_round`` 0 means rounding is off (see ``build_receipt``)
        """
        self.ensure_one()
        if not self.vchasno_round_enabled:
            return {"round_step": Decimal(0), "max_abs_round": Decimal(0)}
        return {
            "round_step": Decimal(float_repr(self.vchasno_round_step, 2)),
            "max_abs_round": Decimal(float_repr(self.vchasno_round_max, 2)),
        }
