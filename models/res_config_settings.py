from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    vchasno_enabled = fields.Boolean(
        related="company_id.vchasno_enabled", readonly=False
    )
    vchasno_send_email = fields.Boolean(
        related="company_id.vchasno_send_email", readonly=False
    )
    vchasno_send_sms = fields.Boolean(
        related="company_id.vchasno_send_sms", readonly=False
    )
    vchasno_print_invoice = fields.Boolean(
        related="company_id.vchasno_print_invoice", readonly=False
    )
    vchasno_print_refund = fields.Boolean(
        related="company_id.vchasno_print_refund", readonly=False
    )
    vchasno_round_enabled = fields.Boolean(
        related="company_id.vchasno_round_enabled", readonly=False
    )
    vchasno_round_step = fields.Float(
        related="company_id.vchasno_round_step", readonly=False
    )
    vchasno_round_max = fields.Float(
        related="company_id.vchasno_round_max", readonly=False
    )
    vchasno_register_count = fields.Integer(compute="_compute_vchasno_register_count")

    def _compute_vchasno_register_count(self):
        for settings in self:
            settings.vchasno_register_count = self.env["vchasno.register"].search_count(
                [("company_id", "=", settings.company_id.id)]
            )
