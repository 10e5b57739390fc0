"""X/Z report totals shown readably, on the form and on the printed page.

The mapping follows Vchasno's own Z-report example (evidence file, AIDOC;
spec §5.4), not guesses:

* ``summary.base_p/m``: receipt sums before the whole-receipt discount,
  ``disc_p/m`` the discounts, ``taxex_p/m`` all taxes and levies; the total
  is base − discount (no ``calc_*`` field exists);
* ``taxes[]``: per tax group, turnover ``base_sum``, VAT ``tax_sum``, excise or
  other levy ``ex_sum``;
* ``pays[]``: receipts per payment type, with cash rounding up/down;
* ``money[]``: **service** cash-in (``sum_p``) and cash-out (``sum_m``);
* ``cash[]``: cash handed out against a card (task 14, ``sum_m``),
  ``receipt.count_14`` of them.

Suffix ``_p`` is sales ("+"), ``_m`` returns ("−"). Missing keys show as 0.
"""

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.tools import format_amount

REPORT_KINDS = ("x_report", "z_report")


def _num(value):
    try:
        return float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _dicts(values):
    return [value for value in values or [] if isinstance(value, dict)]


def _net_round(pay, sign):
    """Rounding up minus rounding down of a payment type (``p``/``m``)."""
    return _num(pay.get(f"round_{sign}u")) - _num(pay.get(f"round_{sign}d"))


def _table(caption, header, rows):
    """A small Bootstrap table; every cell is escaped."""
    head = Markup("").join(Markup("<th>%s</th>") % cell for cell in header)
    body = Markup("").join(
        Markup("<tr>%s</tr>")
        % Markup("").join(Markup("<td>%s</td>") % cell for cell in row)
        for row in rows
    )
    return Markup(
        '<h5 class="mt-3">%s</h5><table class="table table-sm o_vchasno_totals">'
        "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
    ) % (caption, head, body)


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    report_html = fields.Html(
        string="Report totals",
        compute="_compute_report_html",
        sanitize=False,  # built here from escaped values only
    )

    @api.depends("kind", "report_totals")
    def _compute_report_html(self):
        for receipt in self:
            totals = receipt.report_totals
            if receipt.kind in REPORT_KINDS and isinstance(totals, dict) and totals:
                receipt.report_html = receipt._render_report_totals(totals)
            else:
                receipt.report_html = False

    @api.depends("shift_number")
    def _compute_display_name(self):
        # EXTENDS vchasno.receipt: an X report has no fiscal number (Vchasno
        # numbers Z reports only), so a done one is named by its shift instead
        # of staying "pending" (issue 13).
        res = super()._compute_display_name()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for receipt in self:
            if (
                receipt.kind in REPORT_KINDS
                and receipt.state == "done"
                and not receipt.fiscal_number
            ):
                receipt.display_name = _(
                    "%(kind)s, shift %(shift)s",
                    kind=kinds[receipt.kind],
                    shift=receipt.shift_number or "-",
                )
        return res

    def _render_report_totals(self, info):
        """Vchasno's X/Z ``info`` as tables (see the module docstring)."""
        self.ensure_one()

        def money(value):
            return format_amount(self.env, _num(value), self.currency_id)

        parts = [self._report_summary_table(info, money)]
        taxes = _dicts(info.get("taxes"))
        if taxes:
            parts.append(self._report_taxes_table(taxes, money))
        pays = _dicts(info.get("pays"))
        if pays:
            parts.append(
                _table(
                    _("By payment type"),
                    [
                        _("Payment type"),
                        _("Sales"),
                        _("Returns"),
                        _("Rounding on sales"),
                        _("Rounding on returns"),
                    ],
                    [
                        [
                            pay.get("name") or pay.get("type"),
                            money(pay.get("sum_p")),
                            money(pay.get("sum_m")),
                            money(_net_round(pay, "p")),
                            money(_net_round(pay, "m")),
                        ]
                        for pay in pays
                    ],
                )
            )
        parts.append(self._report_cash_table(info, money))
        return Markup("").join(escape(part) for part in parts)

    def _report_summary_table(self, info, money):
        counts = info.get("receipt") or {}
        summary = info.get("summary") or {}
        total = {
            sign: _num(summary.get("base_" + sign)) - _num(summary.get("disc_" + sign))
            for sign in ("p", "m")
        }
        return _table(
            _("Shift %(shift)s", shift=info.get("shift_link") or "-"),
            ["", _("Sales"), _("Returns")],
            [
                [
                    _("Receipts"),
                    int(_num(counts.get("count_p"))),
                    int(_num(counts.get("count_m"))),
                ],
                [
                    _("Amount before discounts"),
                    money(summary.get("base_p")),
                    money(summary.get("base_m")),
                ],
                [
                    _("Discounts"),
                    money(summary.get("disc_p")),
                    money(summary.get("disc_m")),
                ],
                [_("Total"), money(total["p"]), money(total["m"])],
                [
                    _("Taxes included"),
                    money(summary.get("taxex_p")),
                    money(summary.get("taxex_m")),
                ],
            ],
        )

    def _report_taxes_table(self, taxes, money):
        rows = []
        for tax in taxes:
            label = tax.get("tax_fname") or tax.get("tax_name")
            name = " ".join(str(v) for v in (tax.get("tax_lit"), label) if v)
            rows.append(
                [
                    name or str(tax.get("gr_code") or "-"),
                    money(tax.get("base_sum_p")),
                    money(tax.get("tax_sum_p")),
                    money(tax.get("ex_sum_p")),
                    money(tax.get("base_sum_m")),
                    money(tax.get("tax_sum_m")),
                    money(tax.get("ex_sum_m")),
                ]
            )
        return _table(
            _("By tax group"),
            [
                _("Tax group"),
                _("Sales"),
                _("VAT on sales"),
                _("Excise on sales"),
                _("Returns"),
                _("VAT on returns"),
                _("Excise on returns"),
            ],
            rows,
        )

    def _report_cash_table(self, info, money):
        service = _dicts(info.get("money"))
        withdrawals = _dicts(info.get("cash"))
        count_14 = int(_num((info.get("receipt") or {}).get("count_14")))
        return _table(
            _("Cash in the register"),
            [
                _("At shift start"),
                _("Service cash-in"),
                _("Service cash-out"),
                _("Cash withdrawals (%(count)s)", count=count_14),
                _("Now"),
            ],
            [
                [
                    money(info["safe_start_shift"])
                    if "safe_start_shift" in info
                    else "-",
                    money(sum(_num(m.get("sum_p")) for m in service)),
                    money(sum(_num(m.get("sum_m")) for m in service)),
                    money(sum(_num(c.get("sum_m")) for c in withdrawals)),
                    money(info.get("safe")),
                ]
            ],
        )
