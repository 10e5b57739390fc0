"""Issue 4: "Check Vchasno behaviour" on a test register (emulator over HTTP)."""

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools.vchasno_client import VchasnoClient
from ..tools.vchasno_errors import VchasnoApiError
from .common import TOKEN_A, TOKEN_B, VchasnoCommon


@tagged("post_install", "-at_install")
class TestBehaviourCheck(VchasnoCommon):
    def setUp(self):
        super().setUp()
        self.register.sudo().write({"register_kind": "test"})

    def _check(self):
        return self.register.with_user(self.manager).action_check_behaviour()

    def _assert_balanced(self, sales):
        """Every sale the check issued was returned, with the same body.

        ``sales``: the sales expected: the cashless check sale (twice when the
        repeated tag issues a second document), one by card, one in cash with
        rounding, unless a refusal is expected.
        """
        sold, returned = self.docs(task=1), self.docs(task=2)
        self.assertEqual(len(sold), sales)
        self.assertEqual(len(returned), sales)
        self.assertEqual(len(self.docs()), 2 * sales)
        self.assertEqual(
            sorted(str(d["fiscal"]["receipt"]) for d in sold),
            sorted(str(d["fiscal"]["receipt"]) for d in returned),
        )
        for doc in self.docs():
            self.assertEqual(len(doc["fiscal"]["receipt"]["rows"]), 1)
        # Returns use fresh tags, never a sale's tag.
        self.assertEqual(len({d["tag"] for d in returned}), sales)
        self.assertFalse({d["tag"] for d in returned} & {d["tag"] for d in sold})

    def _pays(self, task=1):
        return sorted(
            (p["type"], p["sum"], d["fiscal"]["receipt"].get("round", 0))
            for d in self.docs(task=task)
            for p in d["fiscal"]["receipt"]["pays"]
        )

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
        # The cashless sale twice (a 2nd document), card, cash with rounding.
        self._assert_balanced(sales=4)
        # 1.01 in cash rounds (step 0.10) to 1.00: round -0.01.
        self.assertEqual(
            self._pays(), [(0, 1.0, -0.01), (1, 1.0, 0), (1, 1.0, 0), (2, 1.0, 0)]
        )
        sale_tags = [d["tag"] for d in self.docs(task=1)]
        self.assertEqual(len(set(sale_tags)), 3, "the same tag twice")
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
        self._assert_balanced(sales=3)
        self.assertIn("returned the stored receipt", self.register.behaviour_report)

    def test_unknown_register_asks_status_first(self):
        self.register.sudo().write({"register_kind": "unknown"})
        self._check()
        self.assertRecordValues(
            self.register,
            [{"register_kind": "test", "repeat_tag_behaviour": "new_document"}],
        )
        self.assertEqual(len(self.docs()), 8)

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
        self._assert_balanced(sales=4)

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
        self.assertEqual(len(self.docs(task=1)), 3)
        for sale in self.docs(task=1):
            self.assertIn(
                f"Sale {sale['doccode']} could NOT be returned",
                self.register.behaviour_report,
            )
        self.assertTrue(self.register.behaviour_checked_at)

    # === What the cabinet accepts (issue 11) === #

    def test_card_disabled_in_the_cabinet(self):
        self.emulator.configure(token=TOKEN_A, pay_types=[0, 1])
        action = self._check()
        self.assertRecordValues(
            self.register,
            [
                {
                    "card_payment_behaviour": "refused",
                    "rounding_behaviour": "accepted",
                    "pay_types_refused": "Картка",
                }
            ],
        )
        self.assertEqual(action["params"]["type"], "warning")
        report = self.register.behaviour_report
        self.assertIn("Sale paid by Картка: Vchasno refused it", report)
        self.assertIn("Enable Картка for this register in the Vchasno cabinet", report)
        self.assertIn("«Картка» не увімкнено", report)
        # Cashless twice (new_document), cash with rounding; no card sale.
        self._assert_balanced(sales=3)
        self.assertNotIn(2, [t for t, _s, _r in self._pays()])

    def test_rounding_disabled_in_the_cabinet(self):
        self.emulator.configure(token=TOKEN_A, rounding=False)
        self._check()
        self.assertRecordValues(
            self.register,
            [
                {
                    "card_payment_behaviour": "accepted",
                    "rounding_behaviour": "refused",
                    "pay_types_refused": "Заокруглення",
                }
            ],
        )
        self.assertIn(
            "Enable Готівка, Заокруглення for this register",
            self.register.behaviour_report,
        )
        self._assert_balanced(sales=3)

    def test_rounding_off_in_the_settings_sells_plain_cash(self):
        self.company.vchasno_round_enabled = False
        self._check()
        self.assertEqual(self.register.rounding_behaviour, "off")
        self._assert_balanced(sales=4)
        self.assertIn((0, 1.0, 0), self._pays())

    def test_rounding_follows_the_company_rule(self):
        # A 0.50 step: 1.01 rounds to 1.00 (-0.01), the cash stays on the step;
        # the emulator is told the same rule.
        self.company.write({"vchasno_round_step": 0.5, "vchasno_round_max": 0.5})
        self.emulator.configure(token=TOKEN_A, round_step="0.50", round_max="0.50")
        self._check()
        self.assertEqual(self.register.rounding_behaviour, "accepted")
        self.assertIn((0, 1.0, -0.01), self._pays())

    def test_journal_payment_types_are_probed(self):
        self.bank_journal.vchasno_payment_type = "liqpay"
        self._check()
        self.assertEqual(self.register.pay_types_refused, "Платіж LiqPay")
        self.emulator.configure(token=TOKEN_A, pay_types=[0, 1, 2, 17])
        self._check()
        self.assertFalse(self.register.pay_types_refused)
        self.assertIn((17, 1.0, 0), self._pays())

    # === Recovery path (issue 11) === #

    def test_recovery_path_follows_what_was_proven(self):
        cases = (
            ({}, "search"),
            ({"tag_search": False, "repeat_tag": "return_stored"}, "repeat"),
            ({"tag_search": False, "repeat_tag": "new_document"}, "human"),
        )
        for config, path in cases:
            with self.subTest(config=config):
                self.emulator.reset()
                self.emulator.configure(**config)
                self._check()
                self.assertEqual(self.register._vchasno_recovery_path(), path)
                self.register.invalidate_recordset(["recovery_path"])
                self.assertRecordValues(
                    self.register,
                    [{"recovery_path": path, "recovery_source_id": self.register.id}],
                )

    def test_fiscal_register_uses_the_test_registers_proof(self):
        fiscal = self.env["vchasno.register"].create(
            {"name": "Каса фіскальна", "api_token": TOKEN_B, "tax_group_code": "1"}
        )
        fiscal.sudo().register_kind = "fiscal"
        self.register.sudo().write(
            {"behaviour_checked_at": False, "tag_search_behaviour": "unknown"}
        )
        self.assertEqual(fiscal._vchasno_recovery_path(), "human")
        self.emulator.configure(tag_search=False, repeat_tag="return_stored")
        self._check()
        self.assertEqual(fiscal._vchasno_recovery_path(), "repeat")
        self.assertEqual(fiscal.recovery_source_id, self.register)
