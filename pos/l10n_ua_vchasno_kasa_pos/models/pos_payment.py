from odoo import api, fields, models

from ..tools.pos_rows import mask_card


class PosPayment(models.Model):
    _inherit = "pos.payment"

    # Odoo keeps most card data (ЕПЗ) a terminal gives (card_no, card_brand,
    # payment_ref_no, payment_method_authcode...); the terminal id is ours.
    vchasno_terminal_id = fields.Char(
        string="Terminal ID",
        help="The id of the card terminal (ЕПЗ data on the fiscal receipt).",
    )

    @api.model
    def _load_pos_data_fields(self, config_id):
        # EXTENDS point_of_sale: the Point of Sale sends the terminal id it
        # was given (card data popup) back with the order.
        fields_list = super()._load_pos_data_fields(config_id)
        if fields_list and "vchasno_terminal_id" not in fields_list:
            fields_list = [*fields_list, "vchasno_terminal_id"]
        return fields_list

    def _vchasno_card_data(self):
        """The card data (ЕПЗ) of this payment as ``rm.Pay`` keyword arguments.

        UNVERIFIED (README, "Vchasno API assumptions"): Vchasno's examples
        show the fields, not the values terminals give; we send what Odoo
        has: the brand (or card type) as the payment system, the payment
        reference (or transaction id) as RRN, the card number masked.
        """
        self.ensure_one()
        values = {
            "paysys": self.card_brand or self.card_type,
            "rrn": self.payment_ref_no or self.transaction_id,
            "cardmask": mask_card(self.card_no),
            "auth_code": self.payment_method_authcode,
            "term_id": self.vchasno_terminal_id,
        }
        return {
            key: text.strip() for key, text in values.items() if text and text.strip()
        }
