"""Point of Sale actions in the one access check (``vchasno.access``).

| action | POS user | POS manager | Invoicing and up |
|---|:-:|:-:|:-:|
| ``pos_fiscal``: the ticket's fiscal data (sends a waiting receipt) | own POS | ✓ | ✓ |
| ``pos_print``: print an order's fiscal receipt (back office) | own POS | ✓ | ✓ |
| ``pos_deliver``: send it to the customer, take consent | own POS | ✓ | ✓ |
| ``pos_shift``: shift opening, service cash, Z with a session | ✓ | ✓ | – |

"Own POS": a Point of Sale user who is not a manager acts only on orders
of a Point of Sale that has a session open which they opened or sell in.
Managers and accounting users act on every order of the companies they work
in (the main check: readable records, selected companies). The shift
operations follow what the user does to the session in Odoo (open it, move
cash, close it), which Odoo allows every Point of Sale user of the company:
a second cashier of a shared session may move cash before their first sale.
"""

from odoo import _, api, models

from odoo.addons.l10n_ua_vchasno_kasa.models.vchasno_access import ACCOUNTANT, BILLING

POS_USER = ("point_of_sale.group_pos_user",)
POS_MANAGER = "point_of_sale.group_pos_manager"
OWN_POS_MODELS = ("pos.order",)


class VchasnoAccess(models.AbstractModel):
    _inherit = "vchasno.access"

    @api.model
    def _action_rules(self):
        # EXTENDS l10n_ua_vchasno_kasa: the Point of Sale's actions.
        rules = super()._action_rules()
        rules.update(
            {
                "pos_fiscal": (
                    POS_USER + BILLING,
                    _("Get the fiscal receipt of a Point of Sale order"),
                ),
                "pos_print": (
                    POS_USER + BILLING,
                    _("Print the fiscal receipt of a Point of Sale order"),
                ),
                "pos_deliver": (
                    POS_USER + BILLING,
                    _("Send a Point of Sale receipt to the customer"),
                ),
                "pos_shift": (
                    POS_USER,
                    _("Shift operations of a Point of Sale session"),
                ),
            }
        )
        return rules

    @api.model
    def _check_records(self, action, records):
        # EXTENDS l10n_ua_vchasno_kasa: Point of Sale users, own POS only.
        if not super()._check_records(action, records):
            return False
        if records._name not in OWN_POS_MODELS or self._acts_on_every_pos():
            return True
        configs = records.with_env(self.env).config_id
        return not (configs - self._own_pos_configs())

    @api.model
    def _acts_on_every_pos(self):
        user = self.env.user
        groups = (POS_MANAGER, *BILLING, *ACCOUNTANT)
        return any(user.has_group(group) for group in groups)

    @api.model
    def _own_pos_configs(self):
        """Points of Sale with a session open that the user opened or sells in."""
        uid = self.env.uid
        # sudo: the user's own open sessions, whatever the rules on sessions.
        sessions = (
            self.env["pos.session"]
            # sudo: see above (the user's own sessions only, by the domain).
            .sudo()
            .search(
                [
                    ("state", "!=", "closed"),
                    "|",
                    ("user_id", "=", uid),
                    ("order_ids.user_id", "=", uid),
                ]
            )
        )
        return sessions.config_id.with_env(self.env)
