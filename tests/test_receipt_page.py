"""Issue 10, item 3: the receipt page through real HTTP (``url_open``).

GET only reads; sending is a POST with a CSRF token; at most 50 ids; a
receipt that does not exist and one of another company get the same answer.
"""

import re
from types import SimpleNamespace

from odoo import http
from odoo.tests import HttpCase, tagged

from ..controllers.main import MAX_RECEIPTS
from .test_permissions import PermissionsCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestReceiptPage(PermissionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_b.vchasno_register_id = cls.register_b
        payment_b = (
            cls.env["account.payment"]
            .with_company(cls.company_b)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": cls.customer.id,
                    "amount": 10.0,
                    "journal_id": cls.bank_b.id,
                }
            )
        )
        payment_b.action_post()
        cls.receipt_b = payment_b.vchasno_receipt_ids
        cls.missing_id = cls.env["vchasno.receipt"].search([], order="id desc")[0].id
        cls.missing_id += 1000

    def page(self, receipts, data=None, **kwargs):
        ids = getattr(receipts, "ids", receipts)
        if isinstance(ids, str):
            url = f"/vchasno/receipts/{ids}"
        elif len(ids) == 1:
            url = f"/vchasno/receipt/{ids[0]}"
        else:
            url = "/vchasno/receipts/" + ",".join(map(str, ids))
        return self.url_open(url, data=data, **kwargs)

    def csrf_token(self, response):
        match = CSRF.search(response.text)
        self.assertTrue(match, "the page has a send form with a CSRF token")
        return match.group(1)

    # === GET reads, POST sends === #

    def test_get_sends_nothing(self):
        receipt = self.receipt()
        self.authenticate("vk_billing", "vk_billing")
        with self.count_http() as calls:
            response = self.page(receipt)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fiscalization pending", response.text)
        self.assertFalse(calls, "opening the page called Vchasno")
        self.assertEqual(receipt.state, "to_send")
        self.assertFalse(self.docs())

    def test_post_with_token_sends_then_shows_the_receipt(self):
        receipt = self.receipt()
        self.authenticate("vk_billing", "vk_billing")
        token = self.csrf_token(self.page(receipt))
        response = self.page(receipt, data={"csrf_token": token}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("?sent=1"))
        receipt.invalidate_recordset()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)
        shown = self.url_open(response.headers["Location"])
        self.assertIn(receipt.fiscal_number, shown.text)
        self.assertNotIn('name="csrf_token"', shown.text, "nothing left to send")

    def test_post_without_token_refused(self):
        receipt = self.receipt()
        self.authenticate("vk_billing", "vk_billing")
        for data in ({"send": "1"}, {"csrf_token": "forged"}):
            with self.subTest(data=data), self.assertLogs("odoo.http", "WARNING"):
                response = self.page(receipt, data=data, allow_redirects=False)
            self.assertEqual(response.status_code, 400)
        self.assertEqual(receipt.state, "to_send")
        self.assertFalse(self.docs())

    def test_auditor_reads_but_cannot_send(self):
        receipt = self.receipt()
        self.authenticate("vk_auditor", "vk_auditor")
        response = self.page(receipt)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fiscalization pending", response.text)
        self.assertNotIn('name="csrf_token"', response.text)
        # A valid token of the auditor's own session, made as Odoo makes it.
        session = SimpleNamespace(env=self.env, session=self.session)
        token = http.Request.csrf_token(session)
        response = self.page(receipt, data={"csrf_token": token}, allow_redirects=False)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(receipt.state, "to_send")
        self.assertFalse(self.docs())

    # === No id probing, no unbounded lists === #

    def test_missing_and_foreign_ids_answer_the_same(self):
        own = self.receipt()
        self.authenticate("vk_billing", "vk_billing")
        answers = {}
        for name, ids in (
            ("missing", [self.missing_id]),
            ("foreign", self.receipt_b.ids),
            ("own and missing", [own.id, self.missing_id]),
            ("own and foreign", [own.id, self.receipt_b.id]),
        ):
            response = self.page(ids)
            answers[name] = (response.status_code, response.text)
        self.assertEqual(answers["missing"][0], 404)
        self.assertEqual(len(set(answers.values())), 1, answers.keys())
        self.assertEqual(self.receipt_b.state, "to_send")
        self.assertFalse(self.docs())

    def test_post_to_foreign_ids_answers_the_same(self):
        self.receipt()
        self.authenticate("vk_billing", "vk_billing")
        token = self.csrf_token(self.page(self.receipt()))
        missing = self.page([self.missing_id], data={"csrf_token": token})
        foreign = self.page(self.receipt_b.ids, data={"csrf_token": token})
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(
            (missing.status_code, missing.text), (foreign.status_code, foreign.text)
        )
        self.assertEqual(self.receipt_b.state, "to_send")
        self.assertFalse(self.docs())

    def test_at_most_fifty_ids(self):
        self.authenticate("vk_billing", "vk_billing")
        first = self.missing_id
        too_many = ",".join(str(first + i) for i in range(MAX_RECEIPTS + 1))
        response = self.page(too_many)
        self.assertEqual(response.status_code, 400)
        self.assertIn(str(MAX_RECEIPTS), response.text)
        fifty = ",".join(str(first + i) for i in range(MAX_RECEIPTS))
        self.assertEqual(self.page(fifty).status_code, 404)

    def test_malformed_ids_not_found(self):
        self.authenticate("vk_billing", "vk_billing")
        for ids in ("abc", "1,,2", "99999999999999999999", "-1,0"):
            with self.subTest(ids=ids):
                self.assertEqual(self.page(ids).status_code, 404)
