"""Tests with real cursors and real commits, as the cron worker and a request
have them in production.

A ``TransactionCase`` runs inside one transaction that it never commits; the
sender's commits are about other transactions (the cron worker's, the
sender's own cursor next to a request's). These tests commit their set-up in
separate cursors, run the code under test in separate cursors, look at the
result from yet another cursor (what the rest of the world sees), and delete
every committed row afterwards: the database is shared by the suite.
"""

import uuid
from contextlib import contextmanager
from decimal import Decimal

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase

from ..tools import receipt_maths as rm
from ..tools.emulator import VchasnoEmulator
from .loopback import LoopbackRequestsMixin

PARAMS = ("l10n_ua_vchasno_kasa.api_url", "l10n_ua_vchasno_kasa.read_timeout")


class WorkerKilled(BaseException):
    """The worker process dies here (not an ``Exception``: nothing catches it)."""


class RealCursorCase(LoopbackRequestsMixin, TransactionCase):
    """A committed register on the emulator; helpers to work in real cursors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = VchasnoEmulator(hang_s=3)
        cls.emulator_url = cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        self.token = "real-" + uuid.uuid4().hex
        self.committed = {"receipt": [], "register": [], "partner": []}
        with self.cursor() as env:
            company = env.ref("base.main_company")
            self.saved = {
                "enabled": company.vchasno_enabled,
                "params": {p: env["ir.config_parameter"].get_param(p) for p in PARAMS},
            }
            company.vchasno_enabled = True
            env["ir.config_parameter"].set_param(PARAMS[0], self.emulator_url)
            env["ir.config_parameter"].set_param(PARAMS[1], 2)
            register = env["vchasno.register"].create(
                {
                    "name": "Real cursors",
                    "api_token": self.token,
                    "tax_group_code": "1",
                    "company_id": company.id,
                    "auto_close": False,
                }
            )
            # Recovery by tag search, as the shared register (tests/common.py).
            register.sudo().write(
                {
                    "tag_search_behaviour": "works",
                    "behaviour_checked_at": fields.Datetime.now(),
                }
            )
            self.company_id, self.register_id = company.id, register.id
            self.committed["register"].append(register.id)
        self.addCleanup(self._delete_committed_rows)

    @contextmanager
    def cursor(self):
        """A real cursor (another transaction), committed at the end."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    @contextmanager
    def open_cursor(self):
        """A real cursor left uncommitted (rolled back at the end)."""
        cr = self.registry.cursor()
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
        finally:
            cr.rollback()
            cr.close()

    @contextmanager
    def two_workers(self):
        """Two real cursors side by side, left uncommitted (rolled back)."""
        with self.open_cursor() as env1, self.open_cursor() as env2:
            yield env1, env2

    def queue(self, kind="sale", amount="240.00", **vals):
        """A committed receipt with its request frozen; returns its id."""
        tag = uuid.uuid4().hex
        amount = Decimal(amount)
        if kind in ("sale", "return"):
            body = {
                "receipt": rm.build_receipt(
                    [rm.Row("Кава зернова", Decimal(2), amount / 2, "1")],
                    [rm.Pay(rm.PAY_CASHLESS, amount)],
                )
            }
        else:
            body = {"cash": rm.build_cash(amount)}
        task = {"sale": rm.TASK_SALE, "return": rm.TASK_RETURN}.get(
            kind, rm.TASK_SERVICE_IN
        )
        with self.cursor() as env:
            receipt = env["vchasno.receipt"].create(
                {
                    "company_id": self.company_id,
                    "register_id": self.register_id,
                    "kind": kind,
                    "amount": float(amount),
                    "tag": tag,
                    "payload": rm.build_request(task, tag, **body),
                    **vals,
                }
            )
            self.committed["receipt"].append(receipt.id)
            return receipt.id

    def docs(self, tag=None):
        return [d for d in self.emulator.documents() if tag in (None, d["tag"])]

    def _delete_committed_rows(self):
        with self.cursor() as env:
            cr = env.cr
            receipts = tuple(self.committed["receipt"]) or (0,)
            cr.execute(
                "SELECT id FROM vchasno_receipt WHERE register_id IN %s",
                [tuple(self.committed["register"])],
            )
            receipts += tuple(row[0] for row in cr.fetchall())
            for model, ids in (
                ("vchasno.receipt", receipts),
                ("vchasno.register", tuple(self.committed["register"])),
                ("res.partner", tuple(self.committed["partner"]) or (0,)),
            ):
                cr.execute(
                    "DELETE FROM mail_message WHERE model = %s AND res_id IN %s",
                    [model, ids],
                )
                cr.execute(
                    "DELETE FROM mail_activity WHERE res_model = %s AND res_id IN %s",
                    [model, ids],
                )
                cr.execute(
                    "DELETE FROM mail_followers WHERE res_model = %s AND res_id IN %s",
                    [model, ids],
                )
            cr.execute(
                "DELETE FROM vchasno_receipt_delivery WHERE receipt_id IN %s",
                [receipts],
            )
            cr.execute(
                "UPDATE vchasno_receipt SET original_receipt_id = NULL WHERE id IN %s",
                [receipts],
            )
            cr.execute("DELETE FROM vchasno_receipt WHERE id IN %s", [receipts])
            # The registers' own sending crons (models/vchasno_sender_crons).
            registers = env["vchasno.register"].browse(self.committed["register"])
            registers.with_context(active_test=False).sender_cron_id.unlink()
            cr.execute(
                "DELETE FROM vchasno_register WHERE id IN %s",
                [tuple(self.committed["register"])],
            )
            cr.execute(
                "DELETE FROM res_partner WHERE id IN %s",
                [tuple(self.committed["partner"]) or (0,)],
            )
            env.ref("base.main_company").vchasno_enabled = self.saved["enabled"]
            for param, value in self.saved["params"].items():
                env["ir.config_parameter"].set_param(param, value)
            # Remove the committed rows: the database is shared by the suite.
            cr.commit()  # pylint: disable=invalid-commit
