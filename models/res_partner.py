from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    vchasno_consent_email = fields.Boolean(
        string="Agrees to receive receipts by email",
        tracking=True,
        help="Fiscal receipts may be sent to this customer's email by Vchasno.Kasa.",
    )
    vchasno_consent_sms = fields.Boolean(
        string="Agrees to receive receipts by SMS/Viber",
        tracking=True,
        help="Fiscal receipts may be sent to this customer's mobile phone by "
        "Vchasno.Kasa (Viber first, SMS if the number has no Viber).",
    )
