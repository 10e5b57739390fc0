"""Part of "Check Vchasno behaviour": does the cabinet accept what Odoo sends?

Every payment type a register receives, and Заокруглення for a non-zero
``round``, must be enabled in the Vchasno cabinet (evidence file: Huge
Profit's help "Готівка, Безготівка, Заокруглення, Картка мають бути
увімкнені"; what a register without them answers is not documented, so a
refusal of any code is read as "not enabled"). On a test register the check
sells 1.00 UAH by card, by every other payment type the register's journals
use, and in cash with a rounding made by the company's own rounding rule;
every sale is returned afterwards (``_check_return_sales``).
"""

import uuid
from decimal import Decimal

from odoo import _, fields, models

from ..tools import receipt_maths as rm
from ..tools.pay_types import CABINET_ROUNDING, cabinet_name, pay_type_code
from ..tools.vchasno_errors import VchasnoApiError, VchasnoError, describe_error
from .vchasno_register_check import CHECK_AMOUNT, CHECK_TAG_PREFIX

PROBE_RESULTS = [
    ("unknown", "Not checked"),
    ("accepted", "Accepted"),
    ("refused", "Refused: enable it in the cabinet"),
]
# Cash amounts tried for the rounding sale: the first that the company's step
# rounds to something below its limit is sold.
ROUNDING_PRICES = [Decimal("1.00") + Decimal(k) / 100 for k in range(1, 10)]


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    card_payment_behaviour = fields.Selection(
        PROBE_RESULTS,
        string="Card payments (Картка)",
        default="unknown",
        readonly=True,
        copy=False,
    )
    rounding_behaviour = fields.Selection(
        [*PROBE_RESULTS, ("off", "Not checked: cash rounding is off")],
        string="Cash rounding (Заокруглення)",
        default="unknown",
        readonly=True,
        copy=False,
    )
    pay_types_refused = fields.Char(
        string="Payment types refused",
        readonly=True,
        copy=False,
        help="Payment types the test register refused during the last check: "
        "enable them in the Vchasno cabinet.",
    )

    def _check_cabinet(self, client, lines, to_return):
        """Sell by card, by the journals' other types, in cash with rounding.

        :param to_return: accepted sales are appended, to be returned
        :return: values to write on the register
        """
        self.ensure_one()
        others = set(self.journal_ids.mapped("vchasno_payment_type"))
        values = ["card"] + sorted(others - {"cash", "cashless", "card"})
        vals, refused = {}, []
        for value in values:
            name = cabinet_name(value)
            outcome = self._probe_sale(
                client,
                [rm.Pay(pay_type_code(value), CHECK_AMOUNT)],
                _("Sale paid by %(type)s", type=name),
                name,
                lines,
                to_return,
            )
            if value == "card":
                vals["card_payment_behaviour"] = outcome
            if outcome == "refused":
                refused.append(name)
        vals["rounding_behaviour"] = outcome = self._probe_rounding(
            client, lines, to_return
        )
        if outcome == "refused":
            refused.append(CABINET_ROUNDING)
        vals["pay_types_refused"] = ", ".join(refused) or False
        return vals

    def _probe_rounding(self, client, lines, to_return):
        """A cash sale whose ``round`` follows the company's rounding rule."""
        rule = self.company_id._vchasno_rounding_rule()
        cash_name = cabinet_name("cash")
        if not rule["max_abs_round"]:
            self._probe_sale(
                client,
                [rm.Pay(rm.PAY_CASH, CHECK_AMOUNT)],
                _("Cash sale (cash rounding is off in the settings)"),
                cash_name,
                lines,
                to_return,
            )
            return "off"
        for price in ROUNDING_PRICES:
            rounding = rm.cash_rounding(price, rule["round_step"])
            if rounding and abs(rounding) < rule["max_abs_round"]:
                break
        else:
            lines.append(
                _(
                    "Cash rounding: not checked, the rounding step of the settings "
                    "never rounds a small amount."
                )
            )
            return "unknown"
        return self._probe_sale(
            client,
            [rm.Pay(rm.PAY_CASH, price + rounding)],
            _(
                "Cash sale of %(amount)s with rounding %(round)s",
                amount=price,
                round=rounding,
            ),
            "%s, %s" % (cash_name, CABINET_ROUNDING),
            lines,
            to_return,
            price=price,
            rounding=rounding,
            rule=rule,
        )

    def _probe_sale(
        self, client, pays, what, setting, lines, to_return, price=CHECK_AMOUNT, **kw
    ):
        """Sell one row of ``price``; return ``accepted``/``refused``/``unknown``."""
        tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
        receipt = rm.build_receipt(
            [self._check_row(price)],
            pays,
            rounding=kw.get("rounding", Decimal(0)),
            **kw.get("rule", {}),
        )
        request = rm.build_request(
            rm.TASK_SALE, tag, cashier=self.env.user.name, receipt=receipt
        )
        try:
            result = client.execute(request)
        except VchasnoApiError as err:
            lines.append(
                _(
                    "%(what)s: Vchasno refused it (%(error)s). Enable %(setting)s "
                    "for this register in the Vchasno cabinet.",
                    what=what,
                    error=describe_error(err, lang=self.env.lang),
                    setting=setting,
                )
            )
            return "refused"
        except VchasnoError as err:
            lines.append(
                _(
                    "%(what)s: no answer (%(error)s); a test sale may exist under "
                    "the tag %(tag)s, check the Vchasno cabinet.",
                    what=what,
                    error=describe_error(err, lang=self.env.lang),
                    tag=tag,
                )
            )
            return "unknown"
        to_return.append((result.doccode, receipt))
        lines.append(
            _("%(what)s: accepted (%(doccode)s).", what=what, doccode=result.doccode)
        )
        return "accepted"
