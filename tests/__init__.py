from . import test_install
from . import test_payment_receipts
from . import test_protocol_client
from . import test_protocol_maths
from . import test_reliability
from . import test_concurrency
