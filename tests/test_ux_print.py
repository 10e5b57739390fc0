"""Issue 13, point 2: a receipt speaks its own language and Kyiv time.

* The printed receipt's payment type follows the receipt's language (the
  cabinet's Ukrainian names, ``tools.pay_types``, all Vchasno codes 0-20),
  whatever the language of the user who prints it.
* The printed time is the fiscal time, Kyiv time, not the printing user's.
* Notes the system writes (the sender's outcome, follow-ups) are in the
  company's language, not in the language of the user running the cron.
"""

from odoo.tests import tagged

from ..models.kyiv_time import utc_to_kyiv
from ..tools.pay_types import CODE_NAMES, pay_type_name
from .test_permissions import PermissionsCommon

MODULE = "l10n_ua_vchasno_kasa"


@tagged("post_install", "-at_install")
class TestReceiptSpeaksItsLanguage(PermissionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(
            [MODULE], ["uk_UA"], overwrite=True
        )
        # An English-speaking cashier in New York prints a Ukrainian receipt.
        cls.billing.write({"lang": "en_US", "tz": "America/New_York"})
        cls.env.user.write({"lang": "en_US", "tz": "America/New_York"})

    def render(self, receipt, role="billing"):
        mine = self.as_user(receipt, role)
        html = mine.env["ir.qweb"]._render(
            "l10n_ua_vchasno_kasa.vchasno_receipt_page",
            {
                "receipts": mine,
                "pending": mine.browse(),
                "can_send": False,
                "auto_send": False,
                "page_url": "/",
                "quote_plus": lambda value: value,
            },
        )
        return str(html)

    def test_every_vchasno_code_has_a_name(self):
        for code in set(range(21)) - {7, 9, 10}:  # 7, 9, 10: never documented
            with self.subTest(code=code):
                self.assertNotIn(str(code), pay_type_name(code, "uk_UA"))
        self.assertEqual(pay_type_name(0, "uk_UA"), "Готівка")
        self.assertEqual(pay_type_name(0, "en_US"), "Cash")
        self.assertEqual(pay_type_name(99, "en_US"), "Payment type 99")
        self.assertNotIn(7, CODE_NAMES)  # never seen: named by its code

    def test_printed_payment_type_follows_the_receipt_language(self):
        self.customer.lang = "uk_UA"
        receipt = self.receipt("done")
        html = self.render(receipt)
        self.assertIn("Готівка", html)
        self.assertNotIn(">Cash<", html)

    def test_printed_receipt_in_english_for_an_english_customer(self):
        self.customer.lang = "en_US"
        receipt = self.receipt("done")
        html = self.render(receipt)
        self.assertIn(">Cash<", html)

    def test_printed_time_is_kyiv_time(self):
        receipt = self.receipt("done")
        html = self.render(receipt)
        kyiv = utc_to_kyiv(receipt.fiscal_date).strftime("%d.%m.%Y %H:%M:%S")
        self.assertIn(kyiv, html)

    def test_system_notes_in_the_company_language(self):
        self.company.partner_id.lang = "uk_UA"
        receipt = self.receipt("done")  # the cron runs as an English user
        bodies = " ".join(receipt.message_ids.mapped("body"))
        self.assertIn("Вчасно видав фіскальний чек", bodies)
        self.assertNotIn("issued by Vchasno", bodies)
