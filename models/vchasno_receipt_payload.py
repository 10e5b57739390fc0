"""Map Odoo records to the Vchasno request. The maths lives in tools/.

Rows of a payment receipt (the rule, also in the README):

* The payment pays its invoices in full (payment amount = their total, UAH):
  one row per product line, tax-inclusive unit price, and a row ``disc`` that
  makes the row equal to Odoo's line total to the kopeck. A cash payment whose
  invoices carry an Odoo cash-rounding line sends that difference as ``round``.
* Anything else (partial payment, several partial invoices, no invoice): one row
  per invoice and Vchasno tax group (also when a line is negative, e.g. a
  discount line), "Payment for invoice INV/…", the paid
  amount split over the groups in proportion to the invoice amounts (largest
  remainder, so the rows add up exactly to what was paid). A payment with no
  invoice is a single row "Payment <reference>" on the register's default group.
"""

from decimal import Decimal

from odoo import _, models
from odoo.tools import float_repr

from ..tools import receipt_maths as rm
from ..tools.vchasno_errors import VchasnoPayloadError

PAY_TYPES = {"cash": rm.PAY_CASH, "cashless": rm.PAY_CASHLESS, "card": rm.PAY_CARD}
TASKS = {
    "sale": rm.TASK_SALE,
    "return": rm.TASK_RETURN,
    "service_in": rm.TASK_SERVICE_IN,
    "service_out": rm.TASK_SERVICE_OUT,
    "open_shift": rm.TASK_OPEN_SHIFT,
    "x_report": rm.TASK_X_REPORT,
    "z_report": rm.TASK_Z_REPORT,
}


def dec(value, digits=2):
    """An Odoo float as an exact Decimal with ``digits`` places."""
    return Decimal(float_repr(value or 0.0, digits))


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
        currency = self.payment_id.currency_id or self.company_id.currency_id
        if currency.name != "UAH":
            raise VchasnoPayloadError(
                [
                    _(
                        "Vchasno.Kasa fiscalizes hryvnias only; this payment is in "
                        "%(currency)s.",
                        currency=currency.name,
                    )
                ]
            )

    def _receipt_from_payment(self):
        payment = self.payment_id
        amount = dec(payment.amount)
        journal = payment.journal_id
        pay_type = PAY_TYPES[journal.vchasno_payment_type or "cashless"]
        invoices = payment._vchasno_documents()
        lines = invoices.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        total = sum((dec(inv.amount_total) for inv in invoices), Decimal(0))
        if lines and total == amount and all(line.price_total > 0 for line in lines):
            rows = [self._row_from_line(line) for line in lines]
            rows_total = sum((rm.row_total(row) for row in rows), Decimal(0))
            rounding = amount - rows_total
            if not rounding or (
                pay_type == rm.PAY_CASH and abs(rounding) < rm.MAX_ABS_ROUND
            ):
                return rm.build_receipt(
                    rows, [rm.Pay(pay_type, amount)], rounding=rounding
                )
        rows = self._rows_by_tax_group(invoices, amount)
        return rm.build_receipt(rows, [rm.Pay(pay_type, amount)])

    def _row_from_line(self, line):
        """One row per invoice line: exact to Odoo's line total."""
        qty = dec(line.quantity, 3)
        if abs(float(qty) - line.quantity) > 1e-9 or qty <= 0:
            raise VchasnoPayloadError(
                [
                    _(
                        "Line %(line)s: the quantity %(qty)s cannot be fiscalized.",
                        line=line.display_name,
                        qty=line.quantity,
                    )
                ]
            )
        unit_incl = line.price_unit
        if line.tax_ids:
            unit_incl = line.tax_ids.compute_all(
                line.price_unit,
                currency=line.currency_id,
                quantity=1.0,
                product=line.product_id,
                partner=line.partner_id,
            )["total_included"]
        price = dec(unit_incl)
        line_total = dec(line.price_total)
        gross = rm.round_half_up(qty * price)
        product = line.product_id
        return rm.Row(
            name=(product.name or (line.name or "").split("\n")[0]).strip(),
            qty=qty,
            price=price,
            disc=gross - line_total,
            tax_group=self._tax_group(line.tax_ids),
            code=product.default_code or None,
            barcode=product.barcode or None,
        )

    def _rows_by_tax_group(self, invoices, amount):
        """Paid amount split over (invoice, tax group), exact to the kopeck."""
        keys, weights = [], []
        for invoice in invoices:
            per_group = {}
            for line in invoice.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            ):
                group = self._tax_group(line.tax_ids)
                per_group[group] = per_group.get(group, Decimal(0)) + dec(
                    abs(line.price_total)
                )
            for group, weight in per_group.items():
                if weight > 0:
                    keys.append((invoice, group))
                    weights.append(weight)
        if not keys:
            ref = self.payment_id.memo or self.payment_id.name
            name = _("Payment %(ref)s", ref=ref)
            return [
                rm.Row(
                    name=name,
                    qty=Decimal(1),
                    price=amount,
                    tax_group=self.register_id.tax_group_code,
                )
            ]
        rows = []
        for (invoice, group), part in zip(
            keys, rm.allocate(weights, amount), strict=True
        ):
            if part <= 0:
                continue
            rows.append(
                rm.Row(
                    name=_("Payment for invoice %(ref)s", ref=invoice.name),
                    qty=Decimal(1),
                    price=part,
                    tax_group=group,
                )
            )
        return rows

    def _tax_group(self, taxes):
        """The Vchasno tax group of a line: its taxes' code, else the register's."""
        codes = set(
            taxes.flatten_taxes_hierarchy()
            .filtered("vchasno_tax_group_code")
            .mapped("vchasno_tax_group_code")
        )
        if len(codes) > 1:
            raise VchasnoPayloadError(
                [
                    _(
                        "Taxes %(taxes)s map to different Vchasno tax groups "
                        "(%(codes)s); "
                        "one receipt row can have only one.",
                        taxes=", ".join(taxes.mapped("name")),
                        codes=", ".join(sorted(codes)),
                    )
                ]
            )
        return (codes.pop() if codes else self.register_id.tax_group_code).strip()
