"""R9 and RELIABILITY.md §7 cases 32-34: tokens, ACLs, companies."""

import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TOKEN_A, TOKEN_B, VchasnoCommon

MODULE = "l10n_ua_vchasno_kasa"


@tagged("post_install", "-at_install")
class TestTokenAccess(VchasnoCommon):
    """Only accounting managers read or write the token, by any route."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Export is a separate right; give it, so that only the token blocks.
        cls.billing.groups_id += cls.env.ref("base.group_allow_export")

    def setUp(self):
        super().setUp()
        self.registers = self.env["vchasno.register"].with_user(self.billing)

    def test_fields_get(self):
        self.assertNotIn("api_token", self.registers.fields_get())
        self.assertIn("has_token", self.registers.fields_get())
        manager_fields = self.env["vchasno.register"].with_user(self.manager)
        self.assertIn("api_token", manager_fields.fields_get())

    def test_read(self):
        register = self.register.with_user(self.billing)
        with self.assertRaises(AccessError):
            register.read(["api_token"])
        values = register.read()[0]
        self.assertNotIn("api_token", values)
        self.assertTrue(values["has_token"])
        self.assertNotIn(TOKEN_A, str(values))

    def test_search_read(self):
        with self.assertRaises(AccessError):
            self.registers.search_read([], ["api_token"])
        (values,) = self.registers.search_read([("id", "=", self.register.id)])
        self.assertNotIn("api_token", values)

    def test_web_read(self):
        with self.assertRaises(AccessError):
            self.register.with_user(self.billing).web_read({"api_token": {}})

    def test_export(self):
        register = self.register.with_user(self.billing)
        self.assertEqual(register.export_data(["name"])["datas"], [["Каса 1"]])
        with self.assertRaises(AccessError):
            register.export_data(["api_token"])

    def test_search_on_token(self):
        """No guessing the token with a domain either."""
        with self.assertRaises(AccessError):
            self.registers.search([("api_token", "=like", "tok-A%")])

    def test_field_access(self):
        with self.assertRaises(AccessError):
            self.register.with_user(self.billing).api_token  # noqa: B018

    def test_write(self):
        with self.assertRaises(AccessError):
            self.register.with_user(self.billing).api_token = TOKEN_B
        with self.assertRaises(AccessError):
            self.register.with_user(self.billing).name = "Чужа каса"

    def test_form_view_hides_token(self):
        arch = self.registers.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="api_token"', arch)
        self.assertIn('name="has_token"', arch)
        manager_arch = (
            self.env["vchasno.register"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="api_token"', manager_arch)
        self.assertIn('password="True"', manager_arch)

    def test_manager_reads_and_writes_token(self):
        register = self.register.with_user(self.manager)
        self.assertEqual(register.read(["api_token"])[0]["api_token"], TOKEN_A)
        register.api_token = TOKEN_B
        self.assertEqual(register.api_token, TOKEN_B)

    def test_token_never_logged_by_the_checks(self):
        """Case 33 for "Check connection" and "Check Vchasno behaviour"."""
        register = self.register.with_user(self.manager)
        with self.assertLogs(f"odoo.addons.{MODULE}", logging.DEBUG) as logs:
            logging.getLogger(f"odoo.addons.{MODULE}").debug("start")
            register.action_check_connection()
            register.action_check_behaviour()
            self.emulator.configure(strict_tokens=True, tokens=[TOKEN_B])
            register.action_check_connection()
        stored = " ".join(
            [
                "\n".join(logs.output),
                register.behaviour_report,
                " ".join(register.message_ids.mapped("body")),
            ]
        )
        self.assertNotIn(TOKEN_A, stored)
        self.assertIn("Sale", register.behaviour_report)


@tagged("post_install", "-at_install")
class TestMultiCompany(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_company_b()
        cls.manager_a = cls.manager  # only company A

    def _payment(self, company, journal):
        payment = (
            self.env["account.payment"]
            .with_company(company)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 10.0,
                    "journal_id": journal.id,
                }
            )
        )
        payment.action_post()
        return payment

    def test_user_of_a_sees_no_register_of_b(self):
        for user in (self.billing, self.manager_a):
            with self.subTest(user=user.login):
                registers = self.env["vchasno.register"].with_user(user)
                self.assertEqual(registers.search([]), self.register)
                with self.assertRaises(AccessError):
                    self.register_b.with_user(user).read(["name"])

    def test_user_of_a_sees_no_receipt_of_b(self):
        self.bank_b.vchasno_register_id = self.register_b
        self._payment(self.company, self.bank_journal)
        self._payment(self.company_b, self.bank_b)
        all_receipts = self.env["vchasno.receipt"].search([])
        self.assertEqual(all_receipts.company_id, self.company | self.company_b)
        receipts = self.env["vchasno.receipt"].with_user(self.billing).search([])
        self.assertTrue(receipts)
        self.assertEqual(receipts.company_id, self.company)

    def test_journal_of_b_cannot_use_register_of_a(self):
        with self.assertRaises(UserError):
            self.bank_b.vchasno_register_id = self.register

    def test_register_cannot_move_away_from_its_journals(self):
        with self.assertRaisesRegex(ValidationError, "same company"):
            self.register.company_id = self.company_b

    def test_manager_of_a_cannot_create_register_in_b(self):
        with self.assertRaises(AccessError):
            self.env["vchasno.register"].with_user(self.manager_a).create(
                {
                    "name": "Чужа",
                    "tax_group_code": "1",
                    "company_id": self.company_b.id,
                }
            )

    def test_multi_company_user_sees_only_selected_companies(self):
        user = new_test_user(
            self.env,
            "vk_both",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | self.company_b).ids)],
        )
        registers = self.env["vchasno.register"].with_user(user)
        only_a = registers.with_context(allowed_company_ids=self.company.ids)
        self.assertEqual(only_a.search([]), self.register)
        both = registers.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        self.assertEqual(both.search([]), self.register | self.register_b)


@tagged("post_install", "-at_install")
class TestAccessRules(VchasnoCommon):
    def _module_models(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "ir.model")]
        )
        return self.env["ir.model"].browse(data.mapped("res_id"))

    def test_every_model_has_an_acl(self):
        models = self._module_models()
        self.assertIn("vchasno.register", models.mapped("model"))
        for model in models:
            if self.env[model.model]._abstract:
                continue  # no table, no records: vchasno.access (a helper)
            with self.subTest(model=model.model):
                self.assertTrue(
                    self.env["ir.model.access"].search_count(
                        [("model_id", "=", model.id)]
                    ),
                    f"{model.model} has no access rule",
                )

    def test_every_company_bound_model_has_a_company_rule(self):
        for model in self._module_models():
            records = self.env[model.model]
            if records._transient or "company_id" not in records._fields:
                continue
            with self.subTest(model=model.model):
                rules = self.env["ir.rule"].search([("model_id", "=", model.id)])
                self.assertTrue(
                    rules.filtered(lambda r: "company_ids" in (r.domain_force or "")),
                    f"{model.model} has no company rule",
                )

    def test_company_rules_exist(self):
        for xmlid in ("vchasno_register_rule_company", "vchasno_receipt_rule_company"):
            rule = self.env.ref(f"{MODULE}.{xmlid}")
            self.assertEqual(rule.domain_force, "[('company_id', 'in', company_ids)]")
            self.assertTrue(rule.active)

    def test_billing_user_reads_registers_only(self):
        registers = self.env["vchasno.register"].with_user(self.billing)
        self.assertTrue(registers.has_access("read"))
        for operation in ("write", "create", "unlink"):
            self.assertFalse(registers.has_access(operation), operation)
