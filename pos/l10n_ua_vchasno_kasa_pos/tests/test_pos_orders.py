"""Paid Point of Sale orders, synced as the Odoo 18 Point of Sale syncs them,
get one receipt each through the one outbox (issue 14's acceptance).

Every test asserts the emulator's documents per tag (0 lost, 0 doubled) and
the request's rows and payments, worked out by hand in the comments.
"""

from odoo import fields
from odoo.tests import tagged

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosOrders(VchasnoPosCommon):
    def test_cash_order_with_change(self):
        session = self.open_session()
        # 2 x Кава 120.00 (ПДВ 20 % incl.) = 240.00, 1 x Ліки 53.50 (ПДВ 7 %)
        # = 53.50; total 293.50. The customer gives 300.00: change 6.50.
        data = self.order_data(
            session,
            [self.line(self.product, 2), self.line(self.product_7, 1)],
            [self.pay(self.cash_method, 300.0)],
            change=6.5,
        )
        order = self.sync(data)
        receipt = self.receipt_of(order)
        # Queued in the order's transaction, nothing sent yet.
        self.assertRecordValues(
            receipt,
            [
                {
                    "kind": "sale",
                    "state": "to_send",
                    "pos_order_id": order.id,
                    "pos_order_uuid": data["uuid"],
                    "amount": 293.5,
                    "register_id": self.register.id,
                }
            ],
        )
        self.assertEqual(self.docs(), [])
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        body = self.sent(receipt)
        self.assertEqual(
            body["rows"],
            [
                {
                    "code": "COF-1",
                    "code1": "4820000000017",
                    "name": "Кава зернова",
                    "cnt": 2,
                    "price": 120.0,
                    "taxgrp": 1,
                },
                {"name": "Ліки", "cnt": 1, "price": 53.5, "taxgrp": 4},
            ],
        )
        # Kept in cash: 300.00 - 6.50 = 293.50 = the rows.
        self.assertEqual(body["pays"], [{"type": 0, "sum": 293.5, "change": 6.5}])
        self.assertEqual(body["sum"], 293.5)
        self.assertEqual(len(self.docs()), 1)
        self.assertEqual(order.vchasno_state, "done")
        self.assertEqual(order.vchasno_fiscal_number, receipt.fiscal_number)

    def test_queueing_is_one_insert_and_no_second_wakeup(self):
        """The receipt is written by its INSERT alone (its amounts are
        precomputed: no UPDATE after it), and while the register's cron has
        a due trigger already, a second order adds a trigger without asking
        for a second NOTIFY (Odoo opens a new connection for each)."""
        session = self.open_session()
        # sudo: the register's cron is an admin record; the test only reads it.
        cron = self.register.sudo().sender_cron_id
        # sudo: the test reads cron triggers (admin records) as the harness.
        Trigger = self.env["ir.cron.trigger"].sudo()

        def sell():
            # 1 x Кава 120.00 paid in cash: a sale of 120.00.
            return self.sync(
                self.order_data(
                    session,
                    [self.line(self.product, 1)],
                    [self.pay(self.cash_method, 120.0)],
                )
            )

        def notifications():
            funcs = self.env.cr.postcommit._funcs  # noqa: SLF001 - Odoo's queue
            return sum(1 for f in funcs if getattr(f, "__name__", "") == "_notifydb")

        sell()
        self.env.flush_all()
        due = [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())]
        self.assertTrue(Trigger.search_count(due), "the first sale woke the cron")
        own = [("cron_id", "=", cron.id)]
        notified, triggers = notifications(), Trigger.search_count(own)
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            order = sell()
            self.env.flush_all()
        self.assertEqual(notifications(), notified, "no second NOTIFY")
        self.assertEqual(
            Trigger.search_count(own),
            triggers + 1,
            "the cron still runs after this order's commit",
        )
        updates = [q for q in logs.output if 'UPDATE "vchasno_receipt"' in q]
        self.assertEqual(updates, [])
        # The wake-up is one statement (look for a due trigger and add one,
        # together): no count first, no read of the cron record.
        wakeups = [q for q in logs.output if "ir_cron" in q]
        self.assertEqual(len(wakeups), 1, wakeups)
        receipt = self.receipt_of(order)
        # A sale: sales 120.00, returns 0.00, net 120.00 - 0.00 = 120.00.
        self.assertRecordValues(
            receipt,
            [{"state": "to_send", "amount": 120.0, "amount_sales": 120.0,
              "amount_returns": 0.0, "amount_signed": 120.0}],
        )  # fmt: skip
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
