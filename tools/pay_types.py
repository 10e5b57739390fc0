"""Vchasno payment types: the one mapping from our choice to the wire code.

Codes and cabinet names (evidence file "More payment type codes exist"; spec
§4.3): 0-2 are confirmed by every client and Vchasno's Z-report example; the
others come from MRKV's settings list (16 is also sent by a WayForPay bridge,
17 by an OpenCart module). Every type a register receives must be enabled in
the Vchasno cabinet ("Готівка, Безготівка, Заокруглення, Картка мають бути
увімкнені", Huge Profit's help), so the cabinet name travels with the code.

Only the types that describe money received into an Odoo cash or bank journal
are offered. Передплата/Післяоплата (3, 4), Кредит (5), Сертифікат (6),
Чек (8), Бонусні бали (11) and Погашення кредиту (12) are not: they need
receipt kinds (prepayment, credit) that Odoo does not send.
"""

from .vchasno_errors import VchasnoPayloadError, _lt

PAY_CASH = 0
PAY_CASHLESS = 1
PAY_CARD = 2

# Our selection value: (Vchasno code, name of the type in the Vchasno cabinet).
PAY_TYPES = {
    "cash": (PAY_CASH, "Готівка"),
    "cashless": (PAY_CASHLESS, "Безготівка"),
    "card": (PAY_CARD, "Картка"),
    "qr_transfer": (13, "Переказ через QR-код"),
    "card_transfer": (14, "Переказ з картки"),
    "account_transfer": (15, "Переказ з поточного рахунку"),
    "internet_acquiring": (16, "Інтернет еквайринг"),
    "liqpay": (17, "Платіж LiqPay"),
    "rozetkapay": (18, "Платіж RozetkaPay"),
    "portmone": (19, "Платіж Portmone"),
    "novapay": (20, "Платіж NovaPay"),
}
# Selection of ``account.journal.vchasno_payment_type`` (labels are msgids).
PAY_TYPE_SELECTION = [
    ("cash", "Cash (Готівка)"),
    ("cashless", "Cashless (Безготівка)"),
    ("card", "Card (Картка)"),
    ("qr_transfer", "Transfer by QR code (Переказ через QR-код)"),
    ("card_transfer", "Transfer from a card (Переказ з картки)"),
    ("account_transfer", "Transfer from an account (Переказ з поточного рахунку)"),
    ("internet_acquiring", "Internet acquiring (Інтернет еквайринг)"),
    ("liqpay", "LiqPay (Платіж LiqPay)"),
    ("rozetkapay", "RozetkaPay (Платіж RozetkaPay)"),
    ("portmone", "Portmone (Платіж Portmone)"),
    ("novapay", "NovaPay (Платіж NovaPay)"),
]
# What a journal sends until someone chooses (account.journal type -> ours).
DEFAULT_BY_JOURNAL_TYPE = {"cash": "cash"}
DEFAULT_PAY_TYPE = "cashless"
# Not a payment type but a switch in the same cabinet list: needed whenever
# a receipt carries a non-zero ``round`` (Huge Profit's help).
CABINET_ROUNDING = "Заокруглення"

P_UNKNOWN_PAY_TYPE = _lt("%(value)s is not a Vchasno payment type.")


def pay_type_code(value):
    """The Vchasno ``pays[].type`` code of our selection value.

    :raise VchasnoPayloadError: unknown value
    """
    try:
        return PAY_TYPES[value][0]
    except KeyError:
        raise VchasnoPayloadError([(P_UNKNOWN_PAY_TYPE, {"value": value})]) from None


def cabinet_name(value_or_code):
    """The name of a payment type in the Vchasno cabinet (value or code)."""
    for key, (code, name) in PAY_TYPES.items():
        if value_or_code in (key, code):
            return name
    return str(value_or_code)


def default_pay_type(journal_type):
    """The payment type a journal of ``journal_type`` sends by default."""
    return DEFAULT_BY_JOURNAL_TYPE.get(journal_type, DEFAULT_PAY_TYPE)
