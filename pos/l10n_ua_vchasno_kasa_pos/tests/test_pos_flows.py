"""What happens around a sale: refunds, an order synced offline and late,
the same order synced twice, an error in our hook, invoiced orders."""

import copy
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosFlows(VchasnoPosCommon):
    def sell(self, session, lines, payments, change=0.0, **vals):
        data = self.order_data(session, lines, payments, change=change, **vals)
        return self.sync(data), data

    def refund(self, session, order, qty_by_line, method=None):
        """A refund as the POS makes it: lines linked to the original ones."""
        lines = []
        for line, qty in qty_by_line:
            lines.append(
                self.line(line.product_id, -qty, price=line.price_unit, refund_of=line)
            )
        total = sum(cmd[2]["price_subtotal_incl"] for cmd in lines)
        return self.sell(session, lines, [self.pay(method or self.cash_method, total)])[
            0
        ]

    def test_refund_makes_a_return_tied_to_the_sale(self):
        session = self.open_session()
        # Sale: 2 x Кава 120.00 = 240.00 in cash.
        sale_order, _data = self.sell(
            session, [self.line(self.product, 2)], [self.pay(self.cash_method, 240.0)]
        )
        self.send()
        sale = self.receipt_of(sale_order)
        self.assertEqual(sale.state, "done", sale.error_message)
        # Refund of 1 x Кава: 120.00 back in cash.
        refund_order = self.refund(session, sale_order, [(sale_order.lines, 1)])
        ret = self.receipt_of(refund_order)
        self.assertRecordValues(
            ret, [{"kind": "return", "amount": 120.0, "state": "to_send"}]
        )
        self.send()
        self.assertRecordValues(
            ret, [{"state": "done", "original_receipt_id": sale.id}]
        )
        body = self.sent(ret)
        self.assertEqual(self.docs(tag=ret.tag)[0]["task"], 2)
        self.assertEqual(
            [(r["name"], r["cnt"], r["price"]) for r in body["rows"]],
            [("Кава зернова", 1, 120.0)],
        )
        self.assertEqual(body["pays"], [{"type": 0, "sum": 120.0, "change": 0.0}])
        # The ledger: 120.00 of 240.00 returned, 120.00 left.
        self.assertEqual(sale._returnable_amount(), 120.0)
        # A second refund of 2 more (240.00) than is left (120.00): refused
        # before sending, nothing reaches Vchasno.
        over = self.refund(session, sale_order, [(sale_order.lines, 2)])
        self.send()
        too_much = self.receipt_of(over)
        self.assertEqual(too_much.state, "error")
        self.assertIn("more than what is left to return", too_much.error_message)
        self.assertEqual(len(self.docs()), 2)  # the sale and the first return

    def test_return_waits_for_its_sale(self):
        session = self.open_session()
        sale_order, _data = self.sell(
            session, [self.line(self.product, 1)], [self.pay(self.card_method, 120.0)]
        )
        refund_order = self.refund(
            session, sale_order, [(sale_order.lines, 1)], self.card_method
        )
        sale, ret = self.receipt_of(sale_order), self.receipt_of(refund_order)
        # Vchasno is busy (429) for the sale: it goes back to the queue.
        self.emulator.inject_fault("http_429")
        self.send()
        self.assertEqual(sale.state, "to_send")
        self.assertEqual(ret.state, "to_send")
        self.assertEqual(ret.original_receipt_id, sale)
        self.assertEqual(
            ret.waiting_reason, "Waits until the receipt it returns is issued."
        )
        self.assertEqual(self.docs(), [])
        self.make_due(sale | ret)
        self.send()
        self.send()
        self.assertEqual((sale.state, ret.state), ("done", "done"))
        # One document per tag: the sale (task 1), then its return (task 2).
        self.assertEqual(
            [(d["tag"], d["task"]) for d in self.docs()], [(sale.tag, 1), (ret.tag, 2)]
        )

    def test_order_paid_offline_synced_late(self):
        # The POS sold at 08:00 in session 1 and went offline; session 1 was
        # closed meanwhile; the order reaches the server 10 h later: Odoo
        # puts it in the open session, we fiscalize it now.
        first = self.open_session()
        self.close_session(first)
        second = self.open_session()
        sold_at = fields.Datetime.now() - timedelta(hours=10)
        order, _data = self.sell(
            first,
            [self.line(self.product, 1)],
            [self.pay(self.cash_method, 120.0)],
            date_order=fields.Datetime.to_string(sold_at),
        )
        self.assertEqual(order.session_id, second)
        receipt = self.receipt_of(order)
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        # The order keeps the sale's time; the receipt the fiscal time.
        self.assertEqual(order.date_order, sold_at)
        self.assertEqual(receipt.pos_order_date, sold_at)
        self.assertLess(
            abs((receipt.fiscal_date - fields.Datetime.now()).total_seconds()), 120
        )
        self.assertGreaterEqual(receipt.fiscal_lag_minutes, 599)
        self.assertIn("10 h", receipt.fiscal_lag_warning)
        self.assertIn("10 h", order.vchasno_lag_warning)
        notes = order.message_ids.mapped("body")
        self.assertTrue(any("after the sale" in str(note) for note in notes))

    def test_same_order_synced_twice(self):
        session = self.open_session()
        data = self.order_data(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        first = self.sync(copy.deepcopy(data))
        again = self.sync(copy.deepcopy(data))  # the POS retries the sync
        self.assertEqual(first, again)
        self.send()
        receipt = self.receipt_of(first)
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs()), 1)

    def test_same_uuid_on_two_orders(self):
        # Odoo does not enforce unique order UUIDs: two tabs syncing one
        # offline order at once can create it twice. The second copy gets
        # no receipt (note in its chatter)...
        session = self.open_session()
        data = self.order_data(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        Order = self.env["pos.order"]
        first = Order.browse(Order._process_order(copy.deepcopy(data), False))
        twin = Order.browse(Order._process_order(copy.deepcopy(data), False))
        self.assertNotEqual(first, twin)
        self.assertEqual(len(self.receipt_of(first)), 1)
        self.assertFalse(self.receipt_of(twin))
        self.assertIn("already has its fiscal receipt", str(twin.message_ids[:1].body))
        self.send()
        self.assertEqual(len(self.docs()), 1)
        # ... and when the two transactions race (neither sees the other's
        # receipt), the database refuses the second receipt for the UUID.
        vals = twin._vchasno_receipt_vals()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                # sudo: as the bridge creates receipts (code only), to hit the index.
                self.env["vchasno.receipt"].sudo().create(vals)

    def test_pos_that_does_not_fiscalize_queues_nothing(self):
        # Integration off for the company, or a Point of Sale without a
        # register: the order is paid as in Odoo, no receipt, no note.
        session = self.open_session()
        self.company.vchasno_enabled = False
        order, _data = self.sell(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        self.assertEqual(order.state, "paid")
        self.assertFalse(self.receipt_of(order))
        self.company.vchasno_enabled = True
        session.config_id.vchasno_register_id = False
        order, _data = self.sell(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        self.assertEqual(order.state, "paid")
        self.assertFalse(self.receipt_of(order))
        self.assertFalse(self.env["vchasno.receipt"].search([]))
        self.send()
        self.assertEqual(self.docs(), [])

    def test_twin_check_uses_the_indexes(self):
        # The twin check runs on every paid order: with the receipts of
        # years in the table it must find a twin through the unique
        # indexes, never by reading the whole table. Sequential scans are
        # made very costly, so the plan shows a scan only when no index can
        # answer the query (Odoo's own "!=" domain adds "OR state IS NULL",
        # which no partial index matches).
        session = self.open_session()
        order, _data = self.sell(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        cr = self.env.cr
        queries = []
        execute = type(cr).execute

        def record(cursor, query, params=None, log_exceptions=True):
            queries.append((query, params))
            return execute(cursor, query, params, log_exceptions)

        self.env.flush_all()
        with patch.object(type(cr), "execute", record):
            twin = order._vchasno_twin_receipts()
        self.assertEqual(twin, self.receipt_of(order))
        receipt_queries = [q for q in queries if "vchasno_receipt" in str(q[0])]
        self.assertEqual(len(receipt_queries), 1, queries)
        query, params = receipt_queries[0]
        if isinstance(query, SQL):
            query, params = query.code, query.params
        cr.execute("SET LOCAL enable_seqscan = off")
        cr.execute("EXPLAIN " + query, params)
        plan = "\n".join(row[0] for row in cr.fetchall())
        cr.execute("SET LOCAL enable_seqscan = on")
        self.assertNotIn("Seq Scan", plan)
        # Walking a whole index (the primary key, for an ORDER BY id) with a
        # filter is a scan too: both conditions must be index conditions.
        conditions = "\n".join(
            line for line in plan.splitlines() if "Index Cond" in line
        )
        self.assertIn("pos_order_id", conditions, plan)
        self.assertIn("pos_order_uuid", conditions, plan)

    def test_error_in_our_hook_keeps_the_order(self):
        session = self.open_session()
        with (
            patch.object(
                type(self.env["pos.order"]),
                "_vchasno_receipt_vals",
                side_effect=ValueError("boom"),
            ),
            mute_logger("odoo.addons.l10n_ua_vchasno_kasa_pos.models.pos_order"),
        ):
            order, _data = self.sell(
                session,
                [self.line(self.product, 1)],
                [self.pay(self.cash_method, 120.0)],
            )
        # Odoo swallows errors of action_pos_order_paid: the order is saved
        # and paid; its receipt is visible in error, and nothing half-made.
        self.assertEqual(order.state, "paid")
        receipt = self.receipt_of(order)
        self.assertEqual(len(receipt), 1)
        self.assertRecordValues(
            receipt, [{"state": "error", "kind": "sale", "amount": 120.0}]
        )
        self.assertIn("boom", receipt.error_message)
        self.assertEqual(order.vchasno_state, "error")
        self.send()
        self.assertEqual(self.docs(), [])
        # The cause is gone: Retry builds the request from the order.
        receipt.action_retry()
        self.send()
        self.assertEqual(receipt.state, "done", receipt.error_message)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    def test_invoiced_order_gets_one_receipt(self):
        # Invoiced at the counter: Odoo pays the invoice with journal
        # entries, not account.payment; closing posts combined payments,
        # which the payment hook skips. One receipt, for the order.
        session = self.open_session()
        order, _data = self.sell(
            session,
            [self.line(self.product, 1)],
            [self.pay(self.card_method, 120.0)],
            partner_id=self.customer.id,
            to_invoice=True,
        )
        self.assertEqual(order.state, "invoiced")
        self.assertTrue(order.account_move)
        self.send()
        self.close_session(session)
        self.send()
        receipts = self.env["vchasno.receipt"].search([])
        self.assertEqual(receipts, self.receipt_of(order))
        self.assertEqual(len(self.docs()), 1)

    def test_session_closing_makes_no_extra_receipt(self):
        session = self.open_session()
        self.sell(
            session, [self.line(self.product, 1)], [self.pay(self.cash_method, 120.0)]
        )
        self.sell(
            session, [self.line(self.bread, 2)], [self.pay(self.card_method, 49.98)]
        )
        self.send()
        self.assertEqual(len(self.docs()), 2)
        result = self.close_session(session)
        self.assertTrue(result["successful"], result)
        # The card sales were combined into an account.payment on the card
        # journal (linked to the register, policy Always) and posted.
        closing = self.env["account.payment"].search(
            [("pos_session_id", "=", session.id)]
        )
        self.assertTrue(closing)
        self.assertEqual(closing.mapped("state"), ["in_process"] * len(closing))
        self.assertFalse(closing.vchasno_receipt_ids)
        # The daily reconciliation does not list them as payments without a
        # receipt: their sales have their receipts, one per order.
        self.env.flush_all()
        self.assertFalse(
            self.env["vchasno.reconciliation"].search(
                [("payment_id", "in", closing.ids)]
            )
        )
        self.send()
        self.assertEqual(len(self.env["vchasno.receipt"].search([])), 2)
        self.assertEqual(len(self.docs()), 2)
