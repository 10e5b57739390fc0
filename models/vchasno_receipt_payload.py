"""Map Odoo records to the Vchasno request. The maths lives in tools/.

Rows of a payment receipt (the rule, also in the README, "Rows on the
receipt"). Every amount is in hryvnias, the company currency, and the rows
grouped by Vchasno tax group equal to the kopeck what the payment settled
of each tax group of each invoice (of each credit note for a refund):

* What the payment settled is read from the reconciliation
  (``account.partial.reconcile``, company currency), invoice by invoice:
  never the invoice totals. A payment without journal entry (Odoo
  Enterprise, until its bank statement line is matched) takes its linked
  invoices in order, each by what is open of it.
* Itemized rows, one per product line (code, barcode, name, quantity,
  tax-inclusive unit price, a row ``disc`` that makes the row equal Odoo's
  line total), only when the payment alone settles each of its invoices in
  full, nothing else is netted (no credit note, no other payment, no
  advance, no negative line), the invoices are in hryvnias and every
  quantity has at most 3 decimals. A cash payment of invoices with Odoo cash
  rounding sends that difference as ``round``.
* Otherwise one row per invoice and tax group, "Payment for invoice INV/…"
  ("Refund for credit note RINV/…" on a return): the invoice's lines netted
  inside their own tax group (a discount or down-payment line never reduces
  another group), minus the credit notes reconciled with it in their own
  groups, and the amount this payment settled split over what is left in
  proportion, exactly (``tools/settlement_maths.py``).
* The part of a payment reconciled with no invoice is an advance: one row
  "Payment <reference>" on the register's tax group for payments without
  invoice. A write-off (payment smaller than what it settled) scales the
  rows to what was paid.
* Foreign currency: an invoice in another currency paid in hryvnias is
  fiscalized in hryvnias at the booked amounts. A payment in another
  currency is refused before anything is sent: Vchasno.Kasa fiscalizes
  hryvnias only and Ukrainian retail settlements are made in hryvnias.
* Tax groups: see ``vchasno.register._line_tax_groups`` (a line without tax
  only on the register's explicit group for untaxed lines; a tax without a
  code is refused, naming it).
"""

from decimal import Decimal

from odoo import _, models
from odoo.tools import float_repr

from ..tools import receipt_maths as rm
from ..tools import settlement_maths as sm
from ..tools.vchasno_errors import VchasnoPayloadError

TASKS = {
    "sale": rm.TASK_SALE,
    "return": rm.TASK_RETURN,
    "service_in": rm.TASK_SERVICE_IN,
    "service_out": rm.TASK_SERVICE_OUT,
    "open_shift": rm.TASK_OPEN_SHIFT,
    "x_report": rm.TASK_X_REPORT,
    "z_report": rm.TASK_Z_REPORT,
}
RECEIVABLE_TYPES = ("asset_receivable", "liability_payable")
INVOICE_TYPES = ("out_invoice", "out_receipt")
REFUND_TYPES = ("out_refund",)


def dec(value, digits=2):
    """An Odoo float as an exact Decimal with ``digits`` places."""
    return Decimal(float_repr(value or 0.0, digits))


def _partials(lines):
    """``(partial, counterpart line)`` for every reconciliation of ``lines``."""
    for partial in lines.matched_debit_ids:
        yield partial, partial.debit_move_id
    for partial in lines.matched_credit_ids:
        yield partial, partial.credit_move_id


def _product_lines(moves):
    return moves.invoice_line_ids.filtered(lambda line: line.display_type == "product")


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def _build_payload(self):
        """The complete request for this receipt, ready to be frozen."""
        self.ensure_one()
        task = TASKS[self.kind]
        body = {}
        if self.kind in ("sale", "return"):
            body["receipt"] = self._build_receipt_body()
        elif self.kind in ("service_in", "service_out"):
            body["cash"] = rm.build_cash(dec(self.amount))
        userinfo = {"email": self.send_email, "phone": self.send_phone}
        return rm.build_request(
            task, self.tag, cashier=self.cashier_name or None, userinfo=userinfo, **body
        )

    def _build_receipt_body(self):
        self._vchasno_check_currency()
        if self._is_reversal():
            # What is left of the original receipt (vchasno_receipt_ledger).
            return self._reversal_body()
        return self._receipt_from_payment()

    def _vchasno_check_currency(self):
        currency = self.company_id.currency_id
        if currency.name == "UAH":
            currency = self.payment_id.currency_id or currency
        if currency.name != "UAH":
            raise VchasnoPayloadError(
                [
                    _(
                        "Vchasno.Kasa fiscalizes hryvnias only; this payment is in "
                        "%(currency)s. Register the payment in hryvnias (an invoice "
                        "in another currency can be paid in hryvnias at the day's "
                        "rate), or do not fiscalize it.",
                        currency=currency.name,
                    )
                ]
            )

    # === Sale and refund rows === #

    def _receipt_from_payment(self):
        payment = self.payment_id
        amount = dec(payment.amount)
        journal = payment.journal_id
        pay_type = journal._vchasno_pay_type_code()
        settlement = self._vchasno_settlement()
        moves = self.env["account.move"]
        for move, _settled, credits, _other in settlement:
            moves |= move.union(*credits)
        groups = self.register_id._line_tax_groups(_product_lines(moves))
        body = self._vchasno_itemized(settlement, amount, pay_type, groups)
        if body:
            return body
        rows = self._vchasno_settled_rows(settlement, amount, groups)
        return rm.build_receipt(rows, [rm.Pay(pay_type, amount)])

    def _vchasno_settlement(self):
        """What the payment settled of each document, from the reconciliation.

        A customer payment settles invoices and has credit notes netted
        against them; a refund settles credit notes and may have invoices
        netted against those. Amounts are in company currency.

        :return: ``[(document, settled, {netted document: amount}, other)]``
            where ``other`` is what other payments or entries settled of the
            document; documents in id order
        """
        payment = self.payment_id
        main, opposite = INVOICE_TYPES, REFUND_TYPES
        if payment.payment_type == "outbound":
            main, opposite = REFUND_TYPES, INVOICE_TYPES
        if not payment.move_id:
            return self._vchasno_settlement_without_entry(main, opposite)
        pay_lines = payment.move_id.line_ids.filtered(
            lambda line: line.account_type in RECEIVABLE_TYPES
        )
        settled = {}
        for partial, line in _partials(pay_lines):
            move = line.move_id
            if move.state == "posted" and move.move_type in main:
                settled[move] = settled.get(move, Decimal(0)) + dec(partial.amount)
        result = []
        for move in sorted(settled, key=lambda m: m.id):
            credits, other = {}, Decimal(0)
            term_lines = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            )
            for partial, line in _partials(term_lines):
                counterpart = line.move_id
                if counterpart == payment.move_id:
                    continue
                if counterpart.state == "posted" and counterpart.move_type in opposite:
                    credits[counterpart] = credits.get(counterpart, Decimal(0)) + dec(
                        partial.amount
                    )
                else:
                    other += dec(partial.amount)
            result.append((move, settled[move], credits, other))
        return result

    def _vchasno_settlement_without_entry(self, main, opposite):
        """A payment without journal entry only links its documents.

        Odoo Enterprise leaves a payment into a journal without outstanding
        account unreconciled until its bank statement line is matched: each
        linked document then takes what is open of it, in order, until the
        payment is spent. Credit notes linked the same way cannot be netted
        per tax group without a reconciliation: refused until there is one.
        """
        payment = self.payment_id
        documents = payment.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type in main + opposite
        ).sorted("id")
        if any(m.move_type in opposite for m in documents):
            raise VchasnoPayloadError(
                [
                    _(
                        "%(payment)s settles credit notes together with invoices "
                        "but has no journal entry yet: reconcile it with the bank "
                        "statement, then retry the receipt.",
                        payment=payment.display_name,
                    )
                ]
            )
        left, result = dec(payment.amount), []
        for move in documents:
            part = min(left, dec(abs(move.amount_residual_signed)))
            if part > 0:
                total = dec(abs(move.amount_total_signed))
                result.append((move, part, {}, total - part))
                left -= part
        return result

    def _vchasno_itemized(self, settlement, amount, pay_type, groups):
        """One row per product line, or None when the shape does not allow it."""
        moves = self.env["account.move"].union(*(doc for doc, *_rest in settlement))
        if not moves or sum((s for _d, s, _c, _o in settlement), Decimal(0)) != amount:
            return None
        for move, settled, credits, other in settlement:
            if (
                credits
                or other
                or settled != dec(abs(move.amount_total_signed))
                or move.currency_id != move.company_currency_id
            ):
                return None
        lines = _product_lines(moves)
        if not lines or any(
            line.price_total <= 0 or not self._vchasno_countable(line.quantity)
            for line in lines
        ):
            return None
        rows = [self._row_from_line(line, groups[line]) for line in lines]
        rows_total = sum((rm.row_total(row) for row in rows), Decimal(0))
        rounding = amount - rows_total
        if rounding and pay_type != rm.PAY_CASH:
            return None
        # A cash rounding the company's settings refuse is an error before
        # sending, not a silent change of the rows (issue 11).
        return rm.build_receipt(
            rows,
            [rm.Pay(pay_type, amount)],
            rounding=rounding,
            **self.company_id._vchasno_rounding_rule(),
        )

    @staticmethod
    def _vchasno_countable(quantity):
        """A positive quantity that Vchasno takes as it is (3 decimals)."""
        qty = dec(quantity, 3)
        return qty > 0 and abs(float(qty) - quantity) <= 1e-9

    def _row_from_line(self, line, tax_group):
        """One row per invoice line: exact to Odoo's line total."""
        qty = dec(line.quantity, 3)
        unit_incl = line.price_unit
        if line.tax_ids:
            unit_incl = line.tax_ids.compute_all(
                line.price_unit,
                currency=line.currency_id,
                quantity=1.0,
                product=line.product_id,
                partner=line.partner_id,
            )["total_included"]
        return self._vchasno_row(
            line.product_id,
            line._vchasno_line_label(),
            qty,
            dec(unit_incl),
            dec(line.price_total),
            tax_group,
        )

    @staticmethod
    def _vchasno_row(product, label, qty, price, total, tax_group):
        """One itemized row whose value is exactly ``total`` (Decimals).

        The row discount is what makes ``qty`` × tax-inclusive ``price``
        equal the document line's total: a percentage discount, a
        tax-excluded price rounded differently (Point of Sale lines too).
        """
        gross = rm.round_half_up(qty * price)
        return rm.Row(
            name=label,
            qty=qty,
            price=price,
            disc=gross - total,
            tax_group=tax_group,
            code=product.default_code or None,
            barcode=product.barcode or None,
        )

    def _vchasno_settled_rows(self, settlement, amount, groups):
        """One row per (document, tax group) of what the payment settled."""
        documents = {}

        def document(move):
            if move not in documents:
                documents[move] = sm.Document(
                    key=move,
                    name=move.name,
                    total=dec(abs(move.amount_total_signed)),
                    lines=[
                        (groups[line], dec(line.price_total))
                        for line in _product_lines(move)
                    ],
                )
            return documents[move]

        settlements = [
            sm.Settlement(
                document(move),
                settled,
                [(document(credit), part) for credit, part in credits.items()],
            )
            for move, settled, credits, _other in settlement
        ]
        shares = sm.settled_shares(settlements)
        settled_total = sum((s.settled for s in settlements), Decimal(0))
        advance = amount - settled_total
        if advance < 0:
            # A write-off settled more than the payment received.
            shares, advance = sm.scale(shares, amount), Decimal(0)
        rows = [
            rm.Row(
                name=self._vchasno_row_label(move),
                qty=Decimal(1),
                price=part,
                tax_group=group,
            )
            for move, shape in shares
            for group, part in shape.items()
        ]
        if advance:
            ref = self.payment_id.memo or self.payment_id.name
            rows.append(
                rm.Row(
                    name=_("Payment %(ref)s", ref=ref),
                    qty=Decimal(1),
                    price=advance,
                    tax_group=(self.register_id.tax_group_code or "").strip(),
                )
            )
        return rows

    def _vchasno_row_label(self, move):
        if move.move_type in REFUND_TYPES:
            return _("Refund for credit note %(ref)s", ref=move.name)
        return _("Payment for invoice %(ref)s", ref=move.name)
