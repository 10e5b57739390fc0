"""Shift totals and X/Z report bodies of the emulator (spec §5.4).

The shape follows Vchasno's own Z-report example (evidence file, AIDOC):

- ``summary``: ``base_p/m`` (receipt sums, before the whole-receipt
  discount), ``disc_p/m``, ``taxex_p/m`` (all taxes and levies); no ``calc_*``
  field was ever seen, so none is sent;
- ``taxes[]`` per group: the excise (or other levy) is taken out of the gross
  amount first, then VAT out of the rest, each rounded to the kopeck — which
  reproduces the example (99.99 at 20 % + 5 %: excise 4.76, VAT 15.87);
- ``pays[]``: receipts per payment type with the rounding up/down;
- ``money[]``: service cash-in (``sum_p``) and cash-out (``sum_m``), type 0;
- ``cash[]``: cash withdrawals against a card (task 14) per payment type, in
  ``sum_m`` (the example: 1001 − 500.5 + 150 − 150 − 100 = ``safe`` 400.5).

Vchasno's exact rounding of report taxes is unknown: treat them as approximate.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
ROUND_KEYS = ("round_pu", "round_pd", "round_mu", "round_md")


def money2(value):
    return float(value.quantize(CENT))


def _cents(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def new_totals():
    return {
        "count": {"p": 0, "m": 0, "14": 0},
        "last_docno": {"p": 0, "m": 0},
        "summary": {k: ZERO for k in ("base_p", "base_m", "disc_p", "disc_m")},
        "taxes": {},  # code -> {"base_p", "base_m"}
        "pays": {},  # pay type -> {"sum_p", "sum_m", "round_pu", ...}
        "money": {"sum_p": ZERO, "sum_m": ZERO},  # service cash in / out
        "cash": {},  # pay type of task 14 -> amount handed out
    }


def _pay_sums():
    return {k: ZERO for k in ("sum_p", "sum_m", *ROUND_KEYS)}


def add_totals(shift, checked, sign):
    """Add one checked receipt to the shift totals (``p`` sale, ``m`` return)."""
    shift["count"][sign] += 1
    shift["summary"]["base_" + sign] += checked["sum"]
    shift["summary"]["disc_" + sign] += checked["disc"]
    shares = _spread(checked["disc"], [v for _g, v in checked["rows"]])
    for (group, value), share in zip(checked["rows"], shares, strict=True):
        taxes = shift["taxes"].setdefault(group, {"base_p": ZERO, "base_m": ZERO})
        taxes["base_" + sign] += value - share
    for ptype, amount in checked["pays"]:
        sums = shift["pays"].setdefault(ptype, _pay_sums())
        sums["sum_" + sign] += amount
    if checked["round"]:
        cash = shift["pays"].setdefault(0, _pay_sums())
        key = "round_" + sign + ("u" if checked["round"] > 0 else "d")
        cash[key] += abs(checked["round"])


def add_service(shift, task, amount):
    """Service cash-in (task 3) or cash-out (task 4)."""
    shift["money"]["sum_p" if task == 3 else "sum_m"] += amount


def add_withdrawal(shift, pay_type, amount):
    """A cash withdrawal against a card (task 14)."""
    shift["count"]["14"] += 1
    shift["cash"][pay_type] = shift["cash"].get(pay_type, ZERO) + amount


def _spread(amount, values):
    """Proportional split of a receipt discount over rows (rest on the last)."""
    total = sum(values, ZERO)
    if not amount or not total:
        return [ZERO] * len(values)
    shares = [(amount * v / total).quantize(CENT) for v in values]
    shares[-1] += amount - sum(shares, ZERO)
    return shares


def group_taxes(base, vat, extra):
    """``(excise, VAT)`` included in a gross ``base`` (see the module doc)."""
    excise = _cents(base * extra / (100 + extra)) if extra else ZERO
    tax = _cents((base - excise) * vat / (100 + vat)) if vat else ZERO
    return excise, tax


def _tax_row(code, sums, group):
    letter, name, fname, vat, extra = group
    row = {"gr_code": int(code) if code.isdigit() else code, "tax_lit": letter,
           "tax_name": name, "tax_fname": fname, "tax_percent": float(vat),
           "ex_name": f"Акцизний податок {extra:g}% {letter[-1]}" if extra else "",
           "ex_percent": float(extra)}  # fmt: skip
    taxex = {}
    for sign in ("p", "m"):
        base = sums["base_" + sign]
        excise, tax = group_taxes(base, vat, extra)
        row["base_sum_" + sign] = money2(base)
        row["base_tax_sum_" + sign] = money2(base - excise)
        row["base_ex_sum_" + sign] = money2(base if extra else ZERO)
        row["tax_sum_" + sign] = money2(tax)
        row["ex_sum_" + sign] = money2(excise)
        taxex[sign] = tax + excise
    return row, taxex


def report_body(shift, tax_groups, pay_names):
    """``info`` fields of an X/Z report for the open shift's totals."""
    summary = shift["summary"]
    taxes, taxex = [], {"p": ZERO, "m": ZERO}
    for code, sums in sorted(shift["taxes"].items()):
        row, row_taxex = _tax_row(code, sums, tax_groups[code])
        taxes.append(row)
        for sign in taxex:
            taxex[sign] += row_taxex[sign]
    return {
        "receipt": {
            "count_p": shift["count"]["p"],
            "count_m": shift["count"]["m"],
            "count_14": shift["count"]["14"],
            "count_transfer": 0,
            "last_docno_p": shift["last_docno"]["p"],
            "last_docno_m": shift["last_docno"]["m"],
        },
        "summary": {
            "base_p": money2(summary["base_p"]),
            "base_m": money2(summary["base_m"]),
            "taxex_p": money2(taxex["p"]),
            "taxex_m": money2(taxex["m"]),
            "disc_p": money2(summary["disc_p"]),
            "disc_m": money2(summary["disc_m"]),
        },
        "taxes": taxes,
        "pays": [
            dict(
                {"type": ptype, "name": pay_names(ptype)},
                **{k: money2(v) for k, v in sums.items()},
            )
            for ptype, sums in sorted(shift["pays"].items())
        ],  # fmt: skip
        "money": [
            dict(
                {"type": 0, "name": pay_names(0)},
                **{k: money2(v) for k, v in shift["money"].items()},
                **{k: 0.0 for k in ROUND_KEYS},
            )
        ],  # fmt: skip
        "cash": [
            dict(
                {
                    "type": ptype,
                    "name": pay_names(ptype),
                    "sum_p": 0.0,
                    "sum_m": money2(amount),
                },
                **{k: 0.0 for k in ROUND_KEYS},
            )
            for ptype, amount in sorted(shift["cash"].items())
        ],  # fmt: skip
        "money_transfer": [],
    }
