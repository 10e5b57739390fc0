from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    vchasno_enabled = fields.Boolean(string="Vchasno.Kasa integration enabled")
    vchasno_send_email = fields.Boolean(string="Send receipts by email")
    vchasno_send_sms = fields.Boolean(string="Send receipts by SMS/Viber")
    vchasno_print_invoice = fields.Boolean(
        string="Print receipts of invoice payments", default=True
    )
    vchasno_print_pos = fields.Boolean(
        string="Print receipts of POS orders", default=True
    )
    vchasno_print_refund = fields.Boolean(
        string="Print receipts of customer refunds", default=True
    )
    vchasno_register_ids = fields.One2many("vchasno.register", "company_id")
