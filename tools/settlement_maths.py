"""What a payment settled of each tax group of each document (pure maths).

A receipt for an invoice payment must say, per Vchasno tax group, exactly what
the payment settled, to the kopeck. The Odoo layer reads the reconciliation
(what the payment settled of each invoice, which credit notes were netted
against it) and passes plain numbers here; this module does the money maths
with ``Decimal`` only and never rounds a total away.

Vocabulary:

* a *shape* is ``{tax group: amount}``: a document's tax-included value per
  Vchasno tax group, in company currency, insertion-ordered;
* a document's lines are ``(tax group, amount)`` pairs signed the way the
  document reads: on an invoice the goods are positive and discount or
  down-payment lines negative; on a credit note the returned goods are
  positive;
* *netting* adds a document's lines inside their own tax group only: a
  negative line never reduces another group.

The steps (``settled_shares``):

1. each document's lines are netted per group, then scaled to the document's
   total in company currency (``document_shape``): this converts a foreign
   currency document and spreads an Odoo cash-rounding difference over the
   groups in proportion, exactly (largest remainder);
2. every credit note reconciled with the document takes its share off the
   document's groups (``split`` of the credit note's shape by the amount
   reconciled);
3. Odoo pairs credit notes with whichever invoice of the batch comes first,
   not with the invoice they correct, so one invoice can be left with a
   negative group while another of the same payment still holds it:
   ``rebalance`` moves value between the documents of the payment, keeping
   every document's total and every group's total, until no group of any
   document is negative (refused if a group is negative over the payment);
4. the amount the payment settled of each document is split over its open
   shape in proportion (``split``): the parts add up exactly to it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .receipt_maths import KOPECK, allocate, to_decimal
from .vchasno_errors import VchasnoPayloadError, _lt

ZERO = Decimal("0.00")

P_NEGATIVE_GROUP = _lt(
    "%(document)s: tax group %(group)s adds up to %(amount)s after its negative "
    "lines (discounts, down-payment deductions). A receipt cannot carry a "
    "negative tax group: put the discount or deduction on a line with the same "
    "tax as the goods it reduces."
)
P_CREDIT_EXCEEDS = _lt(
    "The credit notes netted in this payment take %(amount)s more of tax group "
    "%(group)s than its invoices contain. A receipt cannot carry a negative tax "
    "group: reconcile the credit note with the invoice it corrects."
)
P_NO_GOODS = _lt("%(document)s has no lines with an amount to put on a receipt.")
P_DOCUMENT_EXCEEDED = _lt(
    "%(document)s: the credit notes netted against it exceed it by %(amount)s."
)
P_NOTHING_OPEN = _lt(
    "%(document)s: the payment settles %(amount)s of it, but nothing of it is "
    "left open after its credit notes."
)


@dataclass
class Document:
    """An invoice or credit note as the maths needs it.

    :param key: opaque identity handed back with the result (e.g. a record id)
    :param name: printed in error messages
    :param total: the document's total in company currency (its receivable)
    :param lines: ``[(tax group, signed tax-included amount)]`` in the
        document's currency
    """

    key: object
    name: str
    total: Decimal
    lines: list = field(default_factory=list)


@dataclass
class Settlement:
    """What one payment settled of one document.

    :param settled: amount settled by this payment, company currency
    :param credits: ``[(Document, amount reconciled with this document)]`` for
        the opposite documents netted against it (credit notes against an
        invoice, invoices against a credit note)
    """

    document: Document
    settled: Decimal
    credits: list = field(default_factory=list)


# === Shapes === #


def net_by_group(lines):
    """``{group: sum}`` of ``(group, amount)`` pairs, in first-seen order."""
    shape = {}
    for group, amount in lines:
        shape[group] = shape.get(group, ZERO) + to_decimal(amount)
    return shape


def split(shape, amount):
    """``amount`` spread over the groups of ``shape`` in proportion, exactly.

    The parts add up to ``amount``; groups are never negative in ``shape``.
    An empty or all-zero shape only splits a zero amount.
    """
    amount = to_decimal(amount).quantize(KOPECK)
    groups = list(shape)
    parts = allocate([shape[g] for g in groups], amount) if groups else []
    if not groups and amount:
        raise ValueError("cannot split an amount over an empty shape")
    return dict(zip(groups, parts, strict=True))


def subtract(shape, other):
    """Group by group ``shape - other`` (groups of ``other`` added if new)."""
    result = dict(shape)
    for group, amount in other.items():
        result[group] = result.get(group, ZERO) - amount
    return result


def document_shape(document):
    """The document's groups in company currency, adding up to its total.

    :raise VchasnoPayloadError: a group is negative after netting
    """
    shape = net_by_group(document.lines)
    problems = [
        (
            P_NEGATIVE_GROUP,
            {"document": document.name, "group": group, "amount": amount},
        )
        for group, amount in shape.items()
        if amount < 0
    ]
    if problems:
        raise VchasnoPayloadError(problems)
    shape = {
        group: amount.quantize(KOPECK) for group, amount in shape.items() if amount
    }
    total = to_decimal(document.total).quantize(KOPECK)
    if not shape and total:
        raise VchasnoPayloadError([(P_NO_GOODS, {"document": document.name})])
    if sum(shape.values(), ZERO) == total:
        return shape
    return split(shape, total)


def rebalance(shapes, names=None):
    """Move value between documents until no group of any is negative.

    Every document keeps its total and every group its total over all the
    documents: a negative cell ``(i, g)`` takes ``m`` of group ``g`` from a
    document ``k`` that has some, and gives back ``m`` of a group ``h`` that
    ``i`` has to spare. Each move removes ``m > 0`` of negative value, so the
    loop ends (kopecks are discrete).

    :param shapes: list of shapes
    :param names: the documents' names, for error messages
    :return: new shapes, none with a negative group
    :raise VchasnoPayloadError: a document or a group is negative over all
        the documents
    """
    shapes = [dict(shape) for shape in shapes]
    names = names or [str(i + 1) for i in range(len(shapes))]
    problems = [
        (P_DOCUMENT_EXCEEDED, {"document": name, "amount": -total})
        for name, total in zip(
            names, (sum(s.values(), ZERO) for s in shapes), strict=True
        )
        if total < 0
    ]
    if problems:
        raise VchasnoPayloadError(problems)
    pooled = {}
    for shape in shapes:
        for group, amount in shape.items():
            pooled[group] = pooled.get(group, ZERO) + amount
    problems = [
        (P_CREDIT_EXCEEDS, {"group": group, "amount": -amount})
        for group, amount in pooled.items()
        if amount < 0
    ]
    if problems:
        raise VchasnoPayloadError(problems)
    for i, shape in enumerate(shapes):
        for group in list(shape):
            while shape[group] < 0:
                donor = next(
                    s for k, s in enumerate(shapes) if k != i and s.get(group, 0) > 0
                )
                spare = next(h for h in shape if h != group and shape[h] > 0)
                moved = min(-shape[group], donor[group], shape[spare])
                shape[group] += moved
                donor[group] -= moved
                shape[spare] -= moved
                donor[spare] = donor.get(spare, ZERO) + moved
    return shapes


# === The whole computation === #


def settled_shares(settlements):
    """Per settlement, ``{group: amount}`` adding up exactly to its ``settled``.

    :param settlements: list of ``Settlement`` (one payment's documents)
    :return: list of ``(document key, shape)`` in the same order; groups whose
        part is zero are left out
    :raise VchasnoPayloadError: a negative group (see ``document_shape`` and
        ``rebalance``), or a settled amount with nothing open
    """
    shapes = {}

    def shape_of(document):
        if id(document) not in shapes:
            shapes[id(document)] = document_shape(document)
        return shapes[id(document)]

    opens = []
    for settlement in settlements:
        shape = shape_of(settlement.document)
        for credit, amount in settlement.credits:
            shape = subtract(shape, split(shape_of(credit), amount))
        opens.append(shape)
    opens = rebalance(opens, [s.document.name for s in settlements])
    result = []
    for settlement, shape in zip(settlements, opens, strict=True):
        settled = to_decimal(settlement.settled).quantize(KOPECK)
        weights = {group: amount for group, amount in shape.items() if amount > 0}
        if settled and not weights:
            raise VchasnoPayloadError(
                [
                    (
                        P_NOTHING_OPEN,
                        {"document": settlement.document.name, "amount": settled},
                    )
                ]
            )
        parts = split(weights, settled)
        result.append(
            (
                settlement.document.key,
                {group: part for group, part in parts.items() if part},
            )
        )
    return result


def scale(shares, amount):
    """All ``(key, shape)`` parts scaled together so they add up to ``amount``.

    Used when a payment's write-off makes it settle more (or less) than it
    received: the receipt states what was paid, in the same proportions.
    """
    cells = [(key, group) for key, shape in shares for group in shape]
    weights = [shape[group] for _key, shape in shares for group in shape]
    parts = allocate(weights, amount) if cells else []
    if not cells and to_decimal(amount):
        raise ValueError("cannot scale an amount over no shares")
    result = {}
    for (key, group), part in zip(cells, parts, strict=True):
        result.setdefault(key, {})
        if part:
            result[key][group] = part
    return [(key, result.get(key, {})) for key, _shape in shares]
