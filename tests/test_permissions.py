"""Issue 10: who may do what, cell by cell of the README's role matrix.

Every public action of the addon is called through ``with_user(...)`` (the
route of RPC, server actions and buttons alike) by each role:

* auditor: ``account.group_account_readonly`` only;
* billing: ``account.group_account_invoice`` (the cashier);
* accountant: ``account.group_account_user`` (implies Invoicing, read-only);
* manager: ``account.group_account_manager`` (implies Invoicing only);
* other company: a manager of company B acting on company A's records.

An allowed cell must do its job (state changed, document issued, dialog
opened); a refused cell must raise ``AccessError`` before anything happens:
no request to Vchasno, no state changed.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import VchasnoCommon

MODULE = "l10n_ua_vchasno_kasa"
ROLES = ("auditor", "billing", "accountant", "manager", "other_company")
BILLING_UP = ("billing", "accountant", "manager")
ACCOUNTANT_UP = ("accountant", "manager")
MANAGER_ONLY = ("manager",)

B, A, M = BILLING_UP, ACCOUNTANT_UP, MANAGER_ONLY
RECEIPT, PAYMENT, MOVE = "vchasno.receipt", "account.payment", "account.move"
REGISTER, DIALOG = "vchasno.register", "vchasno.receipt.send"

#: (model, public method) -> (case, action of vchasno.access, allowed roles)
# fmt: off
MATRIX = {
    (RECEIPT, "action_send_now"): ("receipt_send_now", "send_now", B),
    (RECEIPT, "action_retry"): ("receipt_retry", "retry", B),
    (RECEIPT, "action_resend"): ("receipt_resend", "resend", B),
    (RECEIPT, "action_cancel"): ("receipt_cancel", "cancel", A),
    (PAYMENT, "action_vchasno_fiscalize"): ("payment_fiscalize", "fiscalize", B),
    (PAYMENT, "action_vchasno_retry"): ("payment_retry", "retry", B),
    (PAYMENT, "action_vchasno_print"): ("payment_print", "print", B),
    (PAYMENT, "action_vchasno_send_receipt"): ("payment_resend", "resend", B),
    (PAYMENT, "action_vchasno_issue_return"): ("payment_return", "issue_return", A),
    (MOVE, "action_vchasno_fiscalize"): ("move_fiscalize", "fiscalize", B),
    (MOVE, "action_vchasno_retry"): ("move_retry", "retry", B),
    (REGISTER, "action_open_shift"): ("open_shift", "open_shift", B),
    (REGISTER, "action_x_report"): ("x_report", "x_report", B),
    (REGISTER, "action_z_report"): ("z_report", "z_report", B),
    (REGISTER, "action_cash_in"): ("cash_in", "cash_in", B),
    (REGISTER, "action_cash_out"): ("cash_out", "cash_out", B),
    (REGISTER, "action_check_connection"): ("check_connection", "check_connection", M),
    (REGISTER, "action_check_behaviour"): ("check_behaviour", "check_behaviour", M),
    ("vchasno.cash.move", "action_confirm"): ("cash_move", "cash_out", B),
    (RECEIPT, "action_mark_issued"): ("mark_issued", "mark_issued", M),
    ("vchasno.receipt.issued", "action_confirm"): (
        "issued_confirm", "mark_issued", M,
    ),
    (DIALOG, "action_send"): ("dialog_send", "resend", B),
    (DIALOG, "action_grant_and_send"): ("dialog_consent", "consent", B),
    (PAYMENT, "action_vchasno_confirm_draft"): (
        "payment_confirm_draft", "reset_payment", B,
    ),
    (PAYMENT, "action_vchasno_confirm_cancel"): (
        "payment_confirm_cancel", "reset_payment", B,
    ),
    ("vchasno.payment.reverse", "action_confirm"): (
        "reverse_confirm", "reset_payment", B,
    ),
}
# fmt: on

#: Public methods that only open or show something (record rules and ACLs
#: decide what the user sees), and Odoo's own actions that we extend (Odoo's
#: rights apply: the receipt follows the payment).
NOT_CHECKED = {
    ("vchasno.receipt", "action_open_receipt"),
    ("vchasno.receipt", "action_open_public_url"),
    ("account.payment", "action_vchasno_view_receipts"),
    ("account.move", "action_vchasno_view_receipts"),
    ("vchasno.register", "action_view_journals"),
    ("vchasno.register", "action_view_reports"),
    ("vchasno.receipt.send", "action_download"),
    ("account.payment", "action_post"),
    ("account.payment", "action_draft"),
    ("account.payment", "action_cancel"),
    ("account.payment.register", "action_create_payments"),
    ("vchasno.register", "action_view_unmapped_taxes"),
}

#: Wizards an auditor has no ACL for: the ORM refuses before the method runs.
WIZARDS = ("vchasno.cash.move", "vchasno.receipt.send", "vchasno.payment.reverse")
#: Wizards only managers have an ACL for: the ORM refuses everybody else.
MANAGER_WIZARDS = ("vchasno.receipt.issued",)


class PermissionsCommon(VchasnoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_company_b()
        company_a = [Command.set(cls.company.ids)]
        cls.auditor = new_test_user(
            cls.env,
            "vk_auditor",
            groups="account.group_account_readonly",
            company_id=cls.company.id,
            company_ids=company_a,
        )
        cls.accountant = new_test_user(
            cls.env,
            "vk_accountant",
            groups="account.group_account_user",
            company_id=cls.company.id,
            company_ids=company_a,
        )
        cls.manager_b = new_test_user(
            cls.env,
            "vk_manager_b",
            groups="account.group_account_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.users = {
            "auditor": cls.auditor,
            "billing": cls.billing,
            "accountant": cls.accountant,
            "manager": cls.manager,
            "other_company": cls.manager_b,
        }

    def as_user(self, records, role):
        """``records`` as the web client of ``role`` would call them."""
        user = self.users[role]
        return records.with_user(user).with_context(
            allowed_company_ids=user.company_ids.ids
        )

    # === Arrange === #

    def payment(self, fiscalize=True):
        """A posted customer payment of a new invoice (with its receipt queued)."""
        invoice = self.make_invoice()
        context = {"active_model": "account.move", "active_ids": invoice.ids}
        if not fiscalize:
            context["vchasno_fiscalize"] = False
        wizard = (
            self.env["account.payment.register"]
            .with_context(**context)
            .create({"journal_id": self.cash_journal.id})
        )
        payment = wizard.with_context(dont_redirect_to_payments=True)._create_payments()
        self.assertEqual(bool(payment.vchasno_receipt_ids), fiscalize)
        return payment

    def receipt(self, state="to_send"):
        payment = self.payment()
        receipt = payment.vchasno_receipt_ids
        if state == "error":
            self.emulator.inject_fault("res_action_3")  # Vchasno refuses it
        if state != "to_send":
            self.send()
        self.assertEqual(receipt.state, state)
        return receipt

    def register_operations(self, kind):
        return self.env["vchasno.receipt"].search(
            [("register_id", "=", self.register.id), ("kind", "=", kind)]
        )


@tagged("post_install", "-at_install")
class TestRoleMatrix(PermissionsCommon):
    """One test per cell: ``test_<case>_<role>``, generated below."""

    def run_cell(self, model, method, role):
        case, action, allowed = MATRIX[(model, method)]
        records, done = getattr(self, "case_" + case)()
        self.assertEqual(records._name, model)
        target = self.as_user(records, role)
        if role in allowed:
            result = getattr(target, method)()
            records.invalidate_model()
            self.assertTrue(done(result), f"{role} could not run {model}.{method}")
            return
        with self.count_http() as calls, self.assertRaises(AccessError) as caught:
            getattr(target, method)()
        records.invalidate_model()
        self.assertFalse(calls, "refused, yet Vchasno was called")
        self.assertFalse(done(None), f"{role} changed something through {method}")
        if not ((role == "auditor" and model in WIZARDS) or model in MANAGER_WIZARDS):
            label = self.env["vchasno.access"]._action_rules()[action][1]
            self.assertIn(str(label), str(caught.exception))

    # === Cases: (records, done(result) -> bool) === #

    def case_receipt_send_now(self):
        receipt = self.receipt()
        return receipt, lambda result: receipt.state == "done"

    def case_receipt_retry(self):
        receipt = self.receipt("error")
        return receipt, lambda result: receipt.state == "to_send"

    def case_receipt_cancel(self):
        receipt = self.receipt()
        return receipt, lambda result: receipt.state == "cancelled"

    def case_receipt_resend(self):
        receipt = self.receipt("done")
        return receipt, self.opens("vchasno.receipt.send")

    def queued(self, payment):
        """Fiscalize only queues and wakes the sender (issue 12): done when
        the payment has its receipt waiting to be sent."""
        return lambda result: payment.vchasno_receipt_ids.mapped("state") == ["to_send"]

    def case_payment_fiscalize(self):
        payment = self.payment(fiscalize=False)
        return payment, self.queued(payment)

    def case_payment_retry(self):
        receipt = self.receipt("error")
        return receipt.payment_id, lambda result: receipt.state == "to_send"

    def case_payment_print(self):
        receipt = self.receipt()

        def done(result):
            return receipt.state == "done" and result["type"] == "ir.actions.act_url"

        return receipt.payment_id, done

    def case_payment_resend(self):
        receipt = self.receipt("done")
        return receipt.payment_id, self.opens("vchasno.receipt.send")

    def case_payment_return(self):
        receipt = self.receipt("done")
        return receipt.payment_id, lambda result: bool(receipt.return_receipt_ids)

    def case_move_fiscalize(self):
        payment = self.payment(fiscalize=False)
        return payment.invoice_ids, self.queued(payment)

    def case_move_retry(self):
        receipt = self.receipt("error")
        return receipt.payment_id.invoice_ids, lambda r: receipt.state == "to_send"

    def case_open_shift(self):
        return self.register, self.issued("open_shift")

    def case_x_report(self):
        self.register.action_open_shift()
        return self.register, self.issued("x_report")

    def case_z_report(self):
        self.register.action_open_shift()
        return self.register, self.issued("z_report")

    def case_cash_in(self):
        return self.register, self.opens("vchasno.cash.move")

    def case_cash_out(self):
        return self.register, self.opens("vchasno.cash.move")

    def case_check_connection(self):
        def done(result):
            return bool(result) and result["params"]["type"] == "success"

        return self.register, done

    def case_check_behaviour(self):
        # The shared register starts "proven" (tests/common.py): the check is
        # done when it wrote a newer date, not when there is one.
        register = self.register
        before = register.behaviour_checked_at
        register.invalidate_recordset()
        return register, lambda result: register.behaviour_checked_at != before

    def lost_answer(self):
        """A receipt whose answer was lost (res_action 2: "outcome unknown")."""
        payment = self.payment()
        receipt = payment.vchasno_receipt_ids
        self.emulator.inject_fault("res_action_2")
        self.send()
        self.assertEqual(receipt.state, "unknown")
        return receipt

    def case_mark_issued(self):
        receipt = self.lost_answer()
        return receipt, self.opens("vchasno.receipt.issued")

    def case_issued_confirm(self):
        receipt = self.lost_answer()
        wizard = self.env["vchasno.receipt.issued"].create(
            {"receipt_id": receipt.id, "fiscal_number": "TEST_123456"}
        )
        return wizard, lambda result: receipt.state == "done"

    def case_cash_move(self):
        self.register._service_cash("service_in", 100.0)
        wizard = self.env["vchasno.cash.move"].create(
            {"register_id": self.register.id, "kind": "service_out", "amount": 40.0}
        )
        return wizard, self.issued("service_out")

    def case_dialog_send(self):
        receipt = self.receipt("done")
        self.customer.vchasno_consent_email = True
        wizard = self.dialog(receipt)

        def done(result):
            return receipt.delivery_ids.filtered(lambda d: d.state == "sent")

        return wizard, done

    def case_dialog_consent(self):
        receipt = self.receipt("done")
        wizard = self.dialog(receipt)
        return wizard, lambda result: self.customer.vchasno_consent_email

    def case_payment_confirm_draft(self):
        receipt = self.receipt("done")
        return receipt.payment_id, self.opens("vchasno.payment.reverse")

    def case_payment_confirm_cancel(self):
        receipt = self.receipt("done")
        return receipt.payment_id, self.opens("vchasno.payment.reverse")

    def case_reverse_confirm(self):
        receipt = self.receipt("done")
        wizard = self.env["vchasno.payment.reverse"].create(
            {"payment_ids": receipt.payment_id.ids, "operation": "draft"}
        )
        return wizard, lambda result: bool(receipt.return_receipt_ids)

    # === Helpers === #

    def dialog(self, receipt):
        return self.env["vchasno.receipt.send"].create(
            {
                "receipt_ids": [Command.set(receipt.ids)],
                "use_email": True,
                "email": self.customer.email,
            }
        )

    def opens(self, model):
        return lambda result: bool(result) and result.get("res_model") == model

    def issued(self, kind):
        def done(result):
            return self.register_operations(kind).filtered(lambda r: r.state == "done")

        return done


def _cell_test(model, method, role):
    def test(self):
        self.run_cell(model, method, role)

    test.__doc__ = f"{role} calls {model}.{method}"
    return test


for (_model, _method), (_case, _action, _allowed) in MATRIX.items():
    for _role in ROLES:
        _test = _cell_test(_model, _method, _role)
        setattr(TestRoleMatrix, f"test_{_case}_{_role}", _test)
