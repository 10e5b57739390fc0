"""X/Z report totals (spec §5.4) shown readably on the report receipt."""

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.tools import format_amount

REPORT_KINDS = ("x_report", "z_report")


def _num(value):
    try:
        return float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0


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

    def _render_report_totals(self, info):
        """Vchasno's X/Z ``info`` as tables: totals, tax groups, payments, cash."""
        self.ensure_one()

        def money(value):
            return format_amount(self.env, _num(value), self.currency_id)

        counts = info.get("receipt") or {}
        summary = info.get("summary") or {}
        parts = [
            _table(
                _("Shift %(shift)s", shift=info.get("shift_link") or "-"),
                ["", _("Sales"), _("Returns")],
                [
                    [
                        _("Receipts"),
                        int(_num(counts.get("count_p"))),
                        int(_num(counts.get("count_m"))),
                    ],
                    [
                        _("Amount"),
                        money(summary.get("base_p")),
                        money(summary.get("base_m")),
                    ],
                    [
                        _("Discounts"),
                        money(summary.get("disc_p")),
                        money(summary.get("disc_m")),
                    ],
                    [
                        _("Total"),
                        money(summary.get("calc_p")),
                        money(summary.get("calc_m")),
                    ],
                ],
            )
        ]
        taxes = [t for t in info.get("taxes") or [] if isinstance(t, dict)]
        if taxes:
            parts.append(
                _table(
                    _("By tax group"),
                    [
                        _("Tax group"),
                        _("Rate"),
                        _("Sales"),
                        _("Tax on sales"),
                        _("Returns"),
                        _("Tax on returns"),
                    ],
                    [
                        [
                            " ".join(
                                str(v)
                                for v in (
                                    tax.get("tax_lit"),
                                    tax.get("tax_fname") or tax.get("tax_name"),
                                )
                                if v
                            ),
                            "%s%%" % _num(tax.get("tax_percent")),
                            money(tax.get("base_sum_p")),
                            money(
                                _num(tax.get("tax_sum_p")) + _num(tax.get("ex_sum_p"))
                            ),
                            money(tax.get("base_sum_m")),
                            money(
                                _num(tax.get("tax_sum_m")) + _num(tax.get("ex_sum_m"))
                            ),
                        ]
                        for tax in taxes
                    ],
                )
            )
        pays = [
            p
            for p in info.get("pays") or info.get("money") or []
            if isinstance(p, dict)
        ]
        if pays:
            parts.append(
                _table(
                    _("By payment type"),
                    [_("Payment type"), _("Sales"), _("Returns")],
                    [
                        [
                            pay.get("name") or pay.get("type"),
                            money(pay.get("sum_p")),
                            money(pay.get("sum_m")),
                        ]
                        for pay in pays
                    ],
                )
            )
        cash = next((c for c in info.get("cash") or [] if isinstance(c, dict)), {})
        parts.append(
            _table(
                _("Cash in the register"),
                [
                    _("At shift start"),
                    _("Service cash-in"),
                    _("Service cash-out"),
                    _("Now"),
                ],
                [
                    [
                        money(info.get("safe_start_shift")),
                        money(cash.get("sum_p")),
                        money(cash.get("sum_m")),
                        money(info.get("safe")),
                    ]
                ],
            )
        )
        return Markup("").join(escape(part) for part in parts)
