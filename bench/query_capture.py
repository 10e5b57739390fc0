"""The SQL statements a piece of Odoo code runs, to compare two of them.

``capture_queries(func)`` listens to ``odoo.sql_db``'s debug log while
``func`` runs and returns each statement with its numbers, savepoint names
and UUID values blanked, so that the same query of two runs compares equal
(the benches diff integration off vs on with ``collections.Counter``).
"""

import logging
import re

UUID_RE = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"


def capture_queries(func):
    """The SQL statements ``func`` runs (numbers blanked), via sql_db's log."""
    queries = []

    class Capture(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if "query: " in message:
                text = " ".join(message.split("query: ", 1)[1].split())
                # Savepoint names ("<uuid>") and UUID values ('<uuid>'): a
                # query that differs only by them is the same query.
                text = re.sub(r'"%s"' % UUID_RE, "X", text)
                text = re.sub(r"'%s'" % UUID_RE, "'U'", text)
                queries.append(re.sub(r"\b\d+\b", "N", text)[:200])

    logger = logging.getLogger("odoo.sql_db")
    handler, level, propagate = Capture(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        func()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    return queries
