"""Browser tours (headless Chromium): what a cashier and an accountant do, and
what they see, from the payment dialog to the printed receipt and X/Z reports.

The JS steps are in static/tests/tours/; each test prepares its records, runs
a tour, then checks the records and the emulator (one document per tag). With
``VCHASNO_SCREENSHOTS=1`` the tours also write the README's screenshots in
English and Ukrainian (tests/tour_screenshots.py). Without Chrome/Chromium,
Odoo skips them ("Chrome executable not found") and ``make test`` says so.
"""

from odoo.tests import HttpCase, tagged

from .common import VchasnoCommon
from .tour_screenshots import screenshots_enabled, tour_screenshots

MODULE = "l10n_ua_vchasno_kasa"
INVOICE_URL = "/odoo/action-account.action_move_out_invoice_type/%d"
REGISTER_URL = "/odoo/action-%s.vchasno_register_action/%%d" % MODULE
PAYMENT_URL = "/odoo/action-account.action_account_payments/%d"
RECONCILIATION_URL = "/odoo/action-%s.vchasno_reconciliation_action" % MODULE
TOUR_TIMEOUT = 240  # seconds; the first tour also builds the asset bundles


@tagged("post_install", "-at_install")
class TestTours(VchasnoCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Ukrainian for the whole class (a test's own changes are rolled back
        # after it): our terms and those of the screens the tours cross.
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "account", MODULE], ["uk_UA"], overwrite=True
        )
        # What the README's pictures show (taken by these tours).
        cls.company.name = "ТОВ «Вчасно Демо»"
        cls.env.user.name = "Оксана Касир"
        cls.tax_20.tax_group_id = cls.env["account.tax.group"].create(
            {"name": "ПДВ 20%", "company_id": cls.company.id}
        )

    def languages(self):
        """English always; Ukrainian too when the README's pictures are taken."""
        return ["en_US", "uk_UA"] if screenshots_enabled() else ["en_US"]

    def use_language(self, lang):
        self.env.user.lang = lang

    def tour(self, url, name, lang="en_US", shown_lang=None):
        """Run tour ``name`` at ``url`` as the test user working in ``lang``;
        its pictures are named after ``shown_lang`` (default: ``lang``)."""
        self.use_language(lang)
        with tour_screenshots((shown_lang or lang).split("_")[0]):
            self.start_tour(url, name, login=self.env.user.login, timeout=TOUR_TIMEOUT)

    def receipts_of(self, invoice):
        self.env.invalidate_all()
        return invoice._get_reconciled_payments().vchasno_receipt_ids

    def assert_issued_once(self, receipt, kind="sale"):
        self.assertEqual(receipt.kind, kind)
        self.assertEqual(receipt.state, "done", receipt.error_message)
        self.assertTrue(receipt.fiscal_number)
        self.assertEqual(len(self.docs(tag=receipt.tag)), 1)

    # === Tours === #

    def test_payment_print_shows_fiscal_number(self):
        """Register Payment with "Print fiscal receipt": the receipt page opens
        and shows the fiscal number that the receipt record holds."""
        for lang in self.languages():
            # The printed receipt speaks its customer's language (issue 13).
            self.customer.lang = lang
            invoice = self.make_invoice()
            self.tour(INVOICE_URL % invoice.id, "vchasno_payment_print", lang)
            receipt = self.receipts_of(invoice)
            self.assertEqual(len(receipt), 1)
            self.assert_issued_once(receipt)
            # 2 x 120.00 (tax included) = 240.00 paid and fiscalized
            self.assertEqual(receipt.amount, 240.0)

    def test_payment_print_in_ukrainian(self):
        """The same flow with the user in Ukrainian: the dialog and the printed
        receipt speak Ukrainian."""
        self.customer.lang = "uk_UA"  # the printed receipt: the customer's language
        invoice = self.make_invoice()
        self.tour(INVOICE_URL % invoice.id, "vchasno_payment_print_uk", "uk_UA")
        self.assert_issued_once(self.receipts_of(invoice))

    def test_consent_dialog(self):
        """Auto-send by email is on and the customer never agreed: the dialog
        asks; "Customer agrees: send" records the consent and sends."""
        self.company.vchasno_send_email = True
        for lang in self.languages():
            partner = self.env["res.partner"].create(
                {"name": "Петро Шевченко", "email": "petro@example.com"}
            )
            invoice = self.make_invoice(partner=partner)
            self.tour(INVOICE_URL % invoice.id, "vchasno_consent_dialog", lang)
            self.assertTrue(partner.vchasno_consent_email)
            receipt = self.receipts_of(invoice)
            self.assert_issued_once(receipt)
            self.assertEqual(receipt.send_email, "petro@example.com")

    def test_missing_contact_dialog(self):
        """The customer agreed to email but has none: the dialog refuses a bad
        address, takes a good one and saves it to the customer."""
        self.company.vchasno_send_email = True
        for lang in self.languages():
            partner = self.env["res.partner"].create(
                {"name": "Ірина Коваль", "vchasno_consent_email": True}
            )
            invoice = self.make_invoice(partner=partner)
            self.tour(INVOICE_URL % invoice.id, "vchasno_missing_contact_dialog", lang)
            self.assertEqual(partner.email, "iryna@example.com")
            receipt = self.receipts_of(invoice)
            self.assert_issued_once(receipt)
            self.assertEqual(receipt.send_email, "iryna@example.com")

    def test_credit_note_refund(self):
        """A paid and fiscalized invoice is reversed (credit note), the credit
        note is refunded with "print": a return receipt tied to the sale."""
        invoice = self.make_invoice()
        self.pay(invoice)
        self.send()
        sale = self.receipts_of(invoice)
        self.assert_issued_once(sale)
        self.tour(INVOICE_URL % invoice.id, "vchasno_credit_note_refund")
        credit_note = invoice.reversal_move_ids
        self.assertEqual(len(credit_note), 1)
        refund = self.receipts_of(credit_note)
        self.assert_issued_once(refund, kind="return")
        self.assertEqual(refund.original_receipt_id, sale)
        # the whole 240.00 goes back
        self.assertEqual(refund.amount, 240.0)

    def test_language_switch(self):
        """Ukrainian is one click away: the user menu entry switches the
        user's language and the interface reloads in it."""
        # it ends on the Ukrainian menu offering English
        self.tour("/odoo", "vchasno_language_switch", shown_lang="uk_UA")
        self.env.invalidate_all()
        self.assertEqual(self.env.user.lang, "uk_UA")

    def open_shift_with_a_sale(self):
        self.pay(self.make_invoice())
        self.send()
        self.assertEqual(self.register.shift_state, "open")

    def test_x_report_prints_its_totals(self):
        """The X report's record and its printed page show the same totals."""
        self.open_shift_with_a_sale()
        self.tour(REGISTER_URL % self.register.id, "vchasno_x_report")
        x_report = self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("kind", "=", "x_report")]
        )
        self.assertEqual(x_report.state, "done")
        # one sale of 2 x 120.00 = 240.00 in the shift, no discount, no return
        summary = x_report.report_totals["summary"]
        self.assertEqual(float(summary["base_p"]) - float(summary["disc_p"]), 240.0)
        self.assertEqual(float(summary["base_m"]), 0.0)

    def test_z_report_closes_the_shift_and_prints(self):
        """The Z report (confirmed) closes the shift; printed like the X."""
        self.open_shift_with_a_sale()
        self.tour(REGISTER_URL % self.register.id, "vchasno_z_report")
        self.env.invalidate_all()
        self.assertEqual(self.register.shift_state, "closed")

    def test_payment_status_and_reset_confirmation(self):
        """Issue 13, points 1 and 5: the token is refused, the payment says so;
        "Reset To Draft" asks first, then the queued receipt is cancelled."""
        for lang in self.languages():
            payment = self.pay(self.make_invoice())
            receipt = payment.vchasno_receipt_ids
            self.register.sudo().auth_failed = True  # Vchasno refused the token
            self.tour(
                PAYMENT_URL % payment.id, "vchasno_payment_status_and_reset", lang
            )
            self.env.invalidate_all()
            self.assertEqual(payment.state, "draft")
            self.assertEqual(receipt.state, "cancelled")
            self.register.sudo().auth_failed = False

    def test_reconciliation_view(self):
        """Issue 13, point 10: a payment without its receipt is listed."""
        for lang in self.languages():
            invoice = self.make_invoice()
            self.env["account.payment.register"].with_context(
                active_model="account.move",
                active_ids=invoice.ids,
                vchasno_fiscalize=False,
            ).create({"journal_id": self.bank_journal.id})._create_payments()
            self.assertFalse(self.receipts_of(invoice))
            self.tour(RECONCILIATION_URL, "vchasno_reconciliation", lang)
