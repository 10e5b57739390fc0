"""Issue 4: "Check Vchasno behaviour" on a test register (emulator over HTTP)."""

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools.vchasno_client import VchasnoClient
from ..tools.vchasno_errors import VchasnoApiError
from .common import VchasnoCommon


@tagged("post_install", "-at_install")
class TestBehaviourCheck(VchasnoCommon):
    def setUp(self):
        super().setUp()
        self.register.sudo().write({"register_kind": "test"})

    def _check(self):
        return self.register.with_user(self.manager).action_check_behaviour()

    def _assert_balanced(self, sales):
        docs = self.docs()
        self.assertEqual(len(self.docs(task=1)), sales)
        self.assertEqual(len(self.docs(task=2)), sales)
        self.assertEqual(len(docs), 2 * sales)
        for doc in docs:
            rows = doc["fiscal"]["receipt"]["rows"]
            pays = doc["fiscal"]["receipt"]["pays"]
            self.assertEqual(len(rows), 1)
            self.assertEqual(pays, [{"type": 1, "sum": 1.0}])
        # Returns use fresh tags, never the check's sale tag.
        self.assertEqual(len({d["tag"] for d in self.docs(task=2)}), sales)

    def test_new_document_mode(self):
        self.emulator.configure(repeat_tag="new_document")
        action = self._check()
        self.assertRecordValues(
            self.register,
            [
                {
                    "repeat_tag_behaviour": "new_document",
                    "tag_search_behaviour": "works",
                    "receipt_json_behaviour": "works",
                }
            ],
        )
        self.assertTrue(self.register.behaviour_checked_at)
        self._assert_balanced(sales=2)
        sale_tags = {d["tag"] for d in self.docs(task=1)}
        self.assertEqual(len(sale_tags), 1, "the same tag twice")
        report = self.register.behaviour_report
        self.assertIn("issued a second document", report)
        for doc in self.docs(task=1):
            self.assertIn(f"Sale {doc['doccode']} returned by", report)
        self.assertIn("+380", report)
        self.assertEqual(action["params"]["message"], report)
        self.assertTrue(self.register._vchasno_trusts_tag_search())

    def test_return_stored_mode(self):
        self.emulator.configure(repeat_tag="return_stored")
        self._check()
        self.assertRecordValues(
            self.register,
            [
                {
                    "repeat_tag_behaviour": "return_stored",
                    "tag_search_behaviour": "works",
                    "receipt_json_behaviour": "works",
                }
            ],
        )
        self._assert_balanced(sales=1)
        self.assertIn("returned the stored receipt", self.register.behaviour_report)

    def test_unknown_register_asks_status_first(self):
        self.register.sudo().write({"register_kind": "unknown"})
        self._check()
        self.assertRecordValues(
            self.register,
            [{"register_kind": "test", "repeat_tag_behaviour": "new_document"}],
        )
        self.assertEqual(len(self.docs()), 4)

    def test_fiscal_register_refused(self):
        self.register.sudo().write({"register_kind": "fiscal"})
        with self.assertRaisesRegex(UserError, "test registers only"):
            self._check()
        self.assertFalse(self.docs())
        self.assertEqual(self.register.repeat_tag_behaviour, "unknown")

    def test_billing_user_cannot_run_it(self):
        with self.assertRaises(AccessError):
            self.register.with_user(self.billing).action_check_behaviour()
        self.assertFalse(self.docs())

    def test_refused_first_sale_checks_nothing(self):
        self.emulator.inject_fault("res_action_3")
        with self.assertRaisesRegex(UserError, "test sale was not accepted"):
            self._check()
        self.assertFalse(self.docs())
        self.assertEqual(self.register.repeat_tag_behaviour, "unknown")

    def test_unknown_tag_with_another_code_is_partial(self):
        """The "not found" code is unverified: another code is reported."""
        original = VchasnoClient.find_by_tag
        calls = []

        def find_by_tag(client, tag):
            calls.append(tag)
            if len(calls) == 1:
                return original(client, tag)
            raise VchasnoApiError(res=1234, res_action=3, errortxt="не знайдено")

        with patch.object(VchasnoClient, "find_by_tag", find_by_tag):
            self._check()
        self.assertEqual(self.register.tag_search_behaviour, "partial")
        self.assertFalse(self.register._vchasno_trusts_tag_search())
        self.assertIn("1234", self.register.behaviour_report)
        self._assert_balanced(sales=2)

    def test_failed_return_is_reported(self):
        """A sale that could not be returned is named in the report."""
        original = VchasnoClient.execute

        def execute(client, request):
            if request.get("fiscal", {}).get("task") == 2:
                raise VchasnoApiError(res=9103, res_action=3, errortxt="Відмова")
            return original(client, request)

        self.emulator.configure(repeat_tag="return_stored")
        with patch.object(VchasnoClient, "execute", execute):
            self._check()
        (sale,) = self.docs(task=1)
        self.assertIn(
            f"Sale {sale['doccode']} could NOT be returned",
            self.register.behaviour_report,
        )
        self.assertTrue(self.register.behaviour_checked_at)
