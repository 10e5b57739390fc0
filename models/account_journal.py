from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountJournal(models.Model):
    _inherit = "account.journal"

    vchasno_register_id = fields.Many2one(
        "vchasno.register",
        string="Vchasno register",
        check_company=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Payments into this journal get fiscal receipts from this Vchasno.Kasa "
        "register. One register may serve several journals.",
    )
    vchasno_policy = fields.Selection(
        [
            ("always", "Always"),
            ("ask", "Ask each time"),
            ("never", "Never"),
        ],
        string="Fiscalize payments",
        default="always",
        required=True,
        help="Always: every customer payment gets a fiscal receipt. Ask each time: "
        "only when 'Fiscal receipt' is ticked when the payment is registered. Never: "
        "for card-terminal journals whose receipts the terminal's own PRRO makes.",
    )
    vchasno_payment_type = fields.Selection(
        [
            ("cash", "Cash (Готівка)"),
            ("cashless", "Cashless (Безготівка)"),
            ("card", "Card (Картка)"),
        ],
        string="Vchasno payment type",
        compute="_compute_vchasno_payment_type",
        store=True,
        readonly=False,
        help="How the payment appears on the receipt. Cash and Cashless must be "
        "enabled for the register in the Vchasno cabinet.",
    )

    @api.depends("type")
    def _compute_vchasno_payment_type(self):
        for journal in self:
            if not journal.vchasno_payment_type:
                journal.vchasno_payment_type = (
                    "cash" if journal.type == "cash" else "cashless"
                )

    @api.constrains("vchasno_register_id", "type")
    def _check_vchasno_register(self):
        for journal in self.filtered("vchasno_register_id"):
            if not journal.vchasno_register_id.active:
                raise ValidationError(
                    _(
                        "The Vchasno register %(register)s is archived: it cannot "
                        "serve the journal %(journal)s.",
                        register=journal.vchasno_register_id.name,
                        journal=journal.display_name,
                    )
                )
            if journal.type not in ("cash", "bank"):
                raise ValidationError(
                    _(
                        "Only cash and bank journals can be linked to a Vchasno "
                        "register (journal %(journal)s).",
                        journal=journal.display_name,
                    )
                )
