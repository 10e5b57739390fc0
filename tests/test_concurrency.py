"""Two workers on the same queue, with real cursors and committed rows
(RELIABILITY.md §7 case 16): SKIP LOCKED gives them disjoint receipts, and a
live sender holds its receipt's row lock during the call, so recovery (which
takes only unlocked "sending" rows) never mistakes it for a dead one."""

from unittest.mock import patch

from odoo.tests import tagged

from ..tools.vchasno_client import VchasnoClient
from .real_cursors import RealCursorCase

UNLOCKED = "SELECT id FROM vchasno_receipt WHERE id IN %s FOR UPDATE SKIP LOCKED"


@tagged("post_install", "-at_install")
class TestConcurrentClaims(RealCursorCase):
    def test_two_workers_claim_disjoint_receipts(self):
        receipt_ids = [self.queue("service_in", "10.00") for _i in range(2)]
        with self.two_workers() as (env1, env2):
            first = env1["vchasno.receipt"]._claim_next(ids=receipt_ids)
            second = env2["vchasno.receipt"]._claim_next(ids=receipt_ids)
            third = env2["vchasno.receipt"]._claim_next(ids=receipt_ids)
            self.assertTrue(first and second)
            self.assertNotEqual(first.id, second.id)
            self.assertFalse(third, "both receipts are taken: nothing left to claim")
            # During the first worker's call, recovery cannot take its row;
            # the second worker's row (claimed, not being sent yet) it can.
            seen = []
            execute = VchasnoClient.execute

            def execute_and_look(client, request):
                with self.registry.cursor() as cr3:
                    cr3.execute(UNLOCKED, [tuple(receipt_ids)])
                    seen.append([row[0] for row in cr3.fetchall()])
                    cr3.rollback()
                return execute(client, request)

            with patch.object(VchasnoClient, "execute", execute_and_look):
                first._send_claimed({})
            self.assertEqual(seen, [[second.id]])
            second._send_claimed({})
        with self.cursor() as env:
            receipts = env["vchasno.receipt"].browse(receipt_ids)
            self.assertEqual(receipts.mapped("state"), ["done", "done"])
            for receipt in receipts:
                self.assertEqual(len(self.docs(receipt.tag)), 1)
