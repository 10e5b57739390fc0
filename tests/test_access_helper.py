"""Issue 10: the access helper itself (vchasno.access) and its coverage."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_permissions import (
    ACCOUNTANT_UP,
    MATRIX,
    MODULE,
    NOT_CHECKED,
    ROLES,
    PermissionsCommon,
)


@tagged("post_install", "-at_install")
class TestAccessHelper(PermissionsCommon):
    def test_every_public_action_is_in_the_matrix(self):
        """A new ``action_*`` of the addon fails here until it is classified."""
        found = set()
        for name in self.env.registry:
            for cls in type(self.env[name]).__mro__:
                if getattr(cls, "_module", None) != MODULE:
                    continue
                found.update(
                    (name, attr) for attr in vars(cls) if attr.startswith("action_")
                )
        self.assertIn(("vchasno.receipt", "action_cancel"), found)
        self.assertEqual(found - set(MATRIX) - NOT_CHECKED, set())
        self.assertEqual(set(MATRIX) - found, set(), "stale rows in MATRIX")

    def test_matrix_actions_are_the_helper_actions(self):
        rules = self.env["vchasno.access"]._action_rules()
        used = {action for _case, action, _roles in MATRIX.values()}
        # The Point of Sale bridge, when installed, adds its own pos_*
        # actions (tested by its tests/test_pos_access.py).
        ours = {action for action in rules if not action.startswith("pos_")}
        self.assertEqual(used | {"cash_in"}, ours)

    def test_unknown_action_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            self.env["vchasno.access"].with_user(self.manager)._check("unlock_all")

    def test_superuser_code_passes(self):
        """Crons and checked sudo() calls are not refused."""
        receipt = self.receipt()
        auditor_sudo = self.env["vchasno.access"].with_user(self.auditor).sudo()
        auditor_sudo._check("cancel", receipt.with_env(auditor_sudo.env))
        with self.assertRaises(AccessError):
            auditor_sudo.sudo(False)._check("cancel", receipt)

    def test_multi_company_user_acts_only_in_selected_companies(self):
        both = new_test_user(
            self.env,
            "vk_both_companies",
            groups="account.group_account_invoice",
            company_id=self.company_b.id,
            company_ids=[Command.set((self.company | self.company_b).ids)],
        )
        receipt = self.receipt().with_user(both)
        with self.count_http() as calls, self.assertRaises(AccessError) as caught:
            receipt.with_context(
                allowed_company_ids=self.company_b.ids
            ).action_send_now()
        self.assertFalse(calls)
        self.assertIn("selected companies", str(caught.exception))
        self.assertEqual(receipt.sudo().state, "to_send")
        receipt.with_context(allowed_company_ids=self.company.ids).action_send_now()
        self.assertEqual(receipt.sudo().state, "done")

    def test_refusal_names_the_action_and_the_rights(self):
        receipt = self.receipt()
        with self.assertRaises(AccessError) as caught:
            self.as_user(receipt, "billing").action_cancel()
        message = str(caught.exception)
        self.assertIn("Cancel the receipt", message)
        self.assertIn("Show Full Accounting Features", message)
        self.assertEqual(receipt.state, "to_send")

    def test_refusal_is_translated(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(
            [MODULE], ["uk_UA"], overwrite=True
        )
        receipt = self.receipt()
        billing = self.as_user(receipt, "billing").with_context(lang="uk_UA")
        with self.assertRaises(AccessError) as caught:
            billing.action_cancel()
        message = str(caught.exception)
        self.assertNotIn("may not run", message)
        self.assertIn("Скасувати", message)

    def test_allowed_is_the_same_decision(self):
        Access = self.env["vchasno.access"]
        receipt = self.receipt()
        for role in ROLES:
            with self.subTest(role=role):
                access = self.as_user(Access, role)
                allowed = access._allowed("cancel", receipt)
                self.assertEqual(allowed, role in ACCOUNTANT_UP)

    def test_server_action_runs_the_same_check(self):
        """The Action menu route: ir.actions.server as the auditor."""
        receipt = self.receipt()
        action = self.env.ref(f"{MODULE}.action_server_payment_fiscalize")
        payment = self.payment(fiscalize=False)
        # Even with the action's group, the method refuses the auditor.
        action.sudo().groups_id = [Command.set(self.env.ref("base.group_user").ids)]
        with self.count_http() as calls, self.assertRaises(AccessError):
            action.with_user(self.auditor).with_context(
                active_model="account.payment",
                active_ids=payment.ids,
                active_id=payment.id,
            ).run()
        self.assertFalse(calls)
        self.assertEqual(payment.vchasno_state, "none")
        self.assertEqual(receipt.state, "to_send")

    def test_buttons_follow_the_matrix(self):
        """Hidden buttons are a convenience only, but they match the rule."""
        views = {
            "vchasno.receipt": ("action_send_now", "action_retry", "action_cancel"),
            "vchasno.register": ("action_open_shift", "action_check_connection"),
            "account.payment": ("action_vchasno_print", "action_vchasno_send_receipt"),
        }
        methods = {m: key for (_model, m), (_c, key, _r) in MATRIX.items()}
        for role in ("auditor", "billing", "accountant", "manager"):
            for model, buttons in views.items():
                records = self.as_user(self.env[model], role)
                arch = records.get_views([(False, "form")])["views"]["form"]["arch"]
                access = self.as_user(self.env["vchasno.access"], role)
                for button in buttons:
                    with self.subTest(role=role, button=button):
                        self.assertEqual(
                            f'name="{button}"' in arch,
                            access._allowed(methods[button]),
                        )
