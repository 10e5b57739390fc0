from odoo import api, fields, models


class PosPaymentMethod(models.Model):
    _inherit = "pos.payment.method"

    vchasno_ask_card_data = fields.Boolean(
        string="Ask for the card data (ЕПЗ)",
        help="For a standalone card terminal (not connected to Odoo): when an "
        "order is paid with this method, the cashier may type the masked card "
        "number, RRN, authorisation code, terminal id and payment system from "
        "the terminal's slip, or skip. They are printed on the fiscal receipt.",
    )

    @api.model
    def _load_pos_data_fields(self, config_id):
        # EXTENDS point_of_sale: the Point of Sale asks for the card data.
        return [*super()._load_pos_data_fields(config_id), "vchasno_ask_card_data"]
