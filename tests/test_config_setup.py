"""Issues 11 and 13: journals' payment types, rounding settings, a register's
tax group, owner and "Check connection" before the first save."""

import re
from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TOKEN_A, TOKEN_B, VchasnoCommon
from .test_config import API_URL, closed_port_url


@tagged("post_install", "-at_install")
class TestJournalPaymentType(VchasnoCommon):
    def test_new_journals_follow_their_type(self):
        """Issue 13: a new cash journal was fiscalized as Cashless (its value
        was computed before the type was chosen, and never again)."""
        for journal_type, code, expected in (
            ("cash", "CSH2", "cash"),
            ("bank", "BNK2", "cashless"),
        ):
            with Form(self.env["account.journal"]) as form:
                form.name = "Журнал %s" % code
                form.type = journal_type
                form.code = code
            self.assertEqual(form.record.vchasno_payment_type, expected, code)
            self.assertEqual(
                form.record._vchasno_pay_type_code(), 0 if expected == "cash" else 1
            )

    def test_type_followed_until_chosen(self):
        journal = self.env["account.journal"].create(
            {"name": "Термінал", "type": "bank", "code": "TRM2"}
        )
        self.assertEqual(journal.vchasno_payment_type, "cashless")
        journal.type = "cash"
        self.assertEqual(journal.vchasno_payment_type, "cash")
        journal.vchasno_payment_type = "card"
        journal.type = "bank"
        self.assertEqual(journal.vchasno_payment_type, "card")
        self.assertEqual(journal.vchasno_cabinet_pay_type, "Картка")
        self.assertEqual(journal._vchasno_pay_type_code(), 2)
        explicit = self.env["account.journal"].create(
            {"name": "LiqPay", "type": "bank", "code": "LQP",
             "vchasno_payment_type": "liqpay"}
        )  # fmt: skip
        self.assertEqual(explicit._vchasno_pay_type_code(), 17)

    def test_register_cabinet_checklist(self):
        # Bank (Безготівка) and cash (Готівка) journals, cash rounding on.
        self.assertEqual(
            set(self.register.cabinet_checklist.split(", ")),
            {"Безготівка", "Готівка", "Заокруглення"},
        )
        self.bank_journal.vchasno_payment_type = "card"
        self.company.vchasno_round_enabled = False
        self.register.invalidate_recordset(["cabinet_checklist"])
        self.assertEqual(
            set(self.register.cabinet_checklist.split(", ")), {"Картка", "Готівка"}
        )
        message = self.register.action_check_connection()["params"]["message"]
        self.assertIn("In the Vchasno cabinet, enable:", message)
        self.assertIn("Картка", message)


@tagged("post_install", "-at_install")
class TestRoundingSettings(VchasnoCommon):
    def test_rounding_settings(self):
        self.assertEqual(
            self.company._vchasno_rounding_rule(),
            {"round_step": Decimal("0.10"), "max_abs_round": Decimal("0.10")},
        )
        with Form(self.env["res.config.settings"].with_company(self.company)) as form:
            form.vchasno_round_step = 0.5
            form.vchasno_round_max = 0.5
        form.record.execute()
        self.assertEqual(
            self.company._vchasno_rounding_rule(),
            {"round_step": Decimal("0.50"), "max_abs_round": Decimal("0.50")},
        )
        with self.assertRaisesRegex(ValidationError, "greater than 0"):
            self.company.vchasno_round_step = 0
        self.company.vchasno_round_enabled = False
        self.assertEqual(self.company._vchasno_rounding_rule()["max_abs_round"], 0)


@tagged("post_install", "-at_install")
class TestRegisterSetup(VchasnoCommon):
    def test_tax_group_chosen_consciously(self):
        """No default: a non-VAT payer must not get ПДВ 20 % by accident."""
        form = Form(self.env["vchasno.register"].with_user(self.manager))
        form.name = "Каса ФОП"
        self.assertFalse(form.tax_group_code)
        with self.assertRaises(AssertionError):
            form.save()  # the tax group is required
        form.tax_group_preset = "2"
        self.assertEqual(form.tax_group_code, "2")
        register = form.save()
        self.assertRecordValues(
            register, [{"tax_group_code": "2", "tax_group_preset": "2"}]
        )
        with Form(register) as form:
            form.tax_group_preset = "other"
            form.tax_group_code = "12"
        self.assertRecordValues(
            register, [{"tax_group_code": "12", "tax_group_preset": "other"}]
        )
        register.tax_group_preset = "4"  # the inverse, outside a form
        self.assertEqual(register.tax_group_code, "4")

    def test_check_connection_before_the_first_save(self):
        """Issue 13: the button is there on a new register; the web client saves
        the record first, then the same method runs on it."""
        arch = (
            self.env["vchasno.register"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        button = re.search(r'<button name="action_check_connection"[^>]*>', arch)
        self.assertNotIn("invisible", button.group(0))
        form = Form(self.env["vchasno.register"].with_user(self.manager))
        form.name = "Нова каса"
        form.api_token = "tok-new-" + "n" * 56
        form.tax_group_preset = "2"
        register = form.save()
        action = register.action_check_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(register.register_kind, "test")

    def test_status_names_the_owner(self):
        self.emulator.configure(
            token=TOKEN_A, owner_edrpou="12345678", owner_name="ТОВ «Ромашка»"
        )
        params = self.register.action_check_connection()["params"]
        self.assertEqual(params["type"], "success")
        self.assertTrue(
            params["message"].startswith("Owner: ТОВ «Ромашка» (EDRPOU 12345678).")
        )
        self.assertRecordValues(
            self.register,
            [{"owner_edrpou": "12345678", "owner_name": "ТОВ «Ромашка»"}],
        )
        # The company's registry number says it is someone else's token.
        self.company.company_registry = "87654321"
        params = self.register.action_check_connection()["params"]
        self.assertEqual(params["type"], "warning")
        mismatch = "not to the company's registry number 87654321"
        self.assertIn(mismatch, params["message"])
        self.company.company_registry = "12345678"
        params = self.register.action_check_connection()["params"]
        self.assertEqual(params["type"], "success")
        # A new token forgets the old owner.
        self.register.api_token = TOKEN_B
        self.assertFalse(self.register.owner_edrpou or self.register.owner_name)

    def test_unreachable_in_ukrainian(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.config_parameter"].sudo().set_param(API_URL, closed_port_url())
        register = self.register.with_context(lang="uk_UA")
        with self.assertRaisesRegex(UserError, "сервер відхилив з'єднання"):
            register.action_check_connection()
