from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pos_vchasno_register_id = fields.Many2one(
        related="pos_config_id.vchasno_register_id", readonly=False
    )
    pos_vchasno_print_fiscal = fields.Boolean(
        related="pos_config_id.vchasno_print_fiscal", readonly=False
    )
    pos_vchasno_open_shift = fields.Boolean(
        related="pos_config_id.vchasno_open_shift", readonly=False
    )
    pos_vchasno_cash_moves = fields.Boolean(
        related="pos_config_id.vchasno_cash_moves", readonly=False
    )
    pos_vchasno_close_shift = fields.Boolean(
        related="pos_config_id.vchasno_close_shift", readonly=False
    )
    pos_vchasno_setup_warning = fields.Text(
        related="pos_config_id.vchasno_setup_warning"
    )
