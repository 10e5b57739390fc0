"""Two workers on the same queue, with real cursors and committed rows
(RELIABILITY.md §7 case 16): SKIP LOCKED gives them disjoint receipts."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from ..tools import receipt_maths as rm


@tagged("post_install", "-at_install")
class TestConcurrentClaims(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            register = env["vchasno.register"].create(
                {
                    "name": "Concurrency",
                    "api_token": "concurrency-" + uuid.uuid4().hex,
                    "tax_group_code": "1",
                }
            )
            receipts = env["vchasno.receipt"].create(
                [
                    {
                        "company_id": register.company_id.id,
                        "register_id": register.id,
                        "kind": "service_in",
                        "amount": 10.0,
                        "payload": rm.build_request(
                            rm.TASK_SERVICE_IN, tag, cash=rm.build_cash("10.00")
                        ),
                        "tag": tag,
                    }
                    for tag in (uuid.uuid4().hex, uuid.uuid4().hex)
                ]
            )
            self.register_id, self.receipt_ids = register.id, receipts.ids
            # Other cursors must see these rows: this test is about real
            # concurrent transactions, so it commits and cleans up after itself.
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._delete_committed_rows)

    def _delete_committed_rows(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM vchasno_receipt WHERE id IN %s", [tuple(self.receipt_ids)]
            )
            cr.execute("DELETE FROM vchasno_register WHERE id = %s", [self.register_id])
            # Remove the committed rows: the database is shared by the suite.
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_claim_disjoint_receipts(self):
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            first = env1["vchasno.receipt"]._claim_next(ids=self.receipt_ids)
            second = env2["vchasno.receipt"]._claim_next(ids=self.receipt_ids)
            third = env2["vchasno.receipt"]._claim_next(ids=self.receipt_ids)
            self.assertTrue(first and second)
            self.assertNotEqual(first.id, second.id)
            self.assertFalse(third, "both receipts are taken: nothing left to claim")
            # The recovery cron sees neither: both senders hold their locks.
            with self.registry.cursor() as cr3:
                cr3.execute(
                    "SELECT id FROM vchasno_receipt WHERE id IN %s "
                    "FOR UPDATE SKIP LOCKED",
                    [tuple(self.receipt_ids)],
                )
                self.assertEqual(cr3.fetchall(), [])
                cr3.rollback()
        finally:
            for cr in (cr1, cr2):
                cr.rollback()
                cr.close()
