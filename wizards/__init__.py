from . import account_payment_register
