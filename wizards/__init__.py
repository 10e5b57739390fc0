from . import account_payment_register
from . import account_payment_register_tax
from . import vchasno_receipt_send
from . import vchasno_receipt_send_texts
from . import vchasno_cash_move
from . import vchasno_receipt_issued
from . import vchasno_payment_reverse
