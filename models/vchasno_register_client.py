"""How Odoo reaches a register: its client (the token, read here only),
the status request (task 18) and what it says about the register."""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.vchasno_client import DEFAULT_BASE_URL, VchasnoClient
from ..tools.vchasno_errors import (
    VchasnoApiError,
    VchasnoAuthError,
    VchasnoTransportError,
    describe_error,
    describe_reason,
)
from .kyiv_time import kyiv_to_utc

_logger = logging.getLogger(__name__)

API_URL_PARAM = "l10n_ua_vchasno_kasa.api_url"
TIMEOUT_PARAM = "l10n_ua_vchasno_kasa.read_timeout"
CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 30  # spec §1.3: >= 20 s for fiscal requests


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    @api.model
    def _api_url(self):
        url = (
            # sudo: a technical parameter that code reads for every user.
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(API_URL_PARAM, DEFAULT_BASE_URL)
        )
        return (url or DEFAULT_BASE_URL).rstrip("/")

    def _get_client(self, read_timeout=None):
        """A client for this register. The token is read with sudo() here only."""
        self.ensure_one()
        # sudo: the managers-only token, read here and only here, never logged.
        token = self.sudo().api_token
        if not token:
            raise UserError(
                _("The register %(name)s has no API token.", name=self.name)
            )
        if read_timeout is None:
            read_timeout = int(
                # sudo: a technical parameter that code reads for every user.
                self.env["ir.config_parameter"]
                .sudo()
                .get_param(TIMEOUT_PARAM, DEFAULT_READ_TIMEOUT)
            )
        return VchasnoClient(
            self._api_url(), token, timeout=(CONNECT_TIMEOUT, read_timeout)
        )

    def _fetch_status(self, raise_auth=False):
        """The register's status (task 18), every failure as a clear message.

        :param raise_auth: turn a refused token into a ``UserError`` too
        :return: ``VchasnoResult``
        :raise VchasnoAuthError: the token was refused (unless ``raise_auth``)
        :raise UserError: Vchasno unreachable or refusing the request
        """
        self.ensure_one()
        try:
            with self._get_client() as client:
                return client.status()
        except VchasnoAuthError as err:
            if raise_auth:
                raise UserError(self._token_refused_message()) from err
            raise
        except VchasnoTransportError as err:
            _logger.warning("Vchasno register %s unreachable: %s", self.id, err)
            raise UserError(
                _(
                    "Odoo got no answer from Vchasno.Kasa at %(url)s "
                    "(%(reason)s): check the Odoo server's internet access "
                    "(firewall, proxy) and the Vchasno address in the system "
                    "parameter %(param)s, then try again.",
                    url=self._api_url(),
                    reason=describe_reason(err, lang=self.env.lang),
                    param=API_URL_PARAM,
                )
            ) from err
        except VchasnoApiError as err:
            raise UserError(
                _(
                    "Vchasno refused the status request of %(name)s: %(error)s",
                    name=self.name,
                    error=describe_error(err, lang=self.env.lang),
                )
            ) from err

    def _token_refused_message(self):
        return _(
            "Vchasno did not accept the API token of %(name)s. Generate a new "
            "token in the register's settings in the Vchasno cabinet and paste it "
            "here; sending is paused for this register until then.",
            name=self.name,
        )

    def _store_status(self, result):
        """Write what a status answer (task 18) says about the register."""
        self.ensure_one()
        info = result.info
        shift = {0: "closed", 1: "open", 2: "locked"}.get(info.get("shift_status"))
        online = {0: "online", 1: "offline", 2: "locked"}.get(info.get("online_status"))
        sign = {0: "unused", 1: "ok", 2: "warning", 3: "error"}.get(
            info.get("sign_status")
        )
        kind = {0: "test", 1: "fiscal"}.get(info.get("isFis"), "unknown")
        vals = {
            "register_kind": kind,
            "shift_state": shift or "unknown",
            "online_state": online or "unknown",
            "sign_state": sign or "unknown",
            "last_status_at": fields.Datetime.now(),
            "auth_failed": False,
            "shift_opened_at": (
                kyiv_to_utc(result.shift_opened_at) if shift == "open" else False
            ),
        }
        if info.get("fisid"):
            vals["fiscal_id"] = str(info["fisid"])
        if result.safe is not None:
            vals["safe_amount"] = float(result.safe)
        # sudo: Vchasno's status, written by code (cashiers only read registers).
        self.sudo().write(vals)

    def _status_summary(self):
        self.ensure_one()
        sel = self._fields
        parts = [
            _(
                "Register: %(kind)s.",
                kind=dict(sel["register_kind"]._description_selection(self.env))[
                    self.register_kind
                ],
            ),
        ]
        if self.shift_state == "open" and self.shift_opened_at:
            parts.append(
                _(
                    "Shift open since %(since)s.",
                    since=fields.Datetime.context_timestamp(
                        self, self.shift_opened_at
                    ).strftime("%Y-%m-%d %H:%M"),
                )
            )
        else:
            parts.append(
                _(
                    "Shift: %(state)s.",
                    state=dict(sel["shift_state"]._description_selection(self.env))[
                        self.shift_state
                    ],
                )
            )
        parts.append(
            _(
                "Connection to the tax service: %(state)s.",
                state=dict(sel["online_state"]._description_selection(self.env))[
                    self.online_state
                ],
            )
        )
        parts.append(
            _(
                "Signing key: %(state)s.",
                state=dict(sel["sign_state"]._description_selection(self.env))[
                    self.sign_state
                ],
            )
        )
        return " ".join(parts)

    def _notify(self, title, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
