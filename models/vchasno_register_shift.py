"""Shifts of a Vchasno register: open, X/Z reports, service cash, daily close.

Rules (R7, RELIABILITY.md §6.7), in one place (the closing itself is in
``vchasno_register_shift_close``, the operations in
``vchasno_register_operation``):

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
from odoo.exceptions import ValidationError

from ..tools.vchasno_errors import VchasnoThrottledError
from . import vchasno_tx
from .kyiv_time import kyiv_to_utc, utc_to_kyiv

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
        return self._run_operation("open_shift")

    def action_x_report(self):
        self.env["vchasno.access"]._check("x_report", self)
        self.ensure_one()
        return self._run_operation("x_report")

    def action_z_report(self):
        self.env["vchasno.access"]._check("z_report", self)
        self.ensure_one()
        return self._run_operation("z_report")

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
        for register in registers:
            vchasno_tx.isolated(
                self.env,
                lambda r=register: r.with_company(r.company_id)._close_shift_if_due(
                    now
                ),
                "Vchasno register %s: daily close failed",
                register.id,
            )
            # One register's close, alone: the next one is independent.
            vchasno_tx.commit(self.env)
        upcoming = [register._next_close_at(now) for register in registers]
        if upcoming:
            self.env.ref("l10n_ua_vchasno_kasa.ir_cron_vchasno_close_shifts")._trigger(
                min(upcoming)
            )
        return True

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
