"""A Point of Sale session and the register's shift (options of the POS,
all off by default):

* opening the session queues the opening of the register's shift (task 0;
  Vchasno answers "already open" when it is, and nothing is issued);
* a cash in / cash out of the session queues a Vchasno service cash-in /
  cash-out of the same amount (tasks 3 and 4);
* closing the session queues the Z report (task 11), the register's one
  pending Z (never two).

Queued, like the sales: the cashier never waits on Vchasno; the sender sends
them in order (a Z after the receipts of the session that are due), and
each is a receipt of the register with its state, error and retry.
"""

import logging

from odoo import fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class PosSession(models.Model):
    _inherit = "pos.session"

    vchasno_receipt_ids = fields.One2many(
        "vchasno.receipt", "pos_session_id", string="Shift operations"
    )

    # === Overrides === #

    def set_opening_control(self, cashbox_value, notes):
        # EXTENDS point_of_sale: open the register's shift with the session.
        res = super().set_opening_control(cashbox_value, notes)
        for session in self.filtered(
            lambda s: s.state == "opened" and s.config_id._vchasno_uses("open_shift")
        ):
            session._vchasno_queue("open_shift")
        return res

    def try_cash_in_out(self, _type, amount, reason, extras):
        # EXTENDS point_of_sale: the session's cash in / out is also a
        # Vchasno service cash-in / cash-out.
        res = super().try_cash_in_out(_type, amount, reason, extras)
        kind = "service_in" if _type == "in" else "service_out"
        for session in self.filtered(lambda s: s.config_id._vchasno_uses("cash_moves")):
            session._vchasno_queue(kind, amount)
        return res

    def _validate_session(self, *args, **kwargs):
        # EXTENDS point_of_sale: a session that closed takes the Z report.
        res = super()._validate_session(*args, **kwargs)
        for session in self.filtered(
            lambda s: s.state == "closed" and s.config_id._vchasno_uses("close_shift")
        ):
            session._vchasno_queue_z()
        return res

    # === Helpers === #

    def _vchasno_queue(self, kind, amount=0.0):
        """Queue a shift operation of the POS's register and wake the sender."""
        self.env["vchasno.access"]._check("pos_shift", self)
        self.ensure_one()
        register = self.config_id.vchasno_register_id
        amount = self.currency_id.round(abs(amount or 0.0))
        if kind in ("service_in", "service_out") and self.currency_id.is_zero(amount):
            return self.env["vchasno.receipt"]
        # sudo: receipts are created by code only; the caller passed the
        # access check for this session.
        receipt = register.sudo()._new_operation(
            kind, amount=amount, cashier=self.env.user
        )
        receipt.pos_session_id = self
        receipt._trigger_sender()
        return receipt

    def _vchasno_queue_z(self):
        self.env["vchasno.access"]._check("pos_shift", self)
        self.ensure_one()
        # sudo: the caller passed the pos_shift check above; the register (its
        # token is managers-only) is read by code to queue the Z report.
        register = self.config_id.vchasno_register_id.sudo()
        try:
            # sudo: same reason as _vchasno_queue (code-made receipts).
            receipt = register._z_receipt(cashier=self.env.user)
        except UserError as err:
            # A Z of this register is already on its way: it closes the shift.
            self.message_post(body=str(err))
            return self.env["vchasno.receipt"]
        if not receipt.pos_session_id:
            receipt.pos_session_id = self
        receipt._trigger_sender()
        return receipt
