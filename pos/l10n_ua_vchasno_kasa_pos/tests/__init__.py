from . import test_pos_maths
from . import test_pos_orders
from . import test_pos_rows
from . import test_pos_flows
from . import test_pos_session
from . import test_pos_access
from . import test_pos_tours
from . import test_pos_demo
