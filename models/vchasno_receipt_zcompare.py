"""Our receipts of a shift against Vchasno's Z report (issue 13, point 10).

On an issued Z report: the sale and return receipts we issued on that
register in that shift (same ``shift_number``), added up from their frozen
requests by payment type (``pays[].type``) and by tax group (``rows[].taxgrp``,
net of row discounts, the whole-receipt discount spread over the rows), next
to the Z report's ``pays[]`` (``sum_p``/``sum_m``) and ``taxes[]``
(``base_sum_p``/``base_sum_m``). A line that differs by a cent or more is
highlighted: a receipt issued in the cabinet only, a lost answer settled by
hand, a sale of the POS… Service cash-in/out is not a sale (it is in the Z
report's own "cash" table).
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import float_is_zero, format_amount

from ..tools.pay_types import pay_type_name
from .vchasno_receipt_report import _dicts, _num


def _row_values(body):
    """``[(taxgrp, net value)]`` of a receipt's rows, its discount spread."""
    rows = [row for row in body.get("rows") or [] if isinstance(row, dict)]
    values = [
        round(_num(r.get("cnt")) * _num(r.get("price")), 2) - _num(r.get("disc"))
        for r in rows
    ]
    disc, total = _num(body.get("disc")), sum(values)
    if disc and total:
        shares = [round(disc * v / total, 2) for v in values]
        if shares:
            shares[-1] = round(disc - sum(shares[:-1]), 2)
        values = [v - s for v, s in zip(values, shares, strict=True)]
    return [(str(r.get("taxgrp", "")), v) for r, v in zip(rows, values, strict=True)]


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    z_comparison_html = fields.Html(
        string="Our receipts against the Z report",
        compute="_compute_z_comparison",
        sanitize=False,
    )
    z_difference = fields.Boolean(
        string="Differs from our receipts",
        compute="_compute_z_comparison",
        help="The Z report's totals differ from the receipts we issued in that shift.",
    )

    @api.depends("kind", "state", "report_totals", "shift_number")
    def _compute_z_comparison(self):
        for receipt in self:
            if receipt.kind == "z_report" and receipt.state == "done":
                lines = receipt._z_comparison()
                receipt.z_comparison_html = receipt._z_comparison_table(lines)
                receipt.z_difference = any(line[-1] for line in lines)
            else:
                receipt.z_comparison_html = False
                receipt.z_difference = False

    def _z_shift_receipts(self):
        """Our sale and return receipts issued in this Z report's shift."""
        self.ensure_one()
        if not self.shift_number:
            return self.browse()
        return self.search(
            [
                ("register_id", "=", self.register_id.id),
                ("shift_number", "=", self.shift_number),
                ("kind", "in", ("sale", "return")),
                ("state", "=", "done"),
            ]
        )

    def _z_comparison(self):
        """``[(section, label, ours_p, z_p, ours_m, z_m, differs)]``."""
        self.ensure_one()
        ours = {
            "pay": defaultdict(lambda: [0.0, 0.0]),
            "tax": defaultdict(lambda: [0.0, 0.0]),
        }
        for receipt in self._z_shift_receipts():
            body = ((receipt.payload or {}).get("fiscal") or {}).get("receipt") or {}
            side = 0 if receipt.kind == "sale" else 1
            for pay in _dicts(body.get("pays")):
                ours["pay"][str(pay.get("type"))][side] += _num(pay.get("sum"))
            for group, value in _row_values(body):
                ours["tax"][group][side] += value
        info = self.report_totals or {}
        theirs = {"pay": {}, "tax": {}}
        for pay in _dicts(info.get("pays")):
            theirs["pay"][str(pay.get("type"))] = (
                _num(pay.get("sum_p")),
                _num(pay.get("sum_m")),
            )
        for tax in _dicts(info.get("taxes")):
            theirs["tax"][str(tax.get("gr_code"))] = (
                _num(tax.get("base_sum_p")),
                _num(tax.get("base_sum_m")),
            )
        rounding = self.currency_id.rounding or 0.01
        lang = self.env.lang
        lines = []
        for section in ("pay", "tax"):
            for key in sorted(set(ours[section]) | set(theirs[section])):
                mine = ours[section].get(key, [0.0, 0.0])
                z = theirs[section].get(key, (0.0, 0.0))
                label = (
                    pay_type_name(key, lang)
                    if section == "pay"
                    else _("Tax group %(code)s", code=key)
                )
                differs = not (
                    float_is_zero(mine[0] - z[0], precision_rounding=rounding)
                    and float_is_zero(mine[1] - z[1], precision_rounding=rounding)
                )
                lines.append((section, label, mine[0], z[0], mine[1], z[1], differs))
        return lines

    def _z_comparison_table(self, lines):
        def money(value):
            return format_amount(self.env, value, self.currency_id)

        header = Markup("").join(
            Markup("<th>%s</th>") % cell
            for cell in (
                "",
                _("Our sales"),
                _("Z report sales"),
                _("Our returns"),
                _("Z report returns"),
            )
        )
        body = Markup("")
        titles = {"pay": _("By payment type"), "tax": _("By tax group")}
        for section in ("pay", "tax"):
            body += (
                Markup('<tr class="table-active"><th colspan="5">%s</th></tr>')
                % (titles[section])
            )
            for line in (line for line in lines if line[0] == section):
                cls = (
                    Markup(' class="table-danger o_vk_differs"')
                    if line[6]
                    else Markup("")
                )
                body += Markup("<tr%s><td>%s</td>%s</tr>") % (
                    cls,
                    line[1],
                    Markup("").join(
                        Markup("<td>%s</td>") % money(v) for v in line[2:6]
                    ),
                )
        return Markup(
            '<table class="table table-sm o_vchasno_z_compare">'
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (header, body)
