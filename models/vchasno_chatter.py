"""Chatter of records users only read: no "Access Denied" for each opening.

Odoo's chatter asks, each time a form opens, whether the user may write the
record (``mail.thread._thread_to_store`` calls ``check_access("write")`` and
catches the error). Receipts are read-only to every group and registers to
all but managers, so every opening by a cashier or an auditor built an
access error, and building one logs "Access Denied by ACLs" at INFO, with
nothing denied to anybody. The probe is answered here from ``has_access``,
which builds no error; a real write (RPC, a form) still goes through Odoo's
own check and is refused and logged as before.
"""

from odoo import models
from odoo.exceptions import AccessError

CHATTER_PROBE = "vchasno_chatter_probe"


def _probe_refused(records, operation):
    """Whether this is the chatter's write probe, refused (no error built)."""
    return (
        operation == "write"
        and records.env.context.get(CHATTER_PROBE)
        and not records.has_access("write")
    )


def _probe_error(records):
    return AccessError(records.env._("This record is read-only for you."))


class VchasnoReceipt(models.Model):
    _inherit = "vchasno.receipt"

    def check_access(self, operation):
        # EXTENDS base: the chatter's write probe is answered without building
        # (and logging) Odoo's access error; every other check is Odoo's.
        if _probe_refused(self, operation):
            raise _probe_error(self)
        return super().check_access(operation)

    def _thread_to_store(self, store, /, **kwargs):
        # EXTENDS mail: mark the chatter's write probe (see the module doc).
        this = self.with_context(**{CHATTER_PROBE: True})
        return super(VchasnoReceipt, this)._thread_to_store(store, **kwargs)


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    def check_access(self, operation):
        # EXTENDS base: as on receipts (see the module doc).
        if _probe_refused(self, operation):
            raise _probe_error(self)
        return super().check_access(operation)

    def _thread_to_store(self, store, /, **kwargs):
        # EXTENDS mail: as on receipts.
        this = self.with_context(**{CHATTER_PROBE: True})
        return super(VchasnoRegister, this)._thread_to_store(store, **kwargs)
