"""A Point of Sale session and the register's shift: opening, cash in/out,
closing (the POS options, all off by default)."""

from odoo.tests import tagged

from .common import VchasnoPosCommon


@tagged("post_install", "-at_install")
class TestPosSession(VchasnoPosCommon):
    def test_options_off_by_default(self):
        config = self.pos_config
        self.assertFalse(
            config.vchasno_open_shift
            or config.vchasno_cash_moves
            or config.vchasno_close_shift
            or config.vchasno_print_fiscal
        )
        session = self.open_session()
        session.try_cash_in_out("in", 500.0, "розмін", {"translatedType": "in"})
        self.close_session(session)
        self.assertFalse(self.env["vchasno.receipt"].search([]))

    def test_session_opens_shift_moves_cash_and_closes_with_z(self):
        self.pos_config.write(
            {
                "vchasno_open_shift": True,
                "vchasno_cash_moves": True,
                "vchasno_close_shift": True,
            }
        )
        session = self.open_session()
        # Queued in the request, never sent there: the cashier does not wait.
        opening = session.vchasno_receipt_ids
        self.assertRecordValues(opening, [{"kind": "open_shift", "state": "to_send"}])
        self.assertEqual(self.docs(), [])
        # A float of 500.00 put in, a sale of 120.00 in cash, 100.00 taken out.
        session.try_cash_in_out("in", 500.0, "розмін", {"translatedType": "in"})
        self.sync(
            self.order_data(
                session,
                [self.line(self.product, 1)],
                [self.pay(self.cash_method, 120.0)],
            )
        )
        session.try_cash_in_out("out", 100.0, "інкасація", {"translatedType": "out"})
        self.send()
        self.assertEqual(self.register.shift_state, "open")
        # Cash in the register: 500.00 + 120.00 - 100.00 = 520.00.
        self.assertEqual(self.register.safe_amount, 520.0)
        result = self.close_session(session)
        self.assertTrue(result["successful"], result)
        self.send()
        receipts = self.env["vchasno.receipt"].search([], order="id")
        self.assertEqual(
            receipts.mapped("kind"),
            ["open_shift", "service_in", "sale", "service_out", "z_report"],
        )
        self.assertEqual(set(receipts.mapped("state")), {"done"})
        self.assertEqual(
            (receipts - receipts.filtered("pos_order_id")).pos_session_id, session
        )
        self.assertRecordValues(
            receipts.filtered(lambda r: r.kind.startswith("service")),
            [{"amount": 500.0}, {"amount": 100.0}],
        )
        # One document per tag, in this order: tasks 0, 3, 1, 4, 11.
        docs = self.docs()
        self.assertEqual([d["task"] for d in docs], [0, 3, 1, 4, 11])
        self.assertEqual([d["tag"] for d in docs], receipts.mapped("tag"))
        self.assertEqual(self.register.shift_state, "closed")

    def test_shift_already_open_issues_nothing(self):
        self.pos_config.vchasno_open_shift = True
        first = self.open_session()
        self.send()
        self.close_session(first)
        # The shift is still open (no Z option): Vchasno says so, the second
        # opening is cancelled, nothing is issued.
        second = self.open_session()
        self.send()
        self.assertEqual(second.vchasno_receipt_ids.state, "cancelled")
        self.assertEqual([d["task"] for d in self.docs()], [0])
