"""Transactions of the sender: who may commit, and a cursor of its own.

Rules (RELIABILITY.md §6.4, issue 12):

* The sender commits its own transactions only: the cron worker's, or a
  cursor it opened itself (``sender_env``). A request's transaction is never
  committed midway: Odoo replays a request on a serialization error, and a
  button must not half-commit what the user did.
* A test's own transaction is never committed either. Odoo's test cases
  replace ``commit`` on their cursor by a function that fails; code running
  there works in that one transaction (``commit`` is then a no-op here), while
  tests that open real cursors get real commits, as in production.
"""

import inspect
import logging
from contextlib import contextmanager

_logger = logging.getLogger(__name__)


def can_commit(cr):
    """Whether the sender may commit ``cr`` (not a test's own transaction)."""
    return inspect.ismethod(cr.commit)


def commit(env):
    """Commit the sender's transaction (no-op inside a test's transaction)."""
    if can_commit(env.cr):
        # Each call site says why it commits; this is the one place that does.
        env.cr.commit()  # pylint: disable=invalid-commit


def rollback(env):
    """Roll the sender's transaction back (no-op inside a test's transaction:
    the callers there work in savepoints)."""
    if can_commit(env.cr):
        env.cr.rollback()


@contextmanager
def sender_env(env):
    """An environment whose cursor the sender may commit, for a synchronous send.

    A request (button, page) gets a cursor of its own, committed by the sender
    and closed at the end: the request's transaction is never committed. It
    only sees what was committed before it, so the receipts it sends must be
    committed already. Inside a test's transaction it is ``env`` itself.
    """
    if not can_commit(env.cr):
        yield env
        return
    with env.registry.cursor() as cr:
        yield env(cr=cr)


def isolated(env, func, what, *args):
    """Run ``func()`` so that its failure stops nothing else (a cron's item).

    A failure is logged and its transaction rolled back; inside a test's
    transaction (nothing can be rolled back there) it is raised instead.

    :param what: log message for a failure, with ``args``
    :return: whether ``func`` succeeded
    """
    try:
        func()
    except Exception:
        if not can_commit(env.cr):
            raise
        _logger.exception(what, *args)
        rollback(env)
        return False
    return True
