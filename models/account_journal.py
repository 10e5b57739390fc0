from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.pay_types import (
    DEFAULT_BY_JOURNAL_TYPE,
    DEFAULT_PAY_TYPE,
    PAY_TYPE_SELECTION,
    cabinet_name,
    default_pay_type,
    pay_type_code,
)

# The values a journal holds while it follows its type (see the compute).
_FOLLOWING_TYPE = frozenset({DEFAULT_PAY_TYPE, *DEFAULT_BY_JOURNAL_TYPE.values()})


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
        PAY_TYPE_SELECTION,
        string="Vchasno payment type",
        compute="_compute_vchasno_payment_type",
        store=True,
        readonly=False,
        help="How payments into this journal appear on the receipt. It follows "
        "the journal type (cash journals: Cash, bank journals: Cashless) until "
        "you choose another type. The type must be enabled for the register in "
        "the Vchasno cabinet.",
    )
    vchasno_cabinet_pay_type = fields.Char(
        string="Name in the Vchasno cabinet",
        compute="_compute_vchasno_cabinet_pay_type",
    )

    @api.depends("type")
    def _compute_vchasno_payment_type(self):
        """Follow the journal type while the value is a type's default.

        Issue 13: a new journal got its value once, before its type was chosen
        (so a cash journal sent Cashless). Now Cash and Cashless follow the
        type; any other choice (Card, LiqPay...) is the user's and is kept.
        Existing journals keep their value: a stored compute only runs when
        the type changes.
        """
        for journal in self:
            if journal.vchasno_payment_type in _FOLLOWING_TYPE or (
                not journal.vchasno_payment_type
            ):
                journal.vchasno_payment_type = default_pay_type(journal.type)

    @api.depends("vchasno_payment_type")
    def _compute_vchasno_cabinet_pay_type(self):
        for journal in self:
            journal.vchasno_cabinet_pay_type = (
                cabinet_name(journal.vchasno_payment_type)
                if journal.vchasno_payment_type
                else False
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

    # === Helpers === #

    def _vchasno_pay_type_code(self):
        """The Vchasno ``pays[].type`` code of this journal's payments."""
        self.ensure_one()
        return pay_type_code(self.vchasno_payment_type or default_pay_type(self.type))
