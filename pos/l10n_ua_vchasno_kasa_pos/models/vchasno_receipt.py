"""Point of Sale orders as a source of the one outbox.

A paid order queues its receipt in its own transaction (``pos.order``); the
receipt is sent by the same sender, cron, recovery and state machine as an
invoice payment's. Here: the link to the order, its uniqueness in the
database, late binding of a refund to its sale, and the delay between sale
and fiscalization (an order paid offline is fiscalized when it syncs).
"""

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import VchasnoPayloadError

LAG_PARAM = "l10n_ua_vchasno_kasa_pos.lag_warning_minutes"
LAG_DEFAULT = 30  # minutes between sale and fiscal receipt before a warning


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"
    _rec_names_search = ["fiscal_number", "tag", "payment_id", "pos_order_id"]

    pos_order_id = fields.Many2one(
        "pos.order",
        string="Point of Sale order",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
    )
    pos_session_id = fields.Many2one(
        "pos.session",
        string="Point of Sale session",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The session whose opening, cash move or closing made this shift "
        "operation.",
    )
    pos_order_uuid = fields.Char(
        string="Point of Sale order UUID",
        readonly=True,
        copy=False,
        help="The UUID the Point of Sale gave the order: one fiscal receipt per "
        "UUID, even if the order reached the server twice.",
    )
    pos_order_date = fields.Datetime(
        related="pos_order_id.date_order", string="Sold at", readonly=True
    )
    fiscal_lag_minutes = fields.Integer(
        string="Fiscalized after (minutes)",
        compute="_compute_fiscal_lag",
        help="Minutes between the sale at the Point of Sale and the fiscal "
        "receipt (until now while it is not issued).",
    )
    fiscal_lag_warning = fields.Char(compute="_compute_fiscal_lag")

    @api.depends("pos_order_id.date_order", "fiscal_date", "state")
    def _compute_fiscal_lag(self):
        threshold = self._lag_threshold()
        now = fields.Datetime.now()
        for receipt in self:
            sold = receipt.pos_order_id.date_order
            if not sold or receipt.state == "cancelled":
                receipt.fiscal_lag_minutes = 0
                receipt.fiscal_lag_warning = False
                continue
            end = receipt.fiscal_date if receipt.state == "done" else now
            minutes = max(int((end - sold).total_seconds() // 60), 0)
            receipt.fiscal_lag_minutes = minutes
            receipt.fiscal_lag_warning = (
                receipt._lag_message(minutes) if minutes >= threshold else False
            )

    def init(self):
        # EXTENDS l10n_ua_vchasno_kasa: one active sale (or return) receipt
        # per Point of Sale order, and per order UUID: Odoo does not enforce
        # unique order UUIDs (two tabs syncing one offline order can create
        # it twice), the database refuses a second receipt for it.
        res = super().init()
        cr = self.env.cr
        cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_pos_order_kind_uniq
                ON vchasno_receipt (pos_order_id, kind)
             WHERE pos_order_id IS NOT NULL
               AND state != 'cancelled'
               AND superseded IS NOT TRUE
        """)
        )
        cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS vchasno_receipt_pos_uuid_kind_uniq
                ON vchasno_receipt (pos_order_uuid, kind)
             WHERE pos_order_uuid IS NOT NULL
               AND state != 'cancelled'
               AND superseded IS NOT TRUE
        """)
        )
        return res

    # === Source === #

    def _vchasno_source(self):
        # EXTENDS l10n_ua_vchasno_kasa: a Point of Sale order is a source.
        self.ensure_one()
        return self.pos_order_id or super()._vchasno_source()

    def _bind_sources(self):
        # EXTENDS l10n_ua_vchasno_kasa (sender): a refund order finds the sale
        # receipt it returns against only now, and reserves its amount on
        # that receipt's ledger; the return then waits until the sale is done.
        self.ensure_one()
        order = self.pos_order_id
        if order and self.kind == "return" and not self.original_receipt_id:
            original, problem = order._vchasno_find_original(self.amount)
            if problem:
                raise VchasnoPayloadError([problem])
            if not self._reserve_on(original):
                return False
        return super()._bind_sources()

    # === Follow-ups === #

    def _after_transition_steps(self, old_state, new_state):
        # EXTENDS l10n_ua_vchasno_kasa: a receipt issued long after its sale
        # (an order paid offline) says so in its chatter and the order's.
        steps = super()._after_transition_steps(old_state, new_state)
        if new_state == "done" and self.pos_order_id:
            steps.append("_after_pos_lag")
        return steps

    def _after_pos_lag(self):
        self.invalidate_recordset(["fiscal_lag_minutes", "fiscal_lag_warning"])
        if self.fiscal_lag_warning:
            self._message_log(body=self.fiscal_lag_warning)
            # sudo: the code's note on the order, whoever sent the receipt.
            self.pos_order_id.sudo()._message_log(body=self.fiscal_lag_warning)

    # === Helpers === #

    @api.model
    def _lag_threshold(self):
        # sudo: a technical threshold, read for every user.
        value = self.env["ir.config_parameter"].sudo().get_param(LAG_PARAM, LAG_DEFAULT)
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            return LAG_DEFAULT

    def _lag_message(self, minutes):
        hours, rest = divmod(minutes, 60)
        return _(
            "Fiscalized %(hours)s h %(minutes)s min after the sale: the Point of "
            "Sale was offline or Vchasno.Kasa could not be reached. The fiscal "
            "receipt carries the time it was issued; the order keeps the time of "
            "the sale.",
            hours=hours,
            minutes=rest,
        )
