"""Why a payload is refused before sending: the texts (msgids, in uk.po).

Each is ``(template, params)`` in ``VchasnoPayloadError`` so that the message
is translated where it is shown (``vchasno_errors.describe_error``).
"""

from .vchasno_errors import _lt

P_NO_ROWS = _lt("The receipt has no rows.")
P_TOO_MANY_ROWS = _lt("The receipt has more than %(max)s rows.")
P_NO_PAYS = _lt("The receipt has no payments.")
P_NAME_EMPTY = _lt("Row %(row)s has no name.")
P_NAME_LONG = _lt("Row %(row)s: the name is longer than %(max)s characters.")
P_QTY = _lt(
    "Row %(row)s: the quantity %(value)s must be positive with at most 3 decimals."
)
P_PRICE = _lt(
    "Row %(row)s: the price %(value)s must not be negative and have at most 2 decimals."
)
P_ROW_DISC = _lt("Row %(row)s: the discount %(value)s must have at most 2 decimals.")
P_ROW_TOTAL = _lt("Row %(row)s: the amount after discount must be positive.")
P_TAX_GROUP = _lt("Row %(row)s has no Vchasno tax group.")
P_TAX_GROUP_NUMBER = _lt(
    "Row %(row)s: the Vchasno tax group %(value)s is not a number; use the code "
    "from the Vchasno cabinet."
)
P_UKTZED = _lt("Row %(row)s: the UKTZED code is longer than %(max)s characters.")
P_PAY_TYPE = _lt("Payment %(pay)s has an invalid payment type.")
P_PAY_AMOUNT = _lt(
    "Payment %(pay)s: the amount %(value)s must be positive with at most 2 decimals."
)
P_PAY_CHANGE = _lt(
    "Payment %(pay)s: change is only possible for cash and must not be negative."
)
P_DISC = _lt(
    "The receipt discount %(value)s must not be negative, must have at most "
    "2 decimals and must be less than the total."
)
P_ROUND = _lt(
    "The rounding %(value)s needs a cash payment, at most 2 decimals and must "
    "be smaller than %(max)s."
)
P_ROUND_OFF = _lt(
    "The receipt has a cash rounding of %(value)s, but cash rounding is switched "
    "off in the Vchasno.Kasa settings of the company."
)
P_ROUND_STEP = _lt(
    "The rounding %(value)s leaves %(cash)s to pay in cash, which is not a "
    "multiple of the rounding step %(step)s of the Vchasno.Kasa settings."
)
P_PAYS_TOTAL = _lt(
    "The payments (%(pays)s) do not equal the total %(total)s minus the "
    "discount %(disc)s plus the rounding %(round)s."
)
P_COMMENT = _lt("A comment is longer than %(max)s characters.")
P_TAG = _lt("The request tag must be a non-empty text of at most %(max)s characters.")
P_TASK_BODY = _lt("Operation %(task)s needs %(body)s.")
P_CASH_AMOUNT = _lt("The amount %(value)s must be positive with at most 2 decimals.")
