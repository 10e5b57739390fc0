from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # EXTENDS point_of_sale: the counter knows what the customer agreed to.
        return [
            *super()._load_pos_data_fields(config_id),
            "vchasno_consent_email",
            "vchasno_consent_sms",
        ]
