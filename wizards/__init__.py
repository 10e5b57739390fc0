from . import account_payment_register
from . import vchasno_receipt_send
from . import vchasno_receipt_send_texts
from . import vchasno_cash_move
