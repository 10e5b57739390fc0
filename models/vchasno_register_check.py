"""The "Check Vchasno behaviour" action: what a test register really does.

The protocol reference leaves a few points unverified (spec §9.1, §11.2):
whether Vchasno deduplicates a repeated request ``tag``, whether a search by
``tag`` (``type: 0``) works on the cloud API and what it answers for an
unknown tag, and whether the receipt JSON look-up (``check-task``) works. This
action asks a **test** register (never a fiscal one: it issues real
documents) and stores the answers on the register, with a readable report.

How the addon uses the answers: the sender never relies on tag deduplication.
Whatever ``repeat_tag_behaviour`` says, a receipt whose answer was lost is
first looked up by its tag (``vchasno.receipt._reconcile``) and sent again
only when Vchasno says it does not know that tag; a second send of a known
tag never happens. So "Issues a second document" is the safe assumption the
addon already makes before any check has run. ``_vchasno_trusts_tag_search``
tells the sender whether "not found" can be believed; it is True until a
check proved otherwise.

Every sale the check issues is returned (task 2, same rows) so that the test
register's totals are balanced again. Phone formats are not probed: Odoo
always sends ``+380XXXXXXXXX`` (``tools.contacts.normalize_phone``), the form
the spec documents.
"""

import logging
import uuid
from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools import receipt_maths as rm
from ..tools.vchasno_errors import (
    TAG_NOT_FOUND_RES,
    VchasnoApiError,
    VchasnoError,
    describe_error,
)

_logger = logging.getLogger(__name__)

CHECK_AMOUNT = Decimal("1.00")  # UAH; the smallest amount that reads as a test
CHECK_TAG_PREFIX = "odoo-check-"


class VchasnoRegister(models.Model):
    _inherit = "vchasno.register"

    # Until a check has run, the addon follows the safe default: never assume
    # that Vchasno deduplicates a repeated tag (see the module docstring).
    repeat_tag_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("return_stored", "Returns the stored receipt"),
            ("new_document", "Issues a second document"),
            ("refused", "Refuses the repeated request"),
        ],
        string="Repeated request tag",
        default="unknown",
        readonly=True,
        copy=False,
        help="What the register did when the same request (same tag) was sent "
        "twice. Odoo never relies on it: a receipt whose answer was lost is looked "
        "up by its tag before it is sent again.",
    )
    tag_search_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("works", "Works"),
            ("partial", "Finds known tags only"),
            ("unsupported", "Unsupported"),
        ],
        string="Search by tag",
        default="unknown",
        readonly=True,
        copy=False,
        help="Whether Vchasno finds an earlier request by its tag, and answers "
        "'not found' for a tag it does not know. Odoo uses the search to settle "
        "receipts whose answer was lost.",
    )
    receipt_json_behaviour = fields.Selection(
        [
            ("unknown", "Not checked"),
            ("works", "Works"),
            ("unsupported", "Unsupported"),
        ],
        string="Receipt JSON look-up",
        default="unknown",
        readonly=True,
        copy=False,
    )
    behaviour_checked_at = fields.Datetime(readonly=True, copy=False)
    behaviour_report = fields.Text(readonly=True, copy=False)

    # === Actions === #

    def action_check_behaviour(self):
        """Run a tiny sale, repeat it, look it up, return it; store the answers.

        Test registers only. Issues real (test) documents, so managers only.
        """
        self.env["vchasno.access"]._check("check_behaviour", self)
        self.ensure_one()
        self.check_access("write")
        self._check_behaviour_allowed()
        lines, vals = [], {}
        tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
        request = self._check_sale_request(tag)
        with self._get_client() as client:
            try:
                first = client.execute(request)
            except VchasnoError as err:
                raise UserError(
                    _(
                        "The test sale was not accepted, nothing was checked "
                        "(request tag %(tag)s): %(error)s",
                        tag=tag,
                        error=describe_error(err, lang=self.env.lang),
                    )
                ) from err
            doccodes = [first.doccode]
            lines.append(
                _(
                    "Test sale %(doccode)s issued (tag %(tag)s).",
                    doccode=first.doccode,
                    tag=tag,
                )
            )
            vals["repeat_tag_behaviour"] = self._check_repeat(
                client, request, doccodes, lines
            )
            vals["tag_search_behaviour"] = self._check_tag_search(
                client, tag, doccodes, lines
            )
            vals["receipt_json_behaviour"] = self._check_receipt_json(
                client, first.doccode, lines
            )
            lines.append(
                _(
                    "Phone formats: not probed; Odoo always sends the +380XXXXXXXXX "
                    "form."
                )
            )
            self._check_return_sales(client, request, doccodes, lines)
        vals.update(
            behaviour_checked_at=fields.Datetime.now(),
            behaviour_report="\n".join(str(line) for line in lines),
        )
        self.write(vals)  # managers only (vchasno.access): no sudo needed
        _logger.info(
            "Vchasno register %s behaviour: repeated tag %s, tag search %s, "
            "receipt JSON %s",
            self.id,
            vals["repeat_tag_behaviour"],
            vals["tag_search_behaviour"],
            vals["receipt_json_behaviour"],
        )
        self.message_post(body=_("Vchasno behaviour checked."))
        return self._notify(_("Vchasno behaviour checked"), vals["behaviour_report"])

    # === Helpers === #

    def _vchasno_trusts_tag_search(self):
        """Whether "no document with this tag" from a search can be believed.

        True until a check showed that the search misses known tags or answers
        something else than "not found" for unknown ones.
        """
        self.ensure_one()
        return self.tag_search_behaviour not in ("partial", "unsupported")

    def _check_behaviour_allowed(self):
        """Refuse anything but a test register; ask Vchasno first if unknown."""
        if self.register_kind == "unknown":
            self._store_status(self._fetch_status(raise_auth=True))
        if self.register_kind != "test":
            raise UserError(
                _(
                    "The behaviour check issues real documents, so it runs on test "
                    "registers only; %(name)s is not a test register.",
                    name=self.name,
                )
            )

    def _check_sale_request(self, tag):
        row = rm.Row(
            name=_("Odoo integration check"),
            qty=Decimal(1),
            price=CHECK_AMOUNT,
            tax_group=(self.tax_group_code or "").strip(),
        )
        receipt = rm.build_receipt([row], [rm.Pay(rm.PAY_CASHLESS, CHECK_AMOUNT)])
        return rm.build_request(
            rm.TASK_SALE, tag, cashier=self.env.user.name, receipt=receipt
        )

    def _check_repeat(self, client, request, doccodes, lines):
        """Send the very same request again; note whether a 2nd sale exists."""
        try:
            again = client.execute(request)
        except VchasnoApiError as err:
            lines.append(
                _(
                    "Repeated tag: refused (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "refused"
        except VchasnoError as err:
            lines.append(
                _(
                    "Repeated tag: no answer (%(error)s); a second document may "
                    "exist, check the Vchasno cabinet.",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unknown"
        if again.doccode == doccodes[0]:
            lines.append(_("Repeated tag: Vchasno returned the stored receipt."))
            return "return_stored"
        doccodes.append(again.doccode)
        lines.append(
            _(
                "Repeated tag: Vchasno issued a second document %(doccode)s.",
                doccode=again.doccode,
            )
        )
        return "new_document"

    def _check_tag_search(self, client, tag, doccodes, lines):
        try:
            found = client.find_by_tag(tag)
        except VchasnoError as err:
            lines.append(
                _(
                    "Search by tag: failed (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unsupported"
        if found is None or found.doccode not in doccodes:
            lines.append(_("Search by tag: the test sale was not found."))
            return "unsupported"
        lines.append(_("Search by tag: the test sale was found."))
        unknown_tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
        try:
            missing = client.find_by_tag(unknown_tag)
        except VchasnoError as err:
            lines.append(
                _(
                    "Search by tag: an unknown tag did not give the expected "
                    "'not found' (code %(code)s) but: %(error)s",
                    code=TAG_NOT_FOUND_RES,
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "partial"
        if missing is not None:
            lines.append(_("Search by tag: an unknown tag returned a document."))
            return "partial"
        lines.append(_("Search by tag: an unknown tag is reported as not found."))
        return "works"

    def _check_receipt_json(self, client, doccode, lines):
        try:
            stored = client.get_receipt_json(doccode)
        except VchasnoError as err:
            lines.append(
                _(
                    "Receipt JSON look-up: failed (%(error)s).",
                    error=describe_error(err, lang=self.env.lang),
                )
            )
            return "unsupported"
        if not stored or stored.get("fiscal_number") != doccode:
            lines.append(_("Receipt JSON look-up: the test sale was not found."))
            return "unsupported"
        lines.append(_("Receipt JSON look-up: the test sale was found."))
        return "works"

    def _check_return_sales(self, client, request, doccodes, lines):
        """Return every sale the check issued, so the register is balanced."""
        receipt = request["fiscal"]["receipt"]
        for doccode in doccodes:
            tag = CHECK_TAG_PREFIX + uuid.uuid4().hex
            ret = rm.build_request(
                rm.TASK_RETURN, tag, cashier=self.env.user.name, receipt=receipt
            )
            try:
                result = client.execute(ret)
            except VchasnoError as err:
                lines.append(
                    _(
                        "Sale %(doccode)s could NOT be returned (tag %(tag)s): "
                        "%(error)s. Return it in the Vchasno cabinet.",
                        doccode=doccode,
                        tag=tag,
                        error=describe_error(err, lang=self.env.lang),
                    )
                )
                continue
            lines.append(
                _(
                    "Sale %(doccode)s returned by %(return_doccode)s.",
                    doccode=doccode,
                    return_doccode=result.doccode,
                )
            )
