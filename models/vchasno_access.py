"""Who may do what: the one access check of every public action (issue 10).

Every public method that talks to Vchasno or changes fiscal state calls
``self.env["vchasno.access"]._check(<action>, <records>)`` as its first line,
whatever the route (button, server action, RPC, controller). A button hidden
by ``groups=`` in a view is not a check: RPC calls the method directly.

The check passes when the caller

1. has one of the action's groups (``_action_rules``; Odoo's implied groups
   count: an accountant has Invoicing, an administrator has Invoicing), and
2. may read every record the action works on, in the companies selected in
   the context (``self.env.companies``), so a user of another company, or of
   the right company that is not selected, acts on nothing.

Superuser code (crons, ``sudo()`` calls that have checked already) passes.

The role matrix this table encodes is in the README ("Who may do what").
A Point of Sale bridge adds its own actions by extending ``_action_rules``
(``super()`` then its keys) and, for "own config only" rules,
``_check_records``.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError

#: Cashier: a whole working day (sell, print, send, shift, service cash, Z).
BILLING = ("account.group_account_invoice",)
#: Accountant ("Show Full Accounting Features") and administrator: in
#: Community the administrator implies Invoicing only, so both are listed.
ACCOUNTANT = ("account.group_account_user", "account.group_account_manager")
#: Administrator: registers, tokens, and the calls that test them.
MANAGER = ("account.group_account_manager",)


class VchasnoAccess(models.AbstractModel):
    _name = "vchasno.access"
    _description = "Vchasno.Kasa access check"

    @api.model
    def _action_rules(self):
        """``{action: (groups, label)}``: any one of ``groups`` may run it."""
        return {
            "fiscalize": (BILLING, _("Fiscalize")),
            "send_now": (BILLING, _("Send now")),
            "retry": (BILLING, _("Retry fiscalization")),
            "print": (BILLING, _("Print the fiscal receipt")),
            "resend": (BILLING, _("Send the receipt to the customer")),
            "consent": (BILLING, _("Record the customer's consent")),
            "open_shift": (BILLING, _("Open shift")),
            "x_report": (BILLING, _("X report")),
            "z_report": (BILLING, _("Z report (close shift)")),
            "cash_in": (BILLING, _("Service cash-in")),
            "cash_out": (BILLING, _("Service cash-out")),
            "cancel": (ACCOUNTANT, _("Cancel the receipt")),
            "issue_return": (ACCOUNTANT, _("Issue return receipt")),
            # Odoo lets Invoicing users reset their payments; the dialog says
            # first what happens to the fiscal receipt (a return, a cancel).
            "reset_payment": (BILLING, _("Reset or cancel a fiscalized payment")),
            "check_connection": (MANAGER, _("Check connection")),
            "check_behaviour": (MANAGER, _("Check Vchasno behaviour")),
            "mark_issued": (MANAGER, _("Confirm a receipt issued in the cabinet")),
        }

    @api.model
    def _check(self, action, records=None):
        """Raise a translated ``AccessError`` unless the caller may run ``action``.

        :param str action: a key of :meth:`_action_rules`
        :param records: the records the action works on (any model)
        """
        error = self._refusal(action, records)
        if error:
            raise AccessError(error)

    @api.model
    def _allowed(self, action, records=None):
        """The same decision as :meth:`_check`, as a boolean (views, pages)."""
        return not self._refusal(action, records)

    @api.model
    def _refusal(self, action, records=None):
        """Why the caller may not run ``action`` on ``records``, or False."""
        rules = self._action_rules()
        if action not in rules:
            # A programming error, refused closed: an unknown action is no one's.
            raise ValueError(f"unknown Vchasno action {action!r}")
        groups, label = rules[action]
        if self.env.su:
            return False
        user = self.env.user
        if not any(user.has_group(group) for group in groups):
            return _(
                "%(user)s may not run “%(action)s”: it needs one of these access "
                "rights: %(groups)s.",
                user=user.name,
                action=label,
                groups=", ".join(self.env.ref(group).name for group in groups),
            )
        if records is not None and not self._check_records(action, records):
            return _(
                "“%(action)s” refused: some of these records are not visible to "
                "you in the selected companies.",
                action=label,
            )
        return False

    @api.model
    def _check_records(self, action, records):
        """True when the caller may act on ``records`` (readable, own company).

        The record rules already hide other companies' records; the company is
        compared again for models without such a rule.
        """
        records = records.with_env(self.env)
        if records != records._filtered_access("read"):
            return False
        if "company_id" in records._fields:
            companies = records.mapped("company_id")
            if companies - self.env.companies:
                return False
        return True
