"""Let tests reach the Vchasno emulator on loopback with the client's own timeouts.

Odoo's test cases route every ``requests`` call through
``BaseCase._request_handler``, which raises timeouts below 10 s to 10 s and
expects a number. The client's ``(connect, read)`` timeouts are part of what
is tested, so loopback requests go straight to the transport; anything else
still meets Odoo's block on external requests.
"""

from werkzeug.urls import url_parse

from odoo.tests import common


class LoopbackRequestsMixin:
    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if url_parse(r.url).host in ("127.0.0.1", "localhost"):
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)
