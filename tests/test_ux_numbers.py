"""Issue 13, point 10: the numbers people look at.

* Sales and returns apart: a return counts −, service cash-in/out and
  reports are no sales (the old list added every kind into one total).
* The daily reconciliation lists payments that should have a receipt and
  have none, and receipts whose amount differs from their payment; its
  rows follow the company rule, its views render.
"""

from lxml import etree

from odoo.tests import tagged

from .test_permissions import PermissionsCommon


@tagged("post_install", "-at_install")
class TestNumbers(PermissionsCommon):
    def rows(self, role="billing", **domain):
        Rec = self.as_user(self.env["vchasno.reconciliation"], role)
        return Rec.search([(k, "=", v) for k, v in domain.items()])

    def test_sales_and_returns_apart(self):
        sale = self.receipt("done")
        self.register._service_cash("service_in", 100.0)
        refund = sale._issue_reversal()
        self.send()
        receipts = self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("state", "=", "done")]
        )
        self.assertIn("service_in", receipts.mapped("kind"))
        self.assertEqual(refund.kind, "return")
        by_kind = {r.kind: r.amount_signed for r in receipts}
        self.assertEqual(by_kind["sale"], 240.0)
        self.assertEqual(by_kind["return"], -240.0)
        self.assertEqual(by_kind["service_in"], 0.0)
        totals = self.env["vchasno.receipt"].read_group(
            [("id", "in", receipts.ids)],
            ["amount_signed:sum", "amount_sales:sum", "amount_returns:sum"],
            [],
        )[0]
        self.assertEqual(
            (totals["amount_signed"], totals["amount_sales"], totals["amount_returns"]),
            (0.0, 240.0, 240.0),
        )
        (view,) = etree.fromstring(
            self.env["vchasno.receipt"].get_views([(False, "list")])["views"]["list"][
                "arch"
            ]
        ).xpath("//field[@name='amount']")
        self.assertFalse(view.get("sum"), "amounts of every kind are not added up")

    def test_reconciliation_lists_missing_receipts(self):
        payment = self.payment(fiscalize=False)
        (row,) = self.rows(payment_id=payment.id)
        self.assertEqual(row.issue, "missing")
        self.assertEqual(row.difference, payment.amount)
        self.assertEqual(row.register_id, self.register)
        payment.action_vchasno_fiscalize()
        self.send()
        self.env["vchasno.reconciliation"].invalidate_model()
        self.assertFalse(self.rows(payment_id=payment.id))

    def test_reconciliation_lists_differing_amounts(self):
        receipt = self.receipt("done")
        payment = receipt.payment_id
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_payment SET amount = 250 WHERE id = %s", [payment.id]
        )
        self.env.invalidate_all()
        (row,) = self.rows(payment_id=payment.id)
        self.assertEqual(row.issue, "amount")
        self.assertEqual(row.receipt_id, receipt)
        self.assertEqual(row.difference, 10.0)

    def test_reconciliation_by_company(self):
        payment = self.payment(fiscalize=False)
        self.assertTrue(self.rows(payment_id=payment.id))
        self.assertFalse(self.rows("other_company", payment_id=payment.id))

    def test_reconciliation_views_render(self):
        Rec = self.env["vchasno.reconciliation"]
        views = Rec.get_views([(False, "list"), (False, "search")])["views"]
        self.assertIn("difference", views["list"]["arch"])
        self.assertIn("group_register", views["search"]["arch"])
        action = self.env.ref("l10n_ua_vchasno_kasa.vchasno_reconciliation_action")
        self.assertEqual(action.res_model, "vchasno.reconciliation")
        menu = self.env.ref("l10n_ua_vchasno_kasa.vchasno_reconciliation_menu")
        self.assertEqual(menu.parent_id.name, "Vchasno.Kasa")
        Rec.search_read([], ["issue", "difference"])

    def test_z_report_compared_with_our_receipts(self):
        sale = self.receipt("done")
        self.register.action_z_report()
        z_report = self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("kind", "=", "z_report")]
        )
        self.assertEqual(z_report.state, "done")
        self.assertEqual(z_report.shift_number, sale.shift_number)
        self.assertFalse(z_report.z_difference, z_report.z_comparison_html)
        self.assertIn("240.00", str(z_report.z_comparison_html))
        info = dict(z_report.report_totals)
        info["pays"] = [dict(pay) for pay in info["pays"]]
        info["pays"][0]["sum_p"] += 10.0  # a sale Odoo knows nothing of
        z_report.sudo().report_totals = info
        self.assertTrue(z_report.z_difference)
        self.assertIn("o_vk_differs", str(z_report.z_comparison_html))
