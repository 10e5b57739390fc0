"""The printable receipt page (R5.2), opened in a new browser tab.

* ``GET`` only reads: it shows the receipts, or "fiscalization pending" and
  refreshes itself every few seconds until the queue has sent them.
* ``POST`` (same address, CSRF token required) is the "print now" fast path:
  it sends the receipts still waiting, by the same code as the cron, then
  redirects to the page (``?sent=1``). The page posts its own form once, by
  itself, when it shows receipts waiting and the user may send them
  (``vchasno.access`` action "print"); after that it only refreshes, and a
  "Send now" button remains.
* At most ``MAX_RECEIPTS`` ids per address (400 beyond). An id that does not
  exist and an id the user may not read get the same 404 answer, so the
  page cannot be used to probe other companies' receipts.
"""

from odoo import http
from odoo.http import request

MAX_RECEIPTS = 50
MAX_ID = 2**31 - 1  # PostgreSQL integer: larger ids cannot exist


class VchasnoReceiptController(http.Controller):
    @http.route(
        ["/vchasno/receipt/<int:receipt_id>", "/vchasno/receipts/<string:ids>"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    def vchasno_receipt_page(self, receipt_id=None, ids=None, sent=None, **kwargs):
        parts = [str(receipt_id)] if receipt_id else (ids or "").split(",")
        if len(parts) > MAX_RECEIPTS:
            return request.make_response(
                request.env._(
                    "At most %(max)s receipts can be opened at once.",
                    max=MAX_RECEIPTS,
                ),
                headers=[("Content-Type", "text/plain; charset=utf-8")],
                status=400,
            )
        receipts = self._vchasno_receipts(parts)
        if not receipts:
            return request.not_found()
        if request.httprequest.method == "POST":
            return self._vchasno_send(receipts)
        waiting = receipts.filtered(lambda r: r.state == "to_send")
        can_send = bool(waiting) and request.env["vchasno.access"]._allowed(
            "print", receipts
        )
        pending = receipts.filtered(
            lambda r: r.state in ("to_send", "sending", "unknown")
        )
        return request.render(
            "l10n_ua_vchasno_kasa.vchasno_receipt_page",
            {
                "receipts": receipts,
                "pending": pending,
                "can_send": can_send,
                "auto_send": can_send and not sent,
                "page_url": request.httprequest.path,
            },
        )

    def _vchasno_receipts(self, parts):
        """The receipts named by ``parts``, or an empty recordset.

        Empty as soon as one id is malformed, does not exist or is not
        readable by the user: the caller answers all three with the same 404.
        """
        Receipt = request.env["vchasno.receipt"]
        try:
            id_list = list(dict.fromkeys(int(part) for part in parts))
        except ValueError:
            return Receipt
        if not id_list or not all(0 < i <= MAX_ID for i in id_list):
            return Receipt
        receipts = Receipt.browse(id_list)
        if receipts.exists() != receipts:
            return Receipt
        if receipts._filtered_access("read") != receipts:
            return Receipt
        return receipts

    def _vchasno_send(self, receipts):
        """POST: send what is waiting (checked: "print" right), back to the page."""
        request.env["vchasno.access"]._check("print", receipts)
        for receipt in receipts.filtered(lambda r: r.state == "to_send"):
            receipt._send_now()
        return request.redirect(
            request.httprequest.path + "?sent=1", code=303, local=True
        )
