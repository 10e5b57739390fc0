"""Register operations: open a shift, X and Z reports, service cash.

A button runs the whole operation (fresh status, checks, the queued
receipt, the call, the answer) in a cursor of the sender's own
(``vchasno_tx.sender_env``): the request's transaction is never committed
midway, and what the operation committed is read back from that cursor.
"""

import logging

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_amount

from ..tools.vchasno_errors import VchasnoError
from . import vchasno_tx

_logger = logging.getLogger(__name__)


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    # === Operations === #

    def _run_operation(self, kind, amount=0.0):
        """Check, queue and send one operation of this register; say how it went.

        Runs in the sender's own cursor: the fresh status, the queued receipt
        and its outcome are committed there, the request's transaction is not
        touched. The returned action is built from that cursor too.
        """
        self.ensure_one()
        with vchasno_tx.sender_env(self.env) as env:
            register = self.with_env(env)
            if kind != "service_in":
                register._refresh_shift_status()
            notice = register._check_operation(kind, amount)
            if notice:
                return notice
            if kind == "z_report":
                receipt = register._z_receipt(cashier=env.user)
            else:
                receipt = register._new_operation(kind, amount=amount)
            # The operation is queued for good before Vchasno is called.
            vchasno_tx.commit(env)
            return register._send_operation(receipt)

    def _check_operation(self, kind, amount):
        """Refuse an operation that makes no sense now (fresh status known).

        :return: an action telling that nothing is to do, or None
        :raise UserError: the operation is refused
        """
        if kind == "open_shift" and self.shift_state == "open":
            return self._notify(_("Shift already open"), self._status_summary())
        if kind == "x_report" and self.shift_state != "open":
            raise UserError(_("No shift is open: there is nothing to report."))
        if kind == "z_report":
            if self.shift_state != "open":
                raise UserError(_("No shift is open: there is nothing to close."))
            if (
                # sudo: every receipt of the register counts, whoever may read it.
                self.env["vchasno.receipt"]
                .sudo()
                .search_count(
                    [("register_id", "=", self.id), ("state", "=", "sending")]
                )
            ):
                raise UserError(
                    _(
                        "A receipt of this register is being sent right now: wait "
                        "a minute, then close the shift."
                    )
                )
        currency = self.currency_id
        if kind == "service_out" and (
            float_compare(
                amount, self.safe_amount, precision_rounding=currency.rounding
            )
            > 0
        ):
            raise UserError(
                _(
                    "There is only %(safe)s in the register %(name)s: "
                    "%(amount)s cannot be taken out.",
                    safe=format_amount(self.env, self.safe_amount, currency),
                    name=self.name,
                    amount=format_amount(self.env, amount, currency),
                )
            )
        return None

    def _refresh_shift_status(self):
        """A fresh status before a shift operation; any failure is a UserError."""
        self.ensure_one()
        self._store_status(self._fetch_status(raise_auth=True))

    def _new_operation(self, kind, amount=0.0, cashier=None):
        """A queued fiscal operation of this register (report, service cash)."""
        self.ensure_one()
        cashier = cashier if cashier is not None else self.env.user
        # sudo: receipts are created by code only; the public actions that
        # lead here check the caller's rights first.
        return (
            # sudo: receipts are created by code only (see the comment above).
            self.env["vchasno.receipt"]
            .sudo()
            .create(
                {
                    "company_id": self.company_id.id,
                    "register_id": self.id,
                    "kind": kind,
                    "amount": amount,
                    "cashier_id": cashier.id,
                    "cashier_name": cashier.name if cashier else False,
                }
            )
        )

    def _z_receipt(self, cashier=False):
        """The register's one pending Z report: reused (same tag) or new.

        :raise UserError: a Z report is being sent or its outcome is checked
        """
        self.ensure_one()
        # sudo: the register's pending Z counts, whoever may read it.
        Receipt = self.env["vchasno.receipt"].sudo()
        pending = Receipt.search(
            [
                ("register_id", "=", self.id),
                ("kind", "=", "z_report"),
                ("state", "in", ("to_send", "sending", "unknown")),
            ],
            order="id",
            limit=1,
        )
        if pending and pending.state == "to_send" and pending._try_lock():
            pending.next_attempt_at = False
            return pending
        if pending:
            raise UserError(
                _(
                    "A Z report of %(name)s is being sent or checked "
                    "(%(report)s): wait a minute.",
                    name=self.name,
                    report=pending.display_name,
                )
            )
        return self._new_operation("z_report", cashier=cashier or self.env["res.users"])

    def _send_and_resolve(self, receipt):
        """Send a queued operation in this (sender's) cursor; a lost answer of
        a shift task is checked by the register status at once."""
        receipt._send_here()
        if receipt.state == "unknown" and receipt.kind in ("z_report", "open_shift"):
            try:
                with self._get_client() as client:
                    receipt._resolve_unknown(client)
                # The settled outcome, alone.
                vchasno_tx.commit(self.env)
                receipt._run_followups(commit=True)
            except VchasnoError as err:
                _logger.warning("Vchasno receipt %s: not checked: %s", receipt.id, err)
        return receipt

    def _send_operation(self, receipt):
        """Send a queued operation in this (sender's) cursor; say how it went."""
        self._send_and_resolve(receipt)
        self.invalidate_recordset()
        if receipt.state == "done" and receipt.kind in ("x_report", "z_report"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "vchasno.receipt",
                "res_id": receipt.id,
                "view_mode": "form",
                "target": "current",
            }
        if receipt.state == "done":
            message = _(
                "%(operation)s done. Cash in the register: %(safe)s.",
                operation=receipt.display_name,
                safe=format_amount(self.env, self.safe_amount, self.currency_id),
            )
            return self._notify(receipt.display_name, message, "success")
        if receipt.state in ("error", "cancelled"):
            return self._notify(
                receipt.display_name, receipt.error_message or "", "danger"
            )
        return receipt._open_or_notify()

    def _service_cash(self, kind, amount):
        """Service cash-in / cash-out (tasks 3 and 4) of ``amount``."""
        self.ensure_one()
        currency = self.currency_id
        if float_compare(amount, 0.0, precision_rounding=currency.rounding) <= 0:
            raise UserError(_("The amount must be greater than zero."))
        return self._run_operation(kind, amount=currency.round(amount))

    def _cash_move_action(self, kind):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Service cash-in")
            if kind == "service_in"
            else _("Service cash-out"),
            "res_model": "vchasno.cash.move",
            "view_mode": "form",
            "target": "new",
            "context": {"default_register_id": self.id, "default_kind": kind},
        }
