"""The request of a Point of Sale order's receipt (rules also in the README,
"Point of Sale", "What the receipt says").

* One row per order line: product code, barcode, name, quantity, the
  tax-inclusive unit price and a row discount that makes the row equal to
  what Odoo's tax engine books for the line (line discount included), the
  line's tax group by the same rule as invoices
  (``vchasno.register._line_tax_groups``: a tax without a code, or an
  untaxed line without the register's group for untaxed lines, is refused).
* Reductions (global discount, rewards: positive quantity, negative amount)
  become row discounts inside their own tax group (``tools/pos_rows.py``).
* A line that returns goods inside a sale (or sells inside a refund) is
  refused: a receipt is a sale or a return, make two orders.
* Lines of zero amount (a free item, a combo's parent line) are left out.
* One ``pays`` entry per payment method (and per card, when the card data
  differ), its Vchasno type from the method's journal; the change on the
  cash entry; the card data (ЕПЗ) of card payments.
* What was paid minus the rows is the cash rounding (``round``); allowed
  only with the Point of Sale's cash rounding, and only as the company's
  rounding rule says (``res.company._vchasno_rounding_rule``).
* A refund order makes a return receipt with the same rules, amounts of the
  returned goods, paid back by the refund's payments.
"""

from decimal import Decimal

from odoo import _, models

from odoo.addons.l10n_ua_vchasno_kasa.models.vchasno_receipt_payload import dec
from odoo.addons.l10n_ua_vchasno_kasa.tools import receipt_maths as rm
from odoo.addons.l10n_ua_vchasno_kasa.tools.vchasno_errors import VchasnoPayloadError

from ..tools.pos_rows import ReductionProblem, spread_reductions


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def _build_receipt_body(self):
        # EXTENDS l10n_ua_vchasno_kasa: the payload dispatch by source. A
        # reversal of a receipt (what is left of it) stays the main addon's.
        if self.pos_order_id and not self._is_reversal():
            return self._receipt_from_pos_order()
        return super()._build_receipt_body()

    def _receipt_from_pos_order(self):
        order = self.pos_order_id
        self._vchasno_check_pos_currency(order)
        sign = Decimal(-1) if self.kind == "return" else Decimal(1)
        rows = self._vchasno_pos_rows(order, sign)
        pays = self._vchasno_pos_pays(order, sign)
        rows_total = sum((rm.row_total(row) for row in rows), Decimal(0))
        paid = sum((pay.amount for pay in pays), Decimal(0))
        rounding = paid - rows_total
        if rounding and not order.config_id.cash_rounding:
            raise VchasnoPayloadError(
                [
                    _(
                        "%(order)s: the payments (%(paid)s) differ from the order "
                        "lines (%(total)s) and the Point of Sale has no cash "
                        "rounding.",
                        order=order.name,
                        paid=paid,
                        total=rows_total,
                    )
                ]
            )
        # The company's rounding rule decides what may go out (issue 11).
        return rm.build_receipt(
            rows,
            pays,
            rounding=rounding,
            **self.company_id._vchasno_rounding_rule(),
        )

    def _vchasno_check_pos_currency(self, order):
        currency = order.currency_id or self.company_id.currency_id
        if currency.name != "UAH":
            raise VchasnoPayloadError(
                [
                    _(
                        "Vchasno.Kasa fiscalizes hryvnias only; the Point of Sale "
                        "%(pos)s sells in %(currency)s.",
                        pos=order.config_id.name,
                        currency=currency.name,
                    )
                ]
            )

    # === Rows === #

    def _vchasno_pos_rows(self, order, sign):
        """The rows of ``order``; ``sign`` -1 reads a refund as a return."""
        amounts = order._vchasno_line_amounts()
        lines = order.lines.filtered(lambda line: amounts[line])
        groups = self.register_id._line_tax_groups(lines)
        rows, reductions = [], []
        for line in lines:
            qty = dec(line.qty, 3) * sign
            amount = amounts[line] * sign
            if qty > 0 and amount > 0:
                rows.append(self._vchasno_pos_row(line, qty, amount, groups[line]))
            elif qty > 0:
                reductions.append((groups[line], -amount))
            else:
                raise VchasnoPayloadError([self._vchasno_mixed_message(order, line)])
        if not rows:
            raise VchasnoPayloadError(
                [_("%(order)s has no goods to put on a receipt.", order=order.name)]
            )
        try:
            return spread_reductions(rows, reductions)
        except ReductionProblem as problem:
            raise VchasnoPayloadError(
                [
                    _(
                        "%(order)s: the discounts and rewards of tax group "
                        "%(group)s (%(amount)s) are more than the goods of that "
                        "group (%(goods)s); a receipt cannot state a negative "
                        "amount of VAT.",
                        order=order.name,
                        group=problem.tax_group,
                        amount=problem.amount,
                        goods=problem.goods,
                    )
                ]
            ) from problem

    def _vchasno_pos_row(self, line, qty, amount, tax_group):
        """One row of a sold (or returned) line, exact to ``amount``."""
        label = line._vchasno_line_label()
        if not self._vchasno_countable(abs(line.qty)):
            # More than 3 decimals: one row of the whole line, its quantity
            # in the name, so the amount stays exact.
            label = "%s (%s %s)" % (label, line.qty, line.product_uom_id.name or "")
            return self._vchasno_row(
                line.product_id, label, Decimal(1), amount, amount, tax_group
            )
        price = dec(line._vchasno_unit_price_incl())
        return self._vchasno_row(line.product_id, label, qty, price, amount, tax_group)

    def _vchasno_mixed_message(self, order, line):
        if self.kind == "return":
            return _(
                "%(order)s returns goods and sells «%(line)s» in one order: a "
                "receipt is a sale or a return. Make the sale a separate order.",
                order=order.name,
                line=line._vchasno_line_label(),
            )
        return _(
            "%(order)s sells goods and returns «%(line)s» in one order: a "
            "receipt is a sale or a return. Make the return a separate order "
            "(Refund in the Point of Sale's order list).",
            order=order.name,
            line=line._vchasno_line_label(),
        )

    # === Payments === #

    def _vchasno_pos_pays(self, order, sign):
        """One ``Pay`` per payment method (per card when the card data
        differ); the change given back goes on the cash entry it came from."""
        entries, change = {}, {}
        for payment in order.payment_ids.sorted("id"):
            amount = dec(payment.amount) * sign
            method = payment.payment_method_id
            if payment.is_change:
                change[method] = change.get(method, Decimal(0)) - amount
                continue
            pay_type = self._vchasno_pos_pay_type(order, method)
            card = payment._vchasno_card_data() if pay_type != rm.PAY_CASH else {}
            key = (method, tuple(sorted(card.items())))
            if key not in entries:
                entries[key] = rm.Pay(pay_type, Decimal(0), **card)
            entries[key].amount += amount
        for method, given in change.items():
            cash = next((pay for (m, _c), pay in entries.items() if m == method), None)
            if cash is None or cash.type != rm.PAY_CASH or cash.amount <= given:
                raise VchasnoPayloadError(
                    [
                        _(
                            "%(order)s gives %(change)s change in %(method)s that "
                            "was not paid in cash by that method.",
                            order=order.name,
                            change=given,
                            method=method.name,
                        )
                    ]
                )
            cash.amount -= given
            cash.change += given
        return list(entries.values())

    def _vchasno_pos_pay_type(self, order, method):
        journal = method.journal_id
        if not journal:
            raise VchasnoPayloadError(
                [
                    _(
                        "%(order)s is paid partly with %(method)s, which has no "
                        "journal (customer account): Vchasno.Kasa cannot show a "
                        "part of a sale paid later. Fiscalize the customer's "
                        "payment when it is made, or take the whole payment now.",
                        order=order.name,
                        method=method.name,
                    )
                ]
            )
        return journal._vchasno_pay_type_code()
