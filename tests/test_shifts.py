"""Shifts (R7, RELIABILITY.md §7 cases 19-23), in Europe/Kyiv with freezegun.

The emulator reads the same frozen clock, so its 24-hour limit, shift
opening times and document dates follow the test's time.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..models.kyiv_time import kyiv_to_utc
from .common import VchasnoCommon

KYIV = ZoneInfo("Europe/Kyiv")
TASK_SALE, TASK_Z = 1, 11


def kyiv(*args):
    """Naive UTC of a Kyiv wall-clock time (what freeze_time and Odoo take)."""
    return kyiv_to_utc(datetime(*args))


@tagged("post_install", "-at_install")
class TestShifts(VchasnoCommon):
    def setUp(self):
        super().setUp()
        # Only our register takes part in the daily close.
        self.env["vchasno.register"].search(
            [("id", "!=", self.register.id)]
        ).auto_close = False
        self.register.auto_close = True

    # === Helpers === #

    def sale(self, send=True):
        receipt = self.pay(
            self.make_invoice(), journal=self.cash_journal
        ).vchasno_receipt_ids
        if send:
            self.send()
        return receipt

    def tasks(self):
        return [d["task"] for d in self.docs()]

    def z_receipts(self):
        return self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("kind", "=", "z_report")],
            order="id",
        )

    def close_cron(self):
        return self.env["vchasno.register"]._cron_close_shifts()

    # === Opening === #

    def test_first_receipt_of_the_day_opens_the_shift(self):
        with freeze_time(kyiv(2026, 3, 10, 9, 0)):
            receipt = self.sale()
        self.assertEqual(receipt.state, "done")
        self.assertRecordValues(
            self.register,
            [{"shift_state": "open", "shift_opened_at": kyiv(2026, 3, 10, 9, 0)}],
        )
        self.assertEqual(self.tasks(), [TASK_SALE])
        with freeze_time(kyiv(2026, 3, 10, 9, 5)):
            self.register.action_check_connection()
            self.assertAlmostEqual(self.register.shift_age, 5 / 60)
        self.assertEqual(self.register.shift_opened_at, kyiv(2026, 3, 10, 9, 0))

    def test_open_shift_button(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            self.register.action_open_shift()
            self.assertEqual(self.register.shift_state, "open")
            action = self.register.action_open_shift()
        self.assertEqual(action["params"]["title"], "Shift already open")
        self.assertEqual(self.tasks(), [0], "one opening, the second click sends none")
        opening = self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("kind", "=", "open_shift")]
        )
        self.assertEqual(opening.state, "done")

    # === 24-hour guard === #

    def test_shift_of_23h50_closed_before_the_sale(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            first = self.sale()
        with freeze_time(kyiv(2026, 3, 11, 7, 50)):
            second = self.sale()
        self.assertEqual(self.tasks(), [TASK_SALE, TASK_Z, TASK_SALE])
        z_report = self.z_receipts()
        self.assertRecordValues(
            z_report | second,
            [
                {"state": "done", "fiscal_date": kyiv(2026, 3, 11, 7, 50)},
                {"state": "done", "fiscal_date": kyiv(2026, 3, 11, 7, 50)},
            ],
        )
        self.assertEqual(z_report.report_totals["receipt"]["count_p"], 1)
        self.assertNotEqual(second.shift_number, first.shift_number)
        self.assertRecordValues(
            self.register,
            [
                {
                    "shift_state": "open",
                    "shift_opened_at": kyiv(2026, 3, 11, 7, 50),
                    "last_z_at": kyiv(2026, 3, 11, 7, 50),
                    "last_z_number": str(self.docs(task=TASK_Z)[0]["docno"]),
                }
            ],
        )

    def test_shift_expired_refusal_then_z_and_same_tag(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            self.sale()
        with freeze_time(kyiv(2026, 3, 11, 8, 1)):
            # Odoo's idea of the shift is wrong (say, opened in the cabinet).
            self.register.sudo().shift_opened_at = kyiv(2026, 3, 11, 7, 0)
            late = self.sale()
            self.assertEqual(late.state, "unknown")
            self.assertEqual(late.error_code, "2008")
            self.recover()
            self.assertEqual(late.state, "to_send")
            self.send()
        self.assertEqual(late.state, "done")
        self.assertEqual(self.tasks(), [TASK_SALE, TASK_Z, TASK_SALE])
        self.assertEqual(len(self.docs(tag=late.tag)), 1)
        self.assertEqual(self.z_receipts().state, "done")

    # === Lost answers of a Z report === #

    def test_z_timeout_checked_by_status_never_twice(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            self.sale()
        with freeze_time(kyiv(2026, 3, 10, 18, 0)):
            z_report = self.register._z_receipt()
            self.emulator.inject_fault("timeout_after_record")
            with self.count_http() as calls:
                self.register._send_and_resolve(z_report)
            self.assertEqual(
                [
                    (c[2].get("type", 1), c[2].get("fiscal", {}).get("task"))
                    for c in calls
                ],
                [(1, TASK_Z), (1, 18), (0, None)],
                "Z, then status, then the tag search for the totals; no second Z",
            )
            self.assertEqual(z_report.state, "done")
            self.assertEqual(
                z_report.fiscal_number, self.docs(task=TASK_Z)[0]["doccode"]
            )
            self.assertTrue(z_report.report_totals)
            self.recover()
            self.send()
        self.assertEqual(len(self.docs(task=TASK_Z)), 1)
        self.assertRecordValues(
            self.register,
            [{"shift_state": "closed", "last_z_at": kyiv(2026, 3, 10, 18, 0)}],
        )

    def test_z_lost_before_vchasno_resent_with_same_tag(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            self.sale()
        with freeze_time(kyiv(2026, 3, 10, 18, 0)):
            z_report = self.register._z_receipt()
            self.emulator.inject_fault("reset_before_record")
            self.register._send_and_resolve(z_report)
            # Status: the shift is still open, so the Z did not happen.
            self.assertEqual(z_report.state, "to_send")
            self.assertEqual(self.docs(task=TASK_Z), [])
            # Never a second Z while this one is on its way.
            self.force_state(z_report, "sending")
            with self.assertRaisesRegex(UserError, "wait a minute"):
                self.register._z_receipt()
            self.force_state(z_report, "to_send")
            self.send()
        self.assertEqual(z_report.state, "done")
        self.assertEqual([d["tag"] for d in self.docs(task=TASK_Z)], [z_report.tag])

    # === Daily close === #

    def _run_days(self, days):
        """A sale at 10:00 each day; the cron every 10 minutes of the evening."""
        for day in days:
            with freeze_time(kyiv(day.year, day.month, day.day, 10, 0)):
                self.sale()
            start = datetime(day.year, day.month, day.day, 17, 0)  # UTC
            for step in range(7 * 6 + 1):  # 17:00 .. 24:00 UTC
                with freeze_time(start + timedelta(minutes=10 * step)):
                    self.close_cron()

    def _z_local_times(self):
        return [d["dt"] for d in self.docs(task=TASK_Z)]

    def test_daily_close_across_spring_dst(self):
        # Sunday 2026-03-29: 03:00 EET becomes 04:00 EEST.
        days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
        with freeze_time(kyiv(2026, 3, 28, 20, 30)):
            self.assertEqual(
                self.register._next_close_at(kyiv(2026, 3, 28, 20, 30)),
                datetime(2026, 3, 28, 21, 50),
            )
        self._run_days(days)
        self.assertEqual(
            self._z_local_times(),
            ["20260328235000", "20260329235000", "20260330235000"],
        )
        self.assertEqual(len(self.z_receipts()), 3)
        self.assertEqual(self.register.last_z_at, datetime(2026, 3, 30, 20, 50))
        self.assertEqual(self.register.shift_state, "closed")

    def test_daily_close_across_autumn_dst(self):
        # Sunday 2026-10-25: 04:00 EEST becomes 03:00 EET.
        days = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
        self._run_days(days)
        self.assertEqual(
            self._z_local_times(),
            ["20261024235000", "20261025235000", "20261026235000"],
        )
        self.assertEqual(
            self.z_receipts().mapped("fiscal_date"),
            [
                datetime(2026, 10, 24, 20, 50),
                datetime(2026, 10, 25, 21, 50),
                datetime(2026, 10, 26, 21, 50),
            ],
        )

    def test_close_time_in_the_dst_gap(self):
        self.register.z_time = 3.5  # 03:30 does not exist on 2026-03-29
        self.assertEqual(
            self.register._close_at(date(2026, 3, 29)), datetime(2026, 3, 29, 1, 30)
        )
        self.assertEqual(
            self.register._close_at(date(2026, 10, 25)), datetime(2026, 10, 25, 0, 30)
        )

    def test_no_daily_close_when_disabled_or_closed(self):
        with freeze_time(kyiv(2026, 3, 10, 10, 0)):
            self.sale()
        self.register.auto_close = False
        with freeze_time(kyiv(2026, 3, 10, 23, 50)):
            self.close_cron()
        self.assertEqual(self.docs(task=TASK_Z), [])
        self.register.auto_close = True
        with freeze_time(kyiv(2026, 3, 10, 20, 0)):
            self.register.action_z_report()
        with freeze_time(kyiv(2026, 3, 10, 23, 50)):
            self.close_cron()  # status says closed: nothing to do
        self.assertEqual(len(self.docs(task=TASK_Z)), 1)

    # === Pending receipts at close === #

    def test_pending_receipts_at_close_drain_first(self):
        with freeze_time(kyiv(2026, 3, 10, 10, 0)):
            self.sale()
        # In the no-sales window: held, nothing sent, no error.
        with freeze_time(kyiv(2026, 3, 10, 23, 47)):
            held = self.sale()
        self.assertRecordValues(held, [{"state": "to_send", "error_kind": False}])
        self.assertIn("Held until the daily close", held.error_message)
        self.assertGreaterEqual(held.next_attempt_at, kyiv(2026, 3, 10, 23, 50))
        self.assertEqual(self.tasks(), [TASK_SALE])
        # At the close a receipt is being sent: the Z waits for it.
        self.force_state(held, "sending")
        with freeze_time(kyiv(2026, 3, 10, 23, 50)):
            self.close_cron()
        self.assertEqual(self.docs(task=TASK_Z), [])
        self.force_state(held, "to_send")
        # Its sender is gone: the receipt runs the due Z first, then goes out.
        with freeze_time(kyiv(2026, 3, 10, 23, 52)):
            self.make_due(held)
            self.send()
            self.close_cron()
        self.assertEqual(self.tasks(), [TASK_SALE, TASK_Z, TASK_SALE])
        self.assertEqual(held.state, "done")
        z_report = self.z_receipts()
        self.assertEqual(z_report.report_totals["receipt"]["count_p"], 1)
        self.assertNotEqual(held.shift_number, z_report.shift_number)
        self.assertEqual(self.register.shift_opened_at, kyiv(2026, 3, 10, 23, 52))

    def test_due_close_in_sender_with_lost_z_answer(self):
        with freeze_time(kyiv(2026, 3, 10, 10, 0)):
            self.sale()
        with freeze_time(kyiv(2026, 3, 10, 23, 55)):
            late = self.sale(send=False)
            self.emulator.inject_fault("timeout_after_record")
            self.send()
        self.assertEqual(self.tasks(), [TASK_SALE, TASK_Z, TASK_SALE])
        self.assertEqual(self.z_receipts().state, "done")
        self.assertEqual(late.state, "done")
        with freeze_time(kyiv(2026, 3, 10, 23, 59)):
            self.close_cron()
        self.assertEqual(len(self.docs(task=TASK_Z)), 1)

    # === Service cash === #

    def _cash_move(self, kind, amount):
        action = getattr(self.register, "action_cash_" + kind)()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.amount = amount
        return form.save().action_confirm()

    def test_service_cash_in_and_out(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            action = self._cash_move("in", 500.0)
            self.assertEqual(action["params"]["type"], "success")
            self._cash_move("out", 120.5)
            with self.assertRaisesRegex(UserError, "cannot be taken out"):
                self._cash_move("out", 1000.0)
            with self.assertRaisesRegex(UserError, "greater than zero"):
                self._cash_move("in", 0.0)
            # Vchasno's own refusal is shown as clearly (stale stored safe).
            refused = self.register._new_operation("service_out", amount=1000.0)
            action = self.register._send_operation(refused)
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(refused.state, "error")
        self.assertIn("not enough cash", refused.error_message)
        self.assertEqual(
            [(d["task"], d["sum"]) for d in self.docs()], [(3, 500.0), (4, 120.5)]
        )
        self.assertEqual(self.register.safe_amount, 379.5)
        self.assertEqual(self.register.shift_state, "open")

    # === Reports === #

    def test_x_and_z_totals(self):
        with freeze_time(kyiv(2026, 3, 10, 8, 0)):
            self._cash_move("in", 100.0)
            self.sale()
            self.register.action_x_report()
            x_report = self.env["vchasno.receipt"].search(
                [("register_id", "=", self.register.id), ("kind", "=", "x_report")]
            )
            action = self.register.action_z_report()
        z_report = self.z_receipts()
        self.assertEqual(action["res_id"], z_report.id)
        self.assertRecordValues(
            x_report | z_report, [{"state": "done"}, {"state": "done"}]
        )
        for report in x_report | z_report:
            totals = report.report_totals
            self.assertEqual(totals["receipt"]["count_p"], 1)
            # Vchasno sends no calc_* total (evidence file, AIDOC's Z report):
            # one sale of 2 x 120.00, no discount.
            self.assertEqual(totals["summary"]["base_p"], 240.0)
            self.assertEqual(totals["summary"]["disc_p"], 0.0)
            self.assertEqual(totals["safe"], 340.0)
            html = str(report.report_html)
            for text in ("ПДВ 20%", "240.00", "340.00", "100.00", "Готівка"):
                self.assertIn(text, html)
        self.assertEqual(self.tasks(), [3, TASK_SALE, TASK_Z])
        self.assertRecordValues(
            self.register,
            [
                {
                    "shift_state": "closed",
                    "last_z_number": str(self.docs(task=TASK_Z)[0]["docno"]),
                    "safe_amount": 340.0,
                }
            ],
        )
        with self.assertRaisesRegex(UserError, "nothing to close"):
            self.register.action_z_report()
