"""Each active register has a sending cron of its own: registers drain in parallel.

One cron thread sending every receipt of the database drains a backlog of N
registers at 1/latency. Odoo runs different ``ir.cron`` records in parallel
(up to ``max_cron_threads``, or one per worker process), and never runs one
``ir.cron`` record twice at the same time. So each active register gets its
own cron, ``_cron_send_pending_receipts(register_ids=[id])``:

- N registers drain at about N/latency (as many crons as cron threads);
- the receipts of one register go out one after another, in the order of
  their ids (one cron, one thread);
- exactly once whatever runs concurrently (the global cron, a register's
  cron, the "send now" of a page or the POS): a receipt is claimed by
  ``FOR UPDATE SKIP LOCKED`` and committed "sending" before its call.

The global cron (``ir_cron_vchasno_send``) stays: it is the dispatcher that
wakes the register crons with due receipts, it creates the crons missing
after an upgrade, and it sends itself for registers without an active cron of
their own (a person archived it, or it was never made): a safety net.

The crons are made by code, not by XML data: they have no XML id, so an
update of the module (noupdate or not) neither resets nor deletes them. They
follow the register: created with it, archived and restored with it,
renamed with it, deleted with it.
"""

import logging
import os
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

SENDER_INTERVAL_HOURS = 1  # safety: they are woken by triggers and the dispatcher


def _try_write(crons, vals):
    """Write crons unless one runs now (``ir.cron.try_write``, empty-safe)."""
    return bool(crons) and crons.try_write(vals)


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    sender_cron_id = fields.Many2one(
        "ir.cron",
        string="Sending cron",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="base.group_system",
        help="The scheduled action that sends this register's receipts, in "
        "parallel with the other registers. Made and kept by the module.",
    )

    # === CRUD === #

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS vchasno.register: an active register drains on its own cron.
        registers = super().create(vals_list)
        registers.filtered("active")._ensure_sender_crons()
        return registers

    def write(self, vals):
        # EXTENDS vchasno.register: the cron follows the register.
        res = super().write(vals)
        if "active" in vals:
            self.filtered("active")._ensure_sender_crons()
            self.filtered(lambda r: not r.active)._archive_sender_crons()
        if "name" in vals:
            for register in self:
                # sudo: the cron's name follows the register's (managers only
                # rename registers; scheduled actions are admin records).
                _try_write(
                    register.sudo().sender_cron_id,
                    {"name": register._sender_cron_name()},
                )
        return res

    def unlink(self):
        # EXTENDS vchasno.register: no cron left behind for a deleted register.
        # sudo: the register's own cron, made by the module (see above).
        crons = self.sudo().sender_cron_id
        res = super().unlink()
        crons.unlink()  # raises "currently being executed" while it runs
        return res

    # === The crons === #

    def _sender_cron_name(self):
        self.ensure_one()
        return _("Vchasno: send receipts of %(register)s", register=self.name)

    def _ensure_sender_crons(self):
        """Give these registers an active sending cron (create or restore it)."""
        # sudo: scheduled actions are admin records; the module keeps these
        # for the registers whoever may create or restore a register.
        registers = self.sudo()
        restore = registers.sender_cron_id.with_context(active_test=False).filtered(
            lambda cron: not cron.active
        )
        for cron in restore:
            # Not while it still runs (it was archived a moment ago): then
            # the global cron serves the register until someone restores it.
            _try_write(cron, {"active": True})
        missing = registers.filtered(lambda r: not r.sender_cron_id)
        if not missing:
            return
        # sudo: as above, the module creates the admin records it keeps.
        crons = self.env["ir.cron"].sudo().create(missing._sender_cron_vals())
        for register, cron in zip(missing, crons, strict=True):
            register.sender_cron_id = cron
        _logger.info("Vchasno: sending crons %s for %s", crons.ids, missing.ids)

    def _sender_cron_vals(self):
        model_id = self.env["ir.model"]._get_id("vchasno.receipt")
        code = "model._cron_send_pending_receipts(register_ids=[%d])"
        return [
            {
                "name": register._sender_cron_name(),
                "model_id": model_id,
                "state": "code",
                "code": code % register.id,
                "interval_number": SENDER_INTERVAL_HOURS,
                "interval_type": "hours",
                "priority": 5,  # as the global sending cron
                # The sender works as root (sudo with comments), as that one.
                "user_id": self.env.ref("base.user_root").id,
            }
            for register in self
        ]

    def _archive_sender_crons(self):
        # sudo: as in _ensure_sender_crons. try_write: a cron that runs now
        # finds nothing to send (its register is archived); the dispatcher
        # archives it on its next run.
        _try_write(self.sudo().sender_cron_id.filtered("active"), {"active": False})

    @api.model
    def _sync_sender_crons(self):
        """The dispatcher's repair: crons for active registers that have none
        (an upgrade from a version without them), none active for archived
        registers. A cron a person archived stays archived: its register is
        served by the global cron. Nothing is created on a neutralized
        database (its crons are off on purpose)."""
        # sudo: the cron runs as root anyway; scheduled actions are admin records.
        Register = self.sudo().with_context(active_test=False)
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param("database.is_neutralized"):
            Register.search(
                [("active", "=", True), ("sender_cron_id", "=", False)]
            )._ensure_sender_crons()
        Register.search(
            [("active", "=", False), ("sender_cron_id.active", "=", True)]
        )._archive_sender_crons()


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def _trigger_sender(self, at=None, coalesce=False):
        """Wake the senders of these receipts: their registers' own crons.

        Receipts of a register without a cron of its own, or no receipts at
        all (``self`` empty: "whatever is due"), wake the global cron, which
        serves the former and dispatches the rest. Whether a register's cron
        is active is not read here (posting adds no query for it): a cron a
        person archived ignores the trigger, and the global cron's next run
        (every 5 minutes) sends for its register.

        :param coalesce: see ``_wake_cron``; the Point of Sale's sync (many
            orders a minute) passes it. Invoice posting does not: it keeps to
            the posting hook's budget of 3 added queries (RELIABILITY #38).
        """
        # sudo: registers' crons are admin records; this only wakes them.
        registers = self.sudo().register_id
        self._trigger_crons(registers, at, everything=not self, coalesce=coalesce)

    @api.model
    def _trigger_crons(self, registers, at=None, everything=False, coalesce=False):
        # sudo: as in _trigger_sender.
        registers = registers.sudo()
        crons = registers.sender_cron_id
        for cron in crons:
            self._wake_cron(cron, at, coalesce)
        if everything or not registers or len(crons) < len(registers):
            # _xmlid_to_res_id is cached: no query to find the global cron.
            cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
                "l10n_ua_vchasno_kasa.ir_cron_vchasno_send"
            )
            # sudo: as in _trigger_sender, this only wakes the global cron.
            self._wake_cron(self.env["ir.cron"].sudo().browse(cron_id), at, coalesce)

    @api.model
    def _wake_cron(self, cron, at=None, coalesce=False):
        """``cron._trigger(at)``, without a second notification when one is due.

        An immediate trigger makes Odoo send ``NOTIFY cron_trigger`` after
        the commit, on a new connection to the ``postgres`` database (Odoo
        never pools those): several milliseconds per queued receipt. When
        the cron already has a due trigger, the cron threads were notified
        of it (or no cron thread serves this database) and take every due
        cron before they sleep again; then the new trigger is set one second
        ahead, which Odoo records without a notification: the cron still
        runs again after this transaction (a run in progress deletes, when it
        ends, only the triggers that were due when it started: Odoo's DELETE
        uses ``now()`` of the job's lock transaction).

        :param coalesce: look for a due trigger and add this one in a single
            statement (below); without it, this is ``cron._trigger(at)``
        """
        if at is not None or not coalesce:
            cron._trigger(at)
            return
        now = fields.Datetime.now()
        # One statement, for every Point of Sale order: the ORM's way (count
        # the due triggers, read the cron, create the trigger) cost about
        # 3 ms of a 200 ms sync. It writes what ir.cron._trigger_list writes:
        # a trigger row, and a NOTIFY after the commit for an immediate one.
        # It does not skip the cron of a register a person archived: the
        # cron threads ignore the triggers of archived crons.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ir_cron_trigger
                       (cron_id, call_at, create_uid, create_date,
                        write_uid, write_date)
                SELECT %(cron)s,
                       CASE WHEN EXISTS (SELECT 1 FROM ir_cron_trigger
                                          WHERE cron_id = %(cron)s
                                            AND call_at <= %(now)s)
                            THEN %(later)s ELSE %(now)s END,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                RETURNING call_at <= %(now)s
                """,
                cron=cron.id,
                now=now,
                later=now + timedelta(seconds=1),
                uid=self.env.uid,
            )
        )
        if self.env.cr.fetchone()[0] or os.getenv("ODOO_NOTIFY_CRON_CHANGES"):
            self.env.cr.postcommit.add(cron._notifydb)
