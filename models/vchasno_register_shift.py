"""Shifts of a Vchasno register: open, X/Z reports, service cash, daily close.

Rules (R7, RELIABILITY.md §6.7), in one place:

* **Auto-open.** The first receipt of a shift opens it (Vchasno does it,
  spec §8); ``_after_send`` records the shift as open from that receipt.
* **24-hour guard.** Before a receipt that belongs to a shift (sale, return,
  service cash) goes out, a shift older than 23 h 45 min (stored opening
  time, confirmed by a status request, task 18) is closed with a Z report
  first; the receipt then opens the new shift.
* **Daily close.** ``_cron_close_shifts`` runs every 15 minutes and also
  re-triggers itself at the next close instant. For each register with
  ``auto_close`` the close instant of a Kyiv day is ``z_time`` on that day in
  Europe/Kyiv, turned into UTC with zoneinfo, so it follows DST (a time that
  does not exist on the spring-forward day is read with the winter offset,
  one that happens twice in autumn is the first one). The shift is closed
  once per instant: only when a shift opened *before* that instant is still
  open (asked with a status request first), and never when a Z report was
  done at or after it (``last_z_at``). A run that comes late (server down)
  still closes within ``CATCH_UP`` after the instant.
* **No-sales window.** During ``no_sales_minutes`` before the close instant,
  receipts of an open shift are held (they stay queued, nothing is sent) so
  that the Z report does not race them.
* **Pending receipts at close: the Z drains first.** The daily Z waits while
  a receipt of the register is being sent (``sending``); receipts still
  queued (``to_send``, or held by the window) go out after the Z, in the new
  shift. None is lost, none is marked done by the Z. If a receipt reaches the
  sender after the close instant while the old shift is still open, the
  sender runs the daily Z itself first (same rules, same single Z).
* **Never two Z reports.** At most one Z per register is queued, being sent
  or unknown (a partial unique index); a Z whose answer was lost is checked
  with a status request before anything else: shift closed means the Z
  happened, shift still open means it did not and the same tag is sent again.
"""

import logging
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount

from ..tools.vchasno_errors import (
    VchasnoAuthError,
    VchasnoError,
    VchasnoNotSentError,
    VchasnoThrottledError,
)
from .kyiv_time import kyiv_to_utc, utc_to_kyiv
from .vchasno_receipt_sender import _can_commit

_logger = logging.getLogger(__name__)

SHIFT_GUARD = timedelta(hours=23, minutes=45)  # close before the 24-hour limit
CATCH_UP = timedelta(hours=3)  # a late daily close still happens within this
WAIT_SECONDS = 60  # a receipt held for the shift is tried again after this
DRAIN_RETRY = timedelta(minutes=1)  # daily close re-tried while receipts send
# Receipts that belong to a shift (and open one when none is open).
SHIFT_KINDS = ("sale", "return", "service_in", "service_out")
OPENING_KINDS = (*SHIFT_KINDS, "open_shift")


class VchasnoShiftWait(VchasnoThrottledError):
    """The receipt waits for its shift (close window, Z report in progress).

    Nothing was sent. A throttling error for the sender: back to the queue
    after ``retry_after`` seconds, without counting a transport failure.
    """

    default_code = "shift_wait"


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    z_time = fields.Float(
        string="Daily close at",
        default=23 + 50 / 60,
        tracking=True,
        help="Local time (Europe/Kyiv) of the daily Z report that closes the shift.",
    )
    auto_close = fields.Boolean(
        string="Close the shift daily",
        default=True,
        tracking=True,
        help="Odoo closes the shift with a Z report every day at the close time. "
        "Turn it off if the automatic closing of the Vchasno cabinet is used.",
    )
    no_sales_minutes = fields.Integer(
        string="No-sales window (minutes)",
        default=5,
        help="Receipts are held during these minutes before the daily close, so "
        "that the Z report does not race them; they go out after the close, "
        "in the new shift.",
    )
    shift_age = fields.Float(
        string="Shift age (hours)",
        compute="_compute_shift_age",
        help="Time since the shift was opened.",
    )
    last_z_number = fields.Char(string="Last Z report", readonly=True, copy=False)
    last_z_at = fields.Datetime(string="Last Z report at", readonly=True, copy=False)
    report_count = fields.Integer(compute="_compute_report_count")

    # === Computes === #

    @api.depends("shift_state", "shift_opened_at")
    def _compute_shift_age(self):
        now = fields.Datetime.now()
        for register in self:
            if register.shift_state == "open" and register.shift_opened_at:
                age = now - register.shift_opened_at
                register.shift_age = max(age.total_seconds(), 0) / 3600
            else:
                register.shift_age = 0.0

    def _compute_report_count(self):
        counts = dict(
            self.env["vchasno.receipt"]._read_group(
                [
                    ("register_id", "in", self.ids),
                    ("kind", "in", ("x_report", "z_report")),
                ],
                ["register_id"],
                ["__count"],
            )
        )
        for register in self:
            register.report_count = counts.get(register, 0)

    # === Constraints === #

    @api.constrains("z_time", "no_sales_minutes")
    def _check_z_time(self):
        for register in self:
            if not 0 <= register.z_time < 24:
                raise ValidationError(
                    _("The daily close time must be between 00:00 and 23:59.")
                )
            if not 0 <= register.no_sales_minutes <= 60:
                raise ValidationError(
                    _("The no-sales window must be between 0 and 60 minutes.")
                )

    # === Actions === #

    def action_open_shift(self):
        self.env["vchasno.access"]._check("open_shift", self)
        self.ensure_one()
        self._refresh_shift_status()
        if self.shift_state == "open":
            return self._notify(_("Shift already open"), self._status_summary())
        return self._send_operation(self._new_operation("open_shift"))

    def action_x_report(self):
        self.env["vchasno.access"]._check("x_report", self)
        self.ensure_one()
        self._refresh_shift_status()
        if self.shift_state != "open":
            raise UserError(_("No shift is open: there is nothing to report."))
        return self._send_operation(self._new_operation("x_report"))

    def action_z_report(self):
        self.env["vchasno.access"]._check("z_report", self)
        self.ensure_one()
        self._refresh_shift_status()
        if self.shift_state != "open":
            raise UserError(_("No shift is open: there is nothing to close."))
        if (
            # sudo: every receipt of the register counts, whoever may read it.
            self.env["vchasno.receipt"]
            .sudo()
            .search_count([("register_id", "=", self.id), ("state", "=", "sending")])
        ):
            raise UserError(
                _(
                    "A receipt of this register is being sent right now: wait a "
                    "minute, then close the shift."
                )
            )
        return self._send_operation(self._z_receipt(cashier=self.env.user))

    def action_cash_in(self):
        self.env["vchasno.access"]._check("cash_in", self)
        return self._cash_move_action("service_in")

    def action_cash_out(self):
        self.env["vchasno.access"]._check("cash_out", self)
        return self._cash_move_action("service_out")

    def action_view_reports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Shift reports"),
            "res_model": "vchasno.receipt",
            "view_mode": "list,form",
            "domain": [
                ("register_id", "=", self.id),
                ("kind", "in", ("x_report", "z_report")),
            ],
        }

    # === Cron === #

    @api.model
    def _cron_close_shifts(self):
        """Close each register's shift once per day at its local close time."""
        now = fields.Datetime.now()
        # sudo: the daily close cron covers every company's registers.
        registers = self.sudo().search([("auto_close", "=", True)])
        Receipt = self.env["vchasno.receipt"]
        for register in registers:
            try:
                register.with_company(register.company_id)._close_shift_if_due(now)
            except Exception:
                if not _can_commit():
                    raise
                _logger.exception(
                    "Vchasno register %s: daily close failed", register.id
                )
                self.env.cr.rollback()
            Receipt._commit()
        upcoming = [register._next_close_at(now) for register in registers]
        if upcoming:
            self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_close_shifts")._trigger(
                min(upcoming)
            )
        return True

    # === Sender hooks === #

    def _before_send(self, receipt, client):
        # EXTENDS l10n_ua_vchasno_kasa: the 24-hour guard, the daily close that
        # is due, and the no-sales window, before a receipt of a shift goes out.
        super()._before_send(receipt, client)
        if receipt.kind not in SHIFT_KINDS:
            return
        now = fields.Datetime.now()
        reason = self._close_reason(now, client)
        if reason:
            self._close_before(receipt, client, reason)
            return
        if self._in_no_sales_window(now):
            wait = (self._next_close_at(now) - now).total_seconds() + WAIT_SECONDS
            raise VchasnoShiftWait(
                _(
                    "Held until the daily close of the shift at %(time)s: the "
                    "receipt goes out after it, in the new shift.",
                    time=self._format_z_time(),
                ),
                retry_after=int(wait),
            )

    def _after_send(self, receipt, result):
        # EXTENDS l10n_ua_vchasno_kasa: shift bookkeeping from a done receipt.
        res = super()._after_send(receipt, result)
        vals = {}
        if result is not None and result.safe is not None:
            vals["safe_amount"] = float(result.safe)
        when = receipt.fiscal_date or fields.Datetime.now()
        if receipt.kind == "z_report":
            number = result and (result.docno or result.shift_link)
            vals.update(
                shift_state="closed",
                shift_opened_at=False,
                last_z_at=when,
                last_z_number=str(number) if number else receipt.shift_number,
            )
        elif receipt.kind in OPENING_KINDS and (
            self.shift_state != "open" or not self.shift_opened_at
        ):
            vals.update(shift_state="open", shift_opened_at=when)
        if vals:
            # sudo: shift state from Vchasno, written by code (cashiers read only).
            self.sudo().write(vals)
        return res

    # === Helpers: schedule (Europe/Kyiv) === #

    def _close_at(self, day):
        """The close instant (naive UTC) of the Kyiv calendar day ``day``."""
        self.ensure_one()
        minutes = min(round(self.z_time * 60), 24 * 60 - 1)
        local = datetime.combine(day, time(minutes // 60, minutes % 60))
        return kyiv_to_utc(local)

    def _last_close_at(self, now):
        """The latest close instant at or before ``now`` (naive UTC)."""
        day = utc_to_kyiv(now).date()
        instant = self._close_at(day)
        return instant if instant <= now else self._close_at(day - timedelta(days=1))

    def _next_close_at(self, now):
        """The first close instant after ``now`` (naive UTC)."""
        day = utc_to_kyiv(now).date()
        instant = self._close_at(day)
        return instant if instant > now else self._close_at(day + timedelta(days=1))

    def _close_due_at(self, now):
        """The close instant whose Z is still to do, or None."""
        self.ensure_one()
        due = self._last_close_at(now)
        if now - due > CATCH_UP or (self.last_z_at and self.last_z_at >= due):
            return None
        return due

    def _format_z_time(self):
        minutes = min(round(self.z_time * 60), 24 * 60 - 1)
        return "%02d:%02d" % divmod(minutes, 60)

    def _in_no_sales_window(self, now):
        if not (self.auto_close and self.no_sales_minutes > 0):
            return False
        if self.shift_state != "open":
            return False
        return self._next_close_at(now) - now <= timedelta(
            minutes=self.no_sales_minutes
        )

    # === Helpers: closing === #

    def _close_shift_if_due(self, now):
        """The daily close of one register; returns the Z receipt or False."""
        self.ensure_one()
        due = self._close_due_at(now)
        # sudo: only whether the register has a token (a managers-only field).
        if not due or not self._is_available() or not self.sudo().api_token:
            return False
        opened = self.shift_opened_at
        if self.shift_state == "open" and opened and opened >= due:
            return False  # the shift began after the close: tomorrow's
        if self.shift_state == "closed" and (
            self.last_status_at and self.last_status_at >= due
        ):
            return False  # known closed since the close instant
        # sudo: the daily close reads and queues receipts (code only).
        Receipt = self.env["vchasno.receipt"].sudo()
        if Receipt.search_count(
            [("register_id", "=", self.id), ("state", "=", "sending")]
        ):
            # Drain first: the Z waits for receipts in flight.
            self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_close_shifts")._trigger(
                now + DRAIN_RETRY
            )
            return False
        try:
            with self._get_client() as client:
                self._store_status(client.status())
        except VchasnoError as err:
            _logger.warning(
                "Vchasno register %s: no status before the daily close: %s",
                self.id,
                err,
            )
            return False
        opened = self.shift_opened_at
        if self.shift_state != "open" or (opened and opened >= due):
            return False
        try:
            z_receipt = self._z_receipt()
        except UserError:
            return False  # a Z report is already on its way
        self._send_and_resolve(z_receipt)
        _logger.info("Vchasno register %s: daily Z report %s", self.id, z_receipt.state)
        return z_receipt

    def _close_reason(self, now, client):
        """Why the shift must be closed before the next receipt, or None."""
        if self.shift_state != "open":
            return None
        if self.auto_close:
            due = self._close_due_at(now)
            if due and self.shift_opened_at and self.shift_opened_at < due:
                return "schedule"
        if self.shift_opened_at and self.shift_opened_at + SHIFT_GUARD > now:
            return None
        # Stored data say the shift is old (or its age is unknown): ask.
        self._status_in_sender(client)
        opened = self.shift_opened_at
        if self.shift_state == "open" and opened and opened + SHIFT_GUARD <= now:
            return "limit"
        return None

    def _status_in_sender(self, client):
        """A status request inside the sender: errors never touch the receipt.

        Nothing of the receipt was sent yet, so any failure is "not sent".
        """
        try:
            result = client.status()
        except (VchasnoAuthError, VchasnoNotSentError):
            raise
        except VchasnoError as err:
            raise VchasnoNotSentError(
                _("The shift status could not be read: %(error)s", error=err)
            ) from err
        self._store_status(result)

    def _close_before(self, receipt, client, reason):
        """Run the Z report inside the sender, then let ``receipt`` go out."""
        _logger.info(
            "Vchasno register %s: closing the shift (%s) before receipt %s",
            self.id,
            reason,
            receipt.id,
        )
        try:
            z_receipt = self._z_receipt()
        except UserError as err:
            raise VchasnoShiftWait(str(err), retry_after=WAIT_SECONDS) from err
        claimed = z_receipt._claim_next(ids=z_receipt.ids)
        if claimed:
            claimed._send_claimed({(self.id, None): client})
        # The commits above released the receipt's row lock: take it again.
        self.env.cr.execute(
            SQL("SELECT id FROM vchasno_receipt WHERE id = %s FOR UPDATE", receipt.id)
        )
        z_receipt.invalidate_recordset()
        if z_receipt.state == "unknown":
            z_receipt._resolve_unknown(client)
        self.invalidate_recordset()
        if z_receipt.state == "done" or (
            z_receipt.state == "cancelled" and self.shift_state == "closed"
        ):
            receipt.message_post(
                body=_(
                    "The shift was closed first (%(report)s); this receipt goes "
                    "out in the new shift.",
                    report=z_receipt.display_name,
                )
            )
            return
        raise VchasnoShiftWait(
            _(
                "Waiting for the Z report that closes the shift (%(report)s).",
                report=z_receipt.display_name,
            ),
            retry_after=WAIT_SECONDS,
        )

    # === Helpers: operations === #

    def _refresh_shift_status(self):
        """A fresh status before a shift operation; any failure is a UserError."""
        self.ensure_one()
        self._store_status(self._fetch_status(raise_auth=True))

    def _new_operation(self, kind, amount=0.0, cashier=None):
        """A queued fiscal operation of this register (report, service cash)."""
        self.ensure_one()
        cashier = cashier if cashier is not None else self.env.user
        return (
            # sudo: operations are receipts created by code; the public action
            # checked vchasno.access first (or it is the daily close cron).
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
        # sudo: the register's one pending Z report, whoever queued it.
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
        """Send an operation at once; a lost answer of a shift task is checked."""
        receipt._send_now()
        if receipt.state == "unknown" and receipt.kind in ("z_report", "open_shift"):
            try:
                with self._get_client() as client:
                    receipt._resolve_unknown(client)
            except VchasnoError as err:
                _logger.warning("Vchasno receipt %s: not checked: %s", receipt.id, err)
        return receipt

    def _send_operation(self, receipt):
        """Send a register operation now and say how it went."""
        self._send_and_resolve(receipt)
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
        amount = currency.round(amount)
        if kind == "service_out":
            self._refresh_shift_status()
            if (
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
        return self._send_operation(self._new_operation(kind, amount=amount))

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
