"""VchasnoClient against the emulator over real HTTP on loopback (no database)."""

import hashlib
import json
import logging
import socket
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from unittest.mock import patch
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from odoo.tests import BaseCase, common, tagged

from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm
from odoo.addons.l10n_ua_vchasno_kasa.tools.emulator import VchasnoEmulator
from odoo.addons.l10n_ua_vchasno_kasa.tools.redact import RedactingFilter, redact
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_client import (
    VchasnoClient,
    _connect_failure,
    parse_retry_after,
)
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import (
    RES_SHIFT_ALREADY_OPEN,
    RES_SHIFT_EXPIRED,
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoNotSentError,
    VchasnoOutcomeUnknownError,
    VchasnoThrottledError,
    describe_error,
)

TOKEN = "tok-" + "S3cr3t_" * 8  # looks like a 64-char Vchasno token
TIMEOUT = (1, 1.5)


def sale_request(tag, amount="10.00"):
    receipt = rm.build_receipt(
        [rm.Row("Товар", Decimal(1), Decimal(amount), 1)],
        [rm.Pay(rm.PAY_CASH, Decimal(amount))],
    )
    return rm.build_request(rm.TASK_SALE, tag, cashier="Каса 1", receipt=receipt)


@tagged("post_install", "-at_install")
class TestProtocolClient(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime(2025, 1, 14, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        cls.emulator = VchasnoEmulator(clock=lambda: cls.now)
        cls.url = cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test handler stretches timeouts to 10 s and compares them with
        # "< 10", which fails on (connect, read) tuples; loopback calls to our
        # emulator go out unchanged, everything else keeps Odoo's blocking.
        if urlsplit(r.url).hostname == "127.0.0.1":
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        type(self).now = datetime(2025, 1, 14, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        self.emulator.reset()
        self.emulator.configure(hang_s=3)
        self.client = VchasnoClient(self.url, TOKEN, timeout=TIMEOUT)
        self.addCleanup(self.client.close)

    def tags(self):
        return [d["tag"] for d in self.emulator.documents()]

    # === Happy path === #

    def test_sale_and_result_fields(self):
        result = self.client.execute(sale_request("t1"))
        self.assertEqual(result.res, 0)
        self.assertEqual(result.tag, "t1")
        self.assertTrue(result.is_test)
        self.assertTrue(result.doccode.startswith("TEST_"))
        self.assertEqual(result.dt, datetime(2025, 1, 14, 12, 0))
        self.assertEqual(result.safe, Decimal("10.00"))
        self.assertEqual(
            result.public_url, self.url + "/check-viewer/" + result.doccode
        )
        self.assertFalse(result.is_offline)
        self.assertEqual(result.shift_link, 1)
        doc = self.emulator.documents()[0]
        self.assertEqual(doc["token_hash"], hashlib.sha256(TOKEN.encode()).hexdigest())
        self.assertNotIn(TOKEN, json.dumps(self.emulator.documents()))

    def test_shift_cycle_and_reports(self):
        status = self.client.status()
        self.assertFalse(status.shift_open)
        self.assertTrue(status.online)
        self.assertFalse(status.is_fiscal)
        self.client.open_shift("open-1", cashier="Іваненко")
        with self.assertRaises(VchasnoApiError) as caught:
            self.client.open_shift("open-2")
        self.assertEqual(caught.exception.res, RES_SHIFT_ALREADY_OPEN)
        self.assertTrue(caught.exception.collision)
        self.client.service_in(Decimal("500.00"), "in-1")
        self.client.execute(sale_request("s1", "99.99"))
        self.client.service_out(Decimal("100.00"), "out-1")
        status = self.client.status()
        self.assertTrue(status.shift_open)
        self.assertEqual(status.shift_opened_at, datetime(2025, 1, 14, 12, 0))
        self.assertEqual(status.safe, Decimal("499.99"))
        x = self.client.x_report("x-1")
        self.assertEqual(x.info["receipt"]["count_p"], 1)
        z = self.client.z_report("z-1")
        self.assertEqual(z.info["pays"][0]["sum_p"], 99.99)
        self.assertEqual(z.info["taxes"][0]["gr_code"], 1)
        self.assertFalse(self.client.status().shift_open)
        self.assertEqual(
            [d["task"] for d in self.emulator.documents()], [0, 3, 1, 4, 11]
        )

    def test_shift_older_than_24_hours_is_refused(self):
        self.client.execute(sale_request("day-1"))
        type(self).now = self.now + timedelta(hours=24, minutes=1)
        with self.assertRaises(VchasnoApiError) as caught:
            self.client.execute(sale_request("day-2"))
        self.assertEqual(caught.exception.res, RES_SHIFT_EXPIRED)
        self.client.z_report("z")
        self.client.execute(sale_request("day-2"))
        self.assertEqual(self.tags(), ["day-1", "z", "day-2"])

    def test_find_by_tag_and_receipt_json(self):
        result = self.client.execute(sale_request("find-me"))
        found = self.client.find_by_tag("find-me")
        self.assertEqual(found.doccode, result.doccode)
        self.assertIsNone(self.client.find_by_tag("never-sent"))
        stored = self.client.get_receipt_json(result.doccode)
        self.assertEqual(stored["fiscal_number"], result.doccode)
        self.assertEqual(stored["task"]["tag"], "find-me")
        self.assertIsNone(self.client.get_receipt_json("TEST_unknown"))
        answer = self.client.send_receipt(result.doccode, "050 123 45 67", "cascade")
        self.assertEqual(answer, {"status": "ok"})
        self.assertEqual(self.emulator.notifications()[0]["recipient"], "+380501234567")
        self.assertEqual(len(self.tags()), 1)

    def test_repeat_tag_modes(self):
        first = self.client.execute(sale_request("same"))
        second = self.client.execute(sale_request("same"))
        self.assertNotEqual(first.doccode, second.doccode)
        self.assertEqual(self.tags(), ["same", "same"])
        self.emulator.configure(repeat_tag="return_stored")
        third = self.client.execute(sale_request("same"))
        self.assertEqual(third.doccode, first.doccode)
        self.assertEqual(len(self.tags()), 2)

    # === Faults === #

    def assertFault(self, kind, error_class, recorded):
        self.emulator.inject_fault(kind)
        tag = uuid.uuid4().hex
        with self.assertRaises(error_class) as caught:
            self.client.execute(sale_request(tag))
        self.assertEqual(tag in self.tags(), recorded, kind)
        self.assertNotIn(TOKEN, str(caught.exception))
        self.assertNotIn(TOKEN, describe_error(caught.exception))
        # The fault is consumed: the next request goes through.
        self.assertEqual(self.client.execute(sale_request(tag + "-next")).res, 0)
        return caught.exception

    def test_fault_reset_before_record(self):
        self.assertFault("reset_before_record", VchasnoOutcomeUnknownError, False)

    def test_fault_timeout_after_record(self):
        self.assertFault("timeout_after_record", VchasnoOutcomeUnknownError, True)

    def test_fault_http_500_html(self):
        err = self.assertFault("http_500_html", VchasnoOutcomeUnknownError, False)
        self.assertEqual(err.http_status, 500)

    def test_fault_invalid_json(self):
        self.assertFault("invalid_json", VchasnoOutcomeUnknownError, True)

    def test_fault_refusals(self):
        for kind, flag in (("res_action_1", "retryable"), ("res_action_2", "collision"),
                           ("res_action_3", "fatal")):  # fmt: skip
            err = self.assertFault(kind, VchasnoApiError, False)
            self.assertTrue(getattr(err, flag), kind)
            self.assertTrue(err.errortxt)

    def test_fault_http_401(self):
        self.assertFault("http_401", VchasnoAuthError, False)

    def test_fault_http_429(self):
        err = self.assertFault("http_429", VchasnoThrottledError, False)
        self.assertEqual(err.retry_after, 120)
        self.assertIn("120", describe_error(err))

    def test_fault_targets_one_token(self):
        self.emulator.inject_fault("http_500_html", token="other-token")
        self.assertEqual(self.client.execute(sale_request("mine")).res, 0)

    def test_strict_tokens(self):
        self.emulator.configure(strict_tokens=True, tokens=["only-this"])
        with self.assertRaises(VchasnoAuthError):
            self.client.status()

    def _refused(self, call):
        """The error of ``call(client)`` on a loopback port nobody listens on."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with (
            VchasnoClient(f"http://127.0.0.1:{port}", TOKEN, timeout=TIMEOUT) as client,
            self.assertRaises(VchasnoNotSentError) as caught,
        ):
            call(client)
        return caught

    def test_connection_refused_is_not_sent(self):
        caught = self._refused(lambda c: c.execute(sale_request("nowhere")))
        self.assertNotIsInstance(caught.exception, VchasnoOutcomeUnknownError)

    def test_transport_failures_are_told_in_words(self):
        """Issue 13: the reason, never urllib3's text, reaches a person."""
        caught = self._refused(lambda c: c.status())
        self.assertEqual(caught.exception.reason, "refused")
        self.assertIn("NewConnectionError", caught.exception.message)  # for logs
        self.assertEqual(
            describe_error(caught.exception),
            "Vchasno.Kasa could not be reached (the server refused the connection): "
            "nothing was sent, it is safe to try again.",
        )
        # A DNS failure: urllib3 1.26 wraps the gaierror in NewConnectionError.
        new = NewConnectionError(None, "Failed to establish a new connection")
        new.__context__ = socket.gaierror(-2, "Name or service not known")
        wrapped = requests.exceptions.ConnectionError(
            MaxRetryError(None, "/api", reason=new)
        )
        self.assertEqual(_connect_failure(wrapped), "dns")
        reset = requests.exceptions.ConnectionError(ConnectionResetError(104, "reset"))
        self.assertIsNone(_connect_failure(reset))
        # A read timeout, without leaving a slow request running in the emulator.
        timeout = requests.exceptions.ReadTimeout("read timed out")
        with (
            patch.object(requests.Session, "request", side_effect=timeout),
            self.assertRaises(VchasnoOutcomeUnknownError) as caught,
        ):
            self.client.execute(sale_request("slow-words"))
        self.assertEqual(caught.exception.reason, "read_timeout")
        self.assertIn("no answer came in time", describe_error(caught.exception))

    def test_latency_beyond_read_timeout_is_unknown(self):
        self.emulator.configure(latency_ms=2000)
        with self.assertRaises(VchasnoOutcomeUnknownError):
            self.client.execute(sale_request("slow"))

    # === Redaction and messages === #

    def test_token_never_leaks(self):
        self.assertNotIn(TOKEN, repr(self.client))
        result = self.client.execute(sale_request("r1"))
        self.assertNotIn(TOKEN, json.dumps(result.raw))
        self.assertNotIn(TOKEN, repr(result))
        logger = logging.getLogger("odoo.addons.l10n_ua_vchasno_kasa")
        with self.assertLogs(logger, level="DEBUG") as logs:
            self.client.execute(sale_request("r2"))
            self.emulator.inject_fault("res_action_3")
            with self.assertRaises(VchasnoApiError):
                self.client.execute(sale_request("r3"))
        self.assertTrue(logs.output)
        self.assertFalse([line for line in logs.output if TOKEN in line])

    def test_redact_helper(self):
        data = {"Authorization": "x", "token": "y", "note": f"key {TOKEN}!",
                "list": [TOKEN.encode(), (TOKEN,)]}  # fmt: skip
        self.assertEqual(
            redact(data, [TOKEN]),
            {"Authorization": "***", "token": "***", "note": "key ***!",
             "list": [b"***", ("***",)]},
        )  # fmt: skip
        record = logging.LogRecord("x", logging.INFO, "", 0, "t=%s", (TOKEN,), None)
        RedactingFilter([TOKEN]).filter(record)
        self.assertEqual(record.getMessage(), "t=***")

    def test_describe_error(self):
        known = VchasnoApiError(
            res=RES_SHIFT_ALREADY_OPEN, res_action=2, errortxt="вже"
        )
        self.assertIn("already open", describe_error(known))
        self.assertIn("вже", describe_error(known))
        unknown = VchasnoApiError(res=4242, res_action=7, errortxt="Щось")
        text = describe_error(unknown)
        self.assertIn("4242", text)
        self.assertIn("Щось", text)
        self.assertTrue(unknown.fatal)
        self.assertIn("nothing was sent", describe_error(VchasnoNotSentError("x")))
        self.assertIn("Check whether", describe_error(VchasnoOutcomeUnknownError("x")))
        self.assertIn("token", describe_error(VchasnoAuthError("x", http_status=401)))

    def test_parse_retry_after(self):
        self.assertEqual(parse_retry_after("120"), 120)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        now = datetime(2025, 1, 14, 10, 0, tzinfo=ZoneInfo("UTC"))
        self.assertEqual(parse_retry_after("Tue, 14 Jan 2025 10:02:00 GMT", now), 120)
