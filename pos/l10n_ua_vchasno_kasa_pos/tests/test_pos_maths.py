"""The pure maths of Point of Sale rows (no database)."""

from decimal import Decimal as D

from odoo.tests import BaseCase

from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm

from ..tools.pos_rows import ReductionProblem, mask_card, spread_reductions


def row(name, qty, price, group, disc="0"):
    return rm.Row(name=name, qty=D(qty), price=D(price), tax_group=group, disc=D(disc))


class TestPosMaths(BaseCase):
    def test_reduction_spread_in_its_group_only(self):
        rows = [
            row("A", "1", "100.00", "1"),
            row("B", "1", "50.00", "1"),
            row("C", "2", "10.00", "4"),
        ]
        out = spread_reductions(rows, [("1", D("15.00"))])
        # 15.00 over 100 and 50: 10.00 and 5.00; group 4 untouched.
        self.assertEqual([r.disc for r in out], [D("10.00"), D("5.00"), D("0")])
        self.assertEqual(sum(rm.row_total(r) for r in out), D("155.00"))

    def test_kopecks_go_to_the_largest_remainders(self):
        rows = [
            row("A", "1", "0.10", "1"),
            row("B", "1", "0.10", "1"),
            row("C", "1", "0.10", "1"),
        ]
        out = spread_reductions(rows, [("1", D("0.10"))])
        # 0.10 / 3 = 0.0333: 0.04, 0.03, 0.03 (ties to the earlier row).
        self.assertEqual([r.disc for r in out], [D("0.04"), D("0.03"), D("0.03")])

    def test_group_reduced_to_zero_loses_its_rows(self):
        rows = [row("A", "1", "20.00", "1"), row("B", "1", "5.00", "2")]
        out = spread_reductions(rows, [("2", D("5.00"))])
        self.assertEqual([r.name for r in out], ["A"])

    def test_reduction_without_goods_or_too_large(self):
        rows = [row("A", "1", "20.00", "1")]
        with self.assertRaises(ReductionProblem) as caught:
            spread_reductions(rows, [("4", D("1.00"))])
        self.assertEqual(caught.exception.goods, D(0))
        with self.assertRaises(ReductionProblem):
            spread_reductions(rows, [("1", D("20.01"))])

    def test_card_mask(self):
        self.assertEqual(mask_card("4111 1111 1111 1111"), "411111******1111")
        self.assertEqual(mask_card("1234"), "****1234")
        self.assertEqual(mask_card("4111********1111"), "4111********1111")
        self.assertIsNone(mask_card(" "))
