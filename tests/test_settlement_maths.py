"""Settlement maths: what a payment settled per tax group (pure Python)."""

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from odoo.addons.l10n_ua_vchasno_kasa.tools import settlement_maths as sm
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import VchasnoPayloadError

D = Decimal


def doc(name, total, *lines):
    return sm.Document(key=name, name=name, total=D(total), lines=list(lines))


def line(group, amount):
    return (group, D(amount))


@tagged("post_install", "-at_install")
class TestSettlementExamples(BaseCase):
    """Worked by hand: the arithmetic is in the comments."""

    def test_negative_line_nets_in_its_own_group(self):
        # 20 %: 200.00 - 20.00 (discount line) = 180.00; 7 %: 107.00 untouched.
        invoice = doc("INV/1", "287.00", line(1, "200.00"), line(4, "107.00"))
        invoice.lines.append(line(1, "-20.00"))
        self.assertEqual(sm.document_shape(invoice), {1: D("180.00"), 4: D("107.00")})

    def test_negative_group_refused(self):
        # 7 %: 10.00 - 30.00 = -20.00: no sale receipt can say that.
        invoice = doc("INV/2", "80.00", line(1, "100.00"), line(4, "10.00"))
        invoice.lines.append(line(4, "-30.00"))
        with self.assertRaises(VchasnoPayloadError) as caught:
            sm.document_shape(invoice)
        self.assertIn("INV/2: tax group 4 adds up to -20.00", str(caught.exception))

    def test_rounding_difference_spread_exactly(self):
        # Lines 60.00 + 19.83 = 79.83, the invoice is rounded to 79.80:
        # 7980 kop x 60/79.83 = 5997.745 -> 5997; x 19.83/79.83 = 1982.254
        # -> 1982; 1 kopeck left goes to the larger remainder (.745): 59.98.
        invoice = doc("INV/3", "79.80", line(1, "60.00"), line(4, "19.83"))
        self.assertEqual(sm.document_shape(invoice), {1: D("59.98"), 4: D("19.82")})

    def test_partial_payment_split(self):
        # 100 paid of 150 (100 at 20 %, 50 at 7 %): 66.666 -> 66.67, 33.333
        # -> 33.33; 66.67 + 33.33 = 100.00.
        invoice = doc("INV/4", "150.00", line(1, "100.00"), line(4, "50.00"))
        result = sm.settled_shares([sm.Settlement(invoice, D("100.00"))])
        self.assertEqual(result, [("INV/4", {1: D("66.67"), 4: D("33.33")})])

    def test_credit_note_netted_in_its_groups(self):
        # Invoice 240.00 at 20 % + 53.50 at 7 % = 293.50; a credit note of
        # 120.00 (20 %) reconciled with it; the payment settles the remaining
        # 173.50: 20 % 240 - 120 = 120.00, 7 % 53.50.
        invoice = doc("INV/5", "293.50", line(1, "240.00"), line(4, "53.50"))
        credit = doc("RINV/1", "120.00", line(1, "120.00"))
        result = sm.settled_shares(
            [sm.Settlement(invoice, D("173.50"), [(credit, D("120.00"))])]
        )
        self.assertEqual(result, [("INV/5", {1: D("120.00"), 4: D("53.50")})])

    def test_credit_note_paired_with_the_wrong_invoice(self):
        # INV/6: 50.00 at 20 % + 50.00 at 7 %; INV/7: 200.00 at 20 %. The
        # credit note (50.00 at 7 %) corrects INV/6 but Odoo reconciled it
        # with INV/7. Payment: 100.00 to INV/6, 150.00 to INV/7.
        # Pooled: 20 % 250.00, 7 % 50 - 50 = 0. INV/7 open: 20 % 200, 7 % -50
        # -> moves 50 of 7 % from INV/6 and gives back 50 of 20 %:
        # INV/6 20 % 100.00; INV/7 20 % 150.00.
        inv6 = doc("INV/6", "100.00", line(1, "50.00"), line(4, "50.00"))
        inv7 = doc("INV/7", "200.00", line(1, "200.00"))
        credit = doc("RINV/2", "50.00", line(4, "50.00"))
        result = sm.settled_shares(
            [
                sm.Settlement(inv6, D("100.00")),
                sm.Settlement(inv7, D("150.00"), [(credit, D("50.00"))]),
            ]
        )
        self.assertEqual(
            result, [("INV/6", {1: D("100.00")}), ("INV/7", {1: D("150.00")})]
        )

    def test_credit_exceeding_a_group_refused(self):
        # Invoice 100.00 at 20 %; credit note 30.00 at 7 %: 7 % would be -30.
        invoice = doc("INV/8", "100.00", line(1, "100.00"))
        credit = doc("RINV/3", "30.00", line(4, "30.00"))
        with self.assertRaises(VchasnoPayloadError) as caught:
            sm.settled_shares(
                [sm.Settlement(invoice, D("70.00"), [(credit, D("30.00"))])]
            )
        self.assertIn("30.00 more of tax group 4", str(caught.exception))

    def test_scale_to_paid_amount(self):
        # Settled 100.00 + 50.00 but 147.00 received (3.00 written off):
        # 14700 x 100/150 = 9800 -> 98.00; x 50/150 = 4900 -> 49.00.
        shares = [("A", {1: D("100.00")}), ("B", {4: D("50.00")})]
        self.assertEqual(
            sm.scale(shares, D("147.00")),
            [("A", {1: D("98.00")}), ("B", {4: D("49.00")})],
        )


amounts = st.decimals(min_value=D("0.00"), max_value=D("900.00"), places=2)
groups = st.sampled_from([1, 2, 4, 5])


@st.composite
def documents(draw, name):
    """Goods per group, sometimes a negative line that leaves the group >= 0."""
    goods = draw(st.dictionaries(groups, amounts, min_size=1, max_size=4))
    lines = list(goods.items())
    for group, amount in goods.items():
        if draw(st.booleans()):
            less = draw(st.decimals(min_value=D(0), max_value=amount, places=2))
            lines.append((group, -less))
    net = sum((amount for _group, amount in lines), D(0))
    assume(net > 0)
    # The company-currency total: the net, or a little rounding/rate away.
    drift = draw(st.decimals(min_value=D("-0.05"), max_value=D("0.05"), places=2))
    total = max(net + drift, D("0.01"))
    return sm.Document(key=name, name=name, total=total, lines=lines)


@tagged("post_install", "-at_install")
class TestSettlementProperties(BaseCase):
    @settings(max_examples=100, deadline=None)
    @given(documents("INV"), st.data())
    def test_shape_adds_up_and_is_never_negative(self, document, data):
        shape = sm.document_shape(document)
        self.assertEqual(sum(shape.values(), D(0)), document.total)
        self.assertTrue(all(v >= 0 for v in shape.values()))
        paid = data.draw(
            st.decimals(min_value=D("0.00"), max_value=document.total, places=2)
        )
        parts = sm.split(shape, paid)
        self.assertEqual(sum(parts.values(), D(0)), paid)
        for group, part in parts.items():
            self.assertTrue(D(0) <= part <= shape[group], (group, part))

    @settings(max_examples=100, deadline=None)
    @given(st.lists(documents("INV"), min_size=1, max_size=4), st.data())
    def test_rows_sum_to_settled_per_document(self, invoices, data):
        settlements = []
        for index, invoice in enumerate(invoices):
            invoice.key = invoice.name = "INV/%s" % index
            credits = []
            if data.draw(st.booleans()):
                credit = data.draw(documents("RINV/%s" % index))
                cap = min(credit.total, invoice.total)
                used = data.draw(st.decimals(min_value=D(0), max_value=cap, places=2))
                credits.append((credit, used))
            open_total = invoice.total - sum((c for _d, c in credits), D(0))
            settled = data.draw(
                st.decimals(min_value=D(0), max_value=open_total, places=2)
            )
            settlements.append(sm.Settlement(invoice, settled, credits))
        try:
            result = sm.settled_shares(settlements)
        except VchasnoPayloadError as err:
            # Only a group that the credit notes take below zero over the
            # whole payment may be refused.
            self.assertIn("more of tax group", str(err))
            return
        for settlement, (key, shape) in zip(settlements, result, strict=True):
            self.assertEqual(key, settlement.document.key)
            self.assertEqual(sum(shape.values(), D(0)), settlement.settled)
            self.assertTrue(all(v > 0 for v in shape.values()), shape)
            full = settlement.settled == settlement.document.total
            if full and not any(s.credits for s in settlements):
                self.assertEqual(shape, sm.document_shape(settlement.document))

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(
            st.dictionaries(
                groups,
                st.decimals(min_value=D("-300.00"), max_value=D("900.00"), places=2),
                min_size=1,
                max_size=4,
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_rebalance_keeps_totals(self, shapes):
        assume(all(sum(s.values(), D(0)) >= 0 for s in shapes))
        pooled = sm.net_by_group(line for s in shapes for line in s.items())
        if any(v < 0 for v in pooled.values()):
            with self.assertRaises(VchasnoPayloadError):
                sm.rebalance(shapes)
            return
        result = sm.rebalance(shapes)
        for before, after in zip(shapes, result, strict=True):
            self.assertEqual(sum(before.values(), D(0)), sum(after.values(), D(0)))
            self.assertTrue(all(v >= 0 for v in after.values()), after)
        after_pooled = sm.net_by_group(line for s in result for line in s.items())
        for group, amount in pooled.items():
            self.assertEqual(after_pooled.get(group, D(0)), amount)
