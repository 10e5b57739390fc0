"""Issue 4: registers, "Check connection", journals, taxes, settings, partners.

"Check connection" runs against the emulator over real HTTP on loopback.
"""

import socket

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from .common import TOKEN_A, TOKEN_B, VchasnoCommon

API_URL = "l10n_ua_vchasno_kasa.api_url"
DUPLICATE_TOKEN = "This API token is already used by another Vchasno register"


def closed_port_url():
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@tagged("post_install", "-at_install")
class TestRegister(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Компанія Б")["company"]

    def _register(self, **vals):
        return self.env["vchasno.register"].create(
            {"name": "Каса", "tax_group_code": "1", **vals}
        )

    def test_name_at_most_32_characters(self):
        register = self._register(name="К" * 32)
        self.assertEqual(len(register.name), 32)
        with self.assertRaisesRegex(ValidationError, "longer than 32 characters"):
            self._register(name="К" * 33)
        with self.assertRaisesRegex(ValidationError, "longer than 32 characters"):
            register.name = "x" * 33

    def test_name_limit_in_form(self):
        with self.assertRaisesRegex(ValidationError, "longer than 32 characters"):
            with Form(self.env["vchasno.register"].with_user(self.manager)) as form:
                form.name = "Каса на Хрещатику, друга лінія, вхід з двору"
                form.tax_group_code = "1"

    def test_form_creates_register_for_manager(self):
        with Form(self.env["vchasno.register"].with_user(self.manager)) as form:
            form.name = "Каса 2"
            form.api_token = "tok-form"
            form.tax_group_code = "2"
        register = form.record
        self.assertRecordValues(
            register,
            [
                {
                    "name": "Каса 2",
                    "company_id": self.company.id,
                    "register_kind": "unknown",
                    "has_token": True,
                    "active": True,
                }
            ],
        )
        self.assertEqual(register.sudo().api_token, "tok-form")

    def test_tax_group_code_must_be_a_number(self):
        with self.assertRaisesRegex(ValidationError, "tax group code must be a number"):
            self._register(tax_group_code="A")

    def test_duplicate_token_in_another_company_is_refused(self):
        with self.assertRaisesRegex(ValidationError, DUPLICATE_TOKEN):
            self._register(api_token=TOKEN_A, company_id=self.company_b.id)
        # Also when the first register is archived, and on write.
        self.register.journal_ids.vchasno_register_id = False
        self.register.action_archive()
        register_b = self._register(api_token=TOKEN_B, company_id=self.company_b.id)
        with self.assertRaisesRegex(ValidationError, DUPLICATE_TOKEN):
            register_b.api_token = TOKEN_A

    def test_duplicate_token_by_a_manager_of_the_other_company_only(self):
        """The manager of B cannot see A's register, yet is told clearly."""
        manager_b = new_test_user(
            self.env,
            "vk_manager_b",
            groups="account.group_account_manager",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        registers = self.env["vchasno.register"].with_user(manager_b)
        self.assertFalse(registers.search([]))
        with self.assertRaisesRegex(ValidationError, DUPLICATE_TOKEN):
            registers.create(
                {"name": "Каса Б", "api_token": TOKEN_A, "tax_group_code": "1"}
            )

    def test_duplicate_token_database_constraint(self):
        """The SQL constraint holds without the Python check, with our message."""
        register_b = self._register(api_token=TOKEN_B, company_id=self.company_b.id)
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError) as caught,
        ):
            self.env.cr.execute(
                "UPDATE vchasno_register SET api_token = %s WHERE id = %s",
                (TOKEN_A, register_b.id),
            )
        error = _as_validation_error(self.env, caught.exception)
        self.assertIsInstance(error, ValidationError)
        self.assertIn(DUPLICATE_TOKEN, str(error))

    def test_register_with_journals_cannot_be_archived(self):
        with self.assertRaisesRegex(ValidationError, "still serves the journals"):
            self.register.action_archive()
        self.register.journal_ids.vchasno_register_id = False
        self.register.action_archive()
        self.assertFalse(self.register.active)
        with self.assertRaisesRegex(ValidationError, "is archived"):
            self.bank_journal.vchasno_register_id = self.register

    def test_token_not_copied(self):
        copy = self.register.copy({"name": "Каса 1 (копія)"})
        self.assertFalse(copy.sudo().api_token)
        self.assertFalse(copy.has_token)

    def test_new_token_clears_flags(self):
        self.register.sudo().write({"auth_failed": True, "register_kind": "test"})
        self.register.api_token = "tok-new"
        self.assertRecordValues(
            self.register, [{"auth_failed": False, "register_kind": "unknown"}]
        )


@tagged("post_install", "-at_install")
class TestCheckConnection(VchasnoCommon):
    def test_healthy_closed_shift(self):
        action = self.register.action_check_connection()
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertIn("Register: Test.", params["message"])
        self.assertIn("Shift: Closed.", params["message"])
        self.assertIn("Signing key: Key OK.", params["message"])
        self.assertRecordValues(
            self.register,
            [
                {
                    "register_kind": "test",
                    "shift_state": "closed",
                    "shift_opened_at": False,
                    "online_state": "online",
                    "sign_state": "ok",
                    "auth_failed": False,
                }
            ],
        )
        self.assertTrue(self.register.fiscal_id)
        self.assertTrue(self.register.last_status_at)

    def test_healthy_open_shift_says_since_when(self):
        with self.register._get_client() as client:
            client.open_shift("open-shift-for-check")
        action = self.register.action_check_connection()
        self.assertIn("Shift open since", action["params"]["message"])
        self.assertEqual(self.register.shift_state, "open")
        self.assertTrue(self.register.shift_opened_at)

    def test_bad_token_flags_register(self):
        self.emulator.configure(strict_tokens=True, tokens=[TOKEN_B])
        action = self.register.action_check_connection()
        params = action["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("did not accept the API token of Каса 1", params["message"])
        self.assertNotIn(TOKEN_A, params["message"])
        self.assertTrue(self.register.auth_failed)
        bodies = " ".join(self.register.message_ids.mapped("body"))
        self.assertIn("did not accept the API token", bodies)
        self.assertNotIn(TOKEN_A, bodies)
        self.assertFalse(self.register._is_available())

    def test_bad_token_flag_cleared_by_a_good_check(self):
        self.emulator.configure(strict_tokens=True, tokens=[TOKEN_B])
        self.register.action_check_connection()
        self.emulator.configure(strict_tokens=False)
        self.register.action_check_connection()
        self.assertFalse(self.register.auth_failed)

    def test_unreachable(self):
        """Issue 13: one translated sentence, not urllib3's traceback text."""
        url = closed_port_url()
        self.env["ir.config_parameter"].sudo().set_param(API_URL, url)
        with self.assertRaises(UserError) as caught:
            self.register.action_check_connection()
        message = str(caught.exception)
        self.assertEqual(
            message,
            f"Odoo got no answer from Vchasno.Kasa at {url} (the server refused "
            "the connection): check the Odoo server's internet access (firewall, "
            "proxy) and the Vchasno address in the system parameter "
            f"{API_URL}, then try again.",
        )
        for raw in ("urllib3", "HTTPConnection", "Errno", "Max retries", "object at"):
            self.assertNotIn(raw, message)
        self.assertNotIn(TOKEN_A, message)
        self.assertFalse(self.register.auth_failed)

    def test_refused(self):
        self.emulator.inject_fault("res_action_3")
        with self.assertRaisesRegex(UserError, "refused the status request") as caught:
            self.register.action_check_connection()
        self.assertIn("Запит відхилено", str(caught.exception))

    def test_no_token(self):
        register = self.env["vchasno.register"].create(
            {"name": "Без токена", "tax_group_code": "1"}
        )
        with self.assertRaisesRegex(UserError, "has no API token"):
            register.action_check_connection()


@tagged("post_install", "-at_install")
class TestJournalAndTax(VchasnoCommon):
    def test_one_register_many_journals(self):
        self.assertEqual(
            self.register.journal_ids, self.bank_journal | self.cash_journal
        )
        self.assertEqual(self.register.journal_count, 2)
        action = self.register.action_view_journals()
        self.assertEqual(
            action["domain"], [("vchasno_register_id", "=", self.register.id)]
        )

    def test_journal_defaults(self):
        self.assertRecordValues(
            self.bank_journal | self.cash_journal,
            [
                {"vchasno_policy": "always", "vchasno_payment_type": "cashless"},
                {"vchasno_policy": "always", "vchasno_payment_type": "cash"},
            ],
        )

    def test_only_cash_and_bank_journals(self):
        sale_journal = self.company_data["default_journal_sale"]
        with self.assertRaisesRegex(ValidationError, "Only cash and bank journals"):
            sale_journal.vchasno_register_id = self.register

    def test_journal_form(self):
        journal = self.env["account.journal"].create(
            {"name": "Термінал (фіскальний)", "type": "bank", "code": "TRM"}
        )
        with Form(journal.with_user(self.manager)) as form:
            form.vchasno_register_id = self.register
            form.vchasno_policy = "never"
            form.vchasno_payment_type = "card"
        self.assertRecordValues(
            journal,
            [
                {
                    "vchasno_register_id": self.register.id,
                    "vchasno_policy": "never",
                    "vchasno_payment_type": "card",
                }
            ],
        )
        arch = journal.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="vchasno_register_id"', arch)

    def test_tax_code(self):
        self.assertEqual(self.tax_20.vchasno_tax_group_code, "1")
        with self.assertRaisesRegex(ValidationError, "must be a number"):
            self.tax_20.vchasno_tax_group_code = "А"
        with Form(self.tax_7) as form:
            form.vchasno_tax_group_code = "5"
        self.assertEqual(self.tax_7.vchasno_tax_group_code, "5")
        # Empty: the register's default code applies.
        self.tax_7.vchasno_tax_group_code = False
        self.assertFalse(self.tax_7.vchasno_tax_group_code)


@tagged("post_install", "-at_install")
class TestSettings(VchasnoCommon):
    FLAGS = (
        "vchasno_enabled",
        "vchasno_send_email",
        "vchasno_send_sms",
        "vchasno_print_invoice",
        "vchasno_print_refund",
    )

    def test_settings_round_trip(self):
        company_b = self.setup_other_company(name="Компанія Б")["company"]
        before = {name: company_b[name] for name in self.FLAGS}
        self.assertFalse(before["vchasno_enabled"])
        wanted = {name: not value for name, value in before.items()}
        settings = (
            self.env["res.config.settings"].with_company(company_b).create(dict(wanted))
        )
        settings.execute()
        self.assertRecordValues(company_b, [wanted])
        # The other company is untouched, and a new settings form reads back.
        self.assertTrue(self.company.vchasno_enabled)
        reread = self.env["res.config.settings"].with_company(company_b).create({})
        self.assertRecordValues(reread, [wanted])

    def test_settings_form(self):
        with Form(self.env["res.config.settings"].with_company(self.company)) as form:
            form.vchasno_send_sms = True
            form.vchasno_print_refund = False
        form.record.execute()
        self.assertRecordValues(
            self.company, [{"vchasno_send_sms": True, "vchasno_print_refund": False}]
        )

    def test_settings_view_tells_the_rules(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        for text in (
            'name="vchasno_enabled"',
            'name="vchasno_round_step"',
            "Готівка",
            "Безготівка",
            "Картка",
            "Заокруглення",
            "billed by Vchasno.Kasa, not by Odoo's SMS",
        ):
            self.assertIn(text, arch)
        # Issue 13: the texts no longer say that only cash and cashless are sent.
        register_arch = self.env["vchasno.register"].get_views([(False, "form")])
        journal_arch = self.env["account.journal"].get_views([(False, "form")])
        for view in (register_arch, journal_arch):
            text = view["views"]["form"]["arch"]
            self.assertNotIn("those are the payment types Odoo sends", text)
            self.assertNotIn("Cash and Cashless must be", text)

    def test_menu(self):
        menu = self.env.ref("l10n_ua_vchasno_kasa.vchasno_config_menu")
        self.assertEqual(
            menu.parent_id, self.env.ref("account.menu_finance_configuration")
        )
        self.assertEqual(
            self.env.ref("l10n_ua_vchasno_kasa.vchasno_register_menu").action,
            self.env.ref("l10n_ua_vchasno_kasa.vchasno_register_action"),
        )


@tagged("post_install", "-at_install")
class TestPartnerConsent(VchasnoCommon):
    def test_partner_form_shows_consent(self):
        views = (
            self.env["res.partner"].with_user(self.billing).get_views([(False, "form")])
        )
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="vchasno_consent_email"', arch)
        self.assertIn('name="vchasno_consent_sms"', arch)
        with Form(self.customer) as form:
            form.vchasno_consent_email = True
            form.vchasno_consent_sms = True
        self.assertRecordValues(
            self.customer,
            [{"vchasno_consent_email": True, "vchasno_consent_sms": True}],
        )


@tagged("post_install", "-at_install")
class TestNeutralize(VchasnoCommon):
    def test_neutralize_sql(self):
        path = file_path("l10n_ua_vchasno_kasa/data/neutralize.sql")
        with open(path) as sql:
            self.env.flush_all()
            self.env.cr.execute(sql.read())
        self.env.invalidate_all()
        registers = self.env["vchasno.register"].sudo().with_context(active_test=False)
        self.assertFalse(registers.search([]).filtered("api_token"))
        self.assertFalse(self.register.has_token)
        self.assertFalse(self.env["res.company"].search([]).filtered("vchasno_enabled"))
