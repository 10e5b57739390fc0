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

from .vchasno_errors import VchasnoPayloadError, _lt, translate

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

# How a receipt names each code Vchasno knows (spec §4.3, 0-20; 7, 9 and 10
# were never seen): the cabinet's Ukrainian name, which Vchasno prints, and
# an English msgid for receipts shown in another language.
CODE_NAMES = {
    0: _lt("Cash"),
    1: _lt("Cashless"),
    2: _lt("Card"),
    3: _lt("Prepayment"),
    4: _lt("Postpayment"),
    5: _lt("Credit"),
    6: _lt("Certificate"),
    8: _lt("Cheque"),
    11: _lt("Bonus points"),
    12: _lt("Credit repayment"),
    13: _lt("QR code transfer"),
    14: _lt("Card transfer"),
    15: _lt("Account transfer"),
    16: _lt("Internet acquiring"),
    17: _lt("LiqPay payment"),
    18: _lt("RozetkaPay payment"),
    19: _lt("Portmone payment"),
    20: _lt("NovaPay payment"),
}
CABINET_NAMES = {
    **dict(PAY_TYPES.values()),
    3: "Передплата",
    4: "Післяоплата",
    5: "Кредит",
    6: "Сертифікат",
    8: "Чек",
    11: "Бонусні бали",
    12: "Погашення кредиту",
}
P_OTHER_PAY_TYPE = _lt("Payment type %(code)s")


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


def pay_type_name(code, lang=None):
    """The name of payment type ``code`` on a receipt shown in ``lang``.

    Ukrainian: the cabinet's name, as Vchasno prints it (Готівка, Картка…);
    another language: its translation of our English name (English without
    ``lang``); a code nobody documented: "Payment type <code>".
    """
    try:
        code = int(code)
    except (TypeError, ValueError):
        return str(code)
    if (lang or "").startswith("uk") and code in CABINET_NAMES:
        return CABINET_NAMES[code]
    if code in CODE_NAMES:
        return translate(CODE_NAMES[code], lang)
    return translate(P_OTHER_PAY_TYPE, lang) % {"code": code}


def default_pay_type(journal_type):
    """The payment type a journal of ``journal_type`` sends by default."""
    return DEFAULT_BY_JOURNAL_TYPE.get(journal_type, DEFAULT_PAY_TYPE)
