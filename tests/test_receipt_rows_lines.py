"""Receipt rows: itemized lines, refunds and currencies (issue 12, point 2).

Expected numbers are worked out by hand in each test (see the comments).
"""

from odoo.tests import tagged

from .receipt_rows_common import D, ReceiptRowsCommon


@tagged("post_install", "-at_install")
class TestReceiptRowsLines(ReceiptRowsCommon):
    def test_tax_excluded_prices(self):
        invoice = self.make_invoice([(self.product_excl, 3, 33.33)])
        # Line: 3 x 33.33 = 99.99 + 20 % (19.998 -> 20.00) = 119.99.
        self.assertEqual(invoice.amount_total, 119.99)
        payment = self.pay(invoice)
        self.send()
        # Unit price with tax: 33.33 + 6.666 -> 40.00; 3 x 40.00 = 120.00;
        # the row discount 120.00 - 119.99 = 0.01 makes it Odoo's total.
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [("Послуга", "1", D(3), D("40.00"), D("0.01"))],
        )

    def test_percentage_line_discount(self):
        invoice = self.make_invoice([(self.product, 3, 33.33)], post=False)
        invoice.invoice_line_ids.discount = 15.0
        invoice.action_post()
        # 3 x 33.33 = 99.99; 15 % off: 99.99 x 0.85 = 84.9915 -> 84.99.
        self.assertEqual(invoice.amount_total, 84.99)
        payment = self.pay(invoice)
        self.send()
        # Row: 3 x 33.33 = 99.99, discount 99.99 - 84.99 = 15.00.
        self.assertEqual(
            self.item_rows(self.sent(payment)),
            [("Кава зернова", "1", D(3), D("33.33"), D("15.00"))],
        )

    def test_three_decimal_quantity(self):
        self.env.ref("product.decimal_product_uom").digits = 3
        invoice = self.make_invoice([(self.product, 1.375, 33.33)])
        # 1.375 x 33.33 = 45.82875 -> 45.83.
        self.assertEqual(invoice.amount_total, 45.83)
        payment = self.pay(invoice)
        self.send()
        body = self.sent(payment)
        self.assertEqual(
            self.item_rows(body),
            [("Кава зернова", "1", D("1.375"), D("33.33"), D(0))],
        )
        self.assertEqual(body["sum"], 45.83)

    def test_four_decimal_quantity_falls_back_to_group_rows(self):
        self.env.ref("product.decimal_product_uom").digits = 4
        invoice = self.make_invoice([(self.product, 1.3755, 100.0)])
        # 1.3755 x 100.00 = 137.55: Vchasno takes 3 decimals, so the receipt
        # has one row per tax group instead of a rounded quantity.
        payment = self.pay(invoice)
        self.send()
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [("Payment for invoice %s" % invoice.name, "1", D("137.55"))],
        )

    def test_mixed_rates_in_full_and_in_part(self):
        lines = [
            (self.product, 1, 120.0),
            (self.product_7, 1, 53.5),
            (self.product_exempt, 1, 30.0),
        ]
        full = self.pay(self.make_invoice(lines))
        invoice = self.make_invoice(lines)
        part = self.pay(invoice, amount=100.0)
        self.send()
        # In full: one row per line, each on its own group.
        self.assertEqual(
            self.item_rows(self.sent(full)),
            [
                ("Кава зернова", "1", D(1), D("120.00"), D(0)),
                ("Ліки", "4", D(1), D("53.50"), D(0)),
                ("Підручник", "2", D(1), D("30.00"), D(0)),
            ],
        )
        # 100.00 of 203.50, in kopecks: 10000 x 120/203.5 = 5896.81,
        # x 53.5/203.5 = 2628.99, x 30/203.5 = 1474.20; floors add up to 9998,
        # the 2 kopecks left go to .99 (7 %) and .81 (20 %):
        # 58.97 + 26.29 + 14.74 = 100.00.
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(part)),
            [
                (label, "1", D("58.97")),
                (label, "4", D("26.29")),
                (label, "2", D("14.74")),
            ],
        )

    def test_write_off_receipt_states_what_was_paid(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1, 53.5)]
        )
        # 293.50 invoiced, 290.00 paid, 3.50 written off ("mark as fully paid").
        payment = self.pay(
            invoice,
            amount=290.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=self.company_data["default_account_expense"].id,
            writeoff_label="Знижка за оплату",
        )
        self.send()
        # 29000 kop x 240/293.5 = 23713.76, x 53.5/293.5 = 5286.24; the
        # kopeck left goes to .76: 237.14 + 52.86 = 290.00.
        label = "Payment for invoice %s" % invoice.name
        body = self.sent(payment)
        self.assertEqual(
            self.group_rows(body), [(label, "1", D("237.14")), (label, "4", D("52.86"))]
        )
        self.assertEqual(body["pays"][0]["sum"], 290.0)

    def test_refund_return_rows_per_tax_group(self):
        invoice = self.make_invoice(
            [(self.product, 2, 120.0), (self.product_7, 1, 53.5)]
        )
        self.pay(invoice)
        self.send()
        credit_note = self.credit_note(invoice)
        refund = self.pay(credit_note, amount=100.0)
        self.send()
        # 100.00 of the 293.50 credit note, in kopecks: 10000 x 240/293.5 =
        # 8177.17, x 53.5/293.5 = 1822.83; the kopeck left goes to .83:
        # 81.77 + 18.23 = 100.00.
        label = "Refund for credit note %s" % credit_note.name
        ret = refund.vchasno_receipt_ids
        self.assertEqual(ret.kind, "return")
        self.assertEqual(
            self.group_rows(self.sent(refund)),
            [(label, "1", D("81.77")), (label, "4", D("18.23"))],
        )


@tagged("post_install", "-at_install")
class TestReceiptRowsCurrency(ReceiptRowsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 UAH = 0.025 USD, i.e. 1 USD = 40.00 UAH.
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 0.025)])

    def test_foreign_invoice_paid_in_hryvnias(self):
        invoice = self.make_invoice(
            post=False, lines=[(self.product, 1, 10.0), (self.product_7, 1, 5.0)]
        )
        invoice.currency_id = self.usd
        invoice.action_post()
        # 10.00 + 5.00 = 15.00 USD x 40 = 600.00 UAH booked.
        self.assertEqual(invoice.amount_total_signed, 600.0)
        payment = self.pay(invoice, currency_id=self.company.currency_id.id)
        self.assertEqual(payment.amount, 600.0)
        self.send()
        # Rows in hryvnias: 600 x 10/15 = 400.00 at 20 %, 600 x 5/15 =
        # 200.00 at 7 % (never the USD prices as hryvnias).
        label = "Payment for invoice %s" % invoice.name
        self.assertEqual(
            self.group_rows(self.sent(payment)),
            [(label, "1", D("400.00")), (label, "4", D("200.00"))],
        )

    def test_payment_in_foreign_currency_refused_before_sending(self):
        invoice = self.make_invoice()
        # 2 x 120.00 = 240.00 UAH = 6.00 USD at 40.
        payment = self.pay(invoice, currency_id=self.usd.id)
        self.assertEqual(payment.currency_id, self.usd)
        with self.count_http() as calls:
            self.send()
        receipt = payment.vchasno_receipt_ids
        self.assertEqual((receipt.state, receipt.error_kind), ("error", "data"))
        self.assertIn("USD", receipt.error_message)
        self.assertIn("hryvnias", receipt.error_message)
        self.assertEqual(calls, [])
        self.assertEqual(self.docs(), [])
