"""Budget: the playbook's bands, exact money, and a split by platform.

The playbook puts 30–40% into paid reach (Douyin DOU+, Weibo 粉丝通), 20–30% into
content production (original content and UGC incentives) and 10–15% into tools
(monitoring, management systems). It leaves 15–40% open; smmkit names that rest
explicitly instead of leaving it unaccounted for: KOL/KOC co-operation, industry research
(B2B) and a contingency reserve.

Money is :class:`decimal.Decimal` in one ISO 4217 currency. Parts are computed in the
currency's minor unit (cents, fen; none for JPY or the CFA francs, thousandths for KWD,
see :data:`MINOR_UNITS`) and rounded with the largest-remainder method, so they always add
up to the total exactly: no cent appears or disappears. Fund and metal codes (XAU, XDR,
XXX...) have no minor unit and cannot be split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from numbers import Rational

from pydantic import Field

from smmkit.audience._checks import enum_member, integer, iterable, optional_mapping, shown
from smmkit.catalog import require_known_platform, resolve_platform
from smmkit.exceptions import BudgetError, InvalidInputError, UnknownPlatformError
from smmkit.models import BusinessModel, Money, Platform, PlatformRole
from smmkit.models._base import SmmkitModel
from smmkit.models._currencies import MINOR_UNITS_ISO
from smmkit.strategy._enums import coerce_money
from smmkit.strategy.matrix import PlatformMatrix

__all__ = [
    "BANDS",
    "BudgetItem",
    "BudgetLine",
    "BudgetPlan",
    "DEFAULT_SHARES",
    "MINOR_UNITS",
    "PlatformAllocation",
    "allocate_budget",
    "split_exact",
]


class BudgetItem(str, Enum):
    """What a part of the budget pays for."""

    PAID_REACH = "paid_reach"  # DOU+, 粉丝通, promoted posts
    CONTENT_PRODUCTION = "content_production"  # original content and UGC incentives
    TOOLS = "tools"  # monitoring, scheduling, dashboards
    KOL_KOC = "kol_koc"  # influencer co-creation, KOC trials and training
    INDUSTRY_RESEARCH = "industry_research"  # B2B white papers' research, analyst data
    CONTINGENCY = "contingency"  # crisis response, hot topics nobody planned


_REST = (Decimal(0), Decimal(40))
BANDS: Mapping[BudgetItem, tuple[Decimal, Decimal]] = {
    BudgetItem.PAID_REACH: (Decimal(30), Decimal(40)),
    BudgetItem.CONTENT_PRODUCTION: (Decimal(20), Decimal(30)),
    BudgetItem.TOOLS: (Decimal(10), Decimal(15)),
    BudgetItem.KOL_KOC: _REST,
    BudgetItem.INDUSTRY_RESEARCH: _REST,
    BudgetItem.CONTINGENCY: _REST,
}
"""Allowed share (percent, inclusive) of each item. The first three are the playbook's;
the rest may take anything the playbook leaves open (at most 100 - 30 - 20 - 10 = 40)."""

DEFAULT_SHARES: Mapping[BusinessModel, Mapping[BudgetItem, Decimal]] = {
    BusinessModel.B2C: {
        BudgetItem.PAID_REACH: Decimal(35),
        BudgetItem.CONTENT_PRODUCTION: Decimal(25),
        BudgetItem.TOOLS: Decimal(12),
        BudgetItem.KOL_KOC: Decimal(20),
        BudgetItem.CONTINGENCY: Decimal(8),
    },
    BusinessModel.B2B: {
        BudgetItem.PAID_REACH: Decimal(30),
        BudgetItem.CONTENT_PRODUCTION: Decimal(30),
        BudgetItem.TOOLS: Decimal(15),
        BudgetItem.KOL_KOC: Decimal(10),
        BudgetItem.INDUSTRY_RESEARCH: Decimal(10),
        BudgetItem.CONTINGENCY: Decimal(5),
    },
}
"""Default shares (percent). B2C leans on paid reach and KOC/KOL seeding; B2B on content
depth (white papers) and the research behind it."""

MINOR_UNITS: Mapping[str, int] = MINOR_UNITS_ISO
"""ISO 4217 minor units (decimals) of every currency code that has one.

Most have 2; zero: BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF;
three: BHD IQD JOD KWD LYD OMR TND; four: CLF UYW. Fund, metal and special codes (XAG XAU
XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX) have none and are not in the table. The same
table tells :class:`~smmkit.models.Money` which codes are ISO 4217."""

_P, _T, _D = PlatformRole.PROPAGATION, PlatformRole.TRUST, PlatformRole.PRIVATE_DOMAIN
_PRO, _V, _C = PlatformRole.PROFESSIONAL, PlatformRole.VIDEO, PlatformRole.COMMUNITY
# Paid reach buys distribution, so it goes mostly where distribution is for sale;
# KOL/KOC money follows word of mouth. Content is needed natively on every platform.
_PLATFORM_WEIGHTS: Mapping[BudgetItem, Mapping[PlatformRole, int]] = {
    BudgetItem.PAID_REACH: {_P: 3, _V: 2, _T: 2, _PRO: 2, _C: 1, _D: 1},
    BudgetItem.CONTENT_PRODUCTION: {_P: 1, _V: 1, _T: 1, _PRO: 1, _C: 1, _D: 1},
    BudgetItem.KOL_KOC: {_T: 3, _P: 2, _V: 2, _PRO: 2, _C: 1, _D: 1},
}


class BudgetLine(SmmkitModel):
    """One item of the budget: its share, amount and the band it must stay in.

    Example:
        >>> plan = allocate_budget(Money(amount=1000, currency="USD"), business_model="b2c")
        >>> line = plan.lines[0]
        >>> line.item.value, str(line.percent), str(line.amount), [str(b) for b in line.band]
        ('paid_reach', '35', '350.00 USD', ['30', '40'])
    """

    item: BudgetItem
    percent: Decimal = Field(ge=0, le=100)
    amount: Money
    band: tuple[Decimal, Decimal]


class PlatformAllocation(SmmkitModel):
    """The part of one item that goes to one platform.

    Example:
        >>> plan = allocate_budget(Money(amount=1000, currency="CNY"), business_model="b2c",
        ...                        platforms=["douyin"])
        >>> a = plan.platform_split[0]
        >>> a.platform_id, a.item.value, str(a.amount)
        ('douyin', 'paid_reach', '350.00 CNY')
    """

    platform_id: str
    item: BudgetItem
    amount: Money


class BudgetPlan(SmmkitModel):
    """A budget split into items and, when a matrix was given, into platforms.

    Example:
        >>> plan = allocate_budget(Money(amount=100_000, currency="CNY"), business_model="b2c")
        >>> str(plan.amount("paid_reach"))
        '35000.00 CNY'
    """

    total: Money
    business_model: BusinessModel
    lines: tuple[BudgetLine, ...]
    platform_split: tuple[PlatformAllocation, ...] = ()

    def amount(self, item: BudgetItem | str) -> Money:
        """The amount of one item (zero when the plan does not have it)."""
        wanted = enum_member(BudgetItem, item, "item")
        for line in self.lines:
            if line.item is wanted:
                return line.amount
        return Money(amount=Decimal(0), currency=self.total.currency)

    def for_platform(self, platform_id: str) -> Money:
        """Everything that goes to one platform, over all items.

        Example:
            >>> plan = allocate_budget(Money(amount=1000, currency="CNY"), business_model="b2c",
            ...                        platforms=["douyin", "wecom"])
            >>> str(plan.for_platform("douyin"))
            '520.83 CNY'

        A known platform outside the split gets zero; an unknown id raises
        :class:`~smmkit.exceptions.UnknownPlatformError`.
        """
        if not any(a.platform_id == platform_id for a in self.platform_split):
            require_known_platform(platform_id, field="platform_id")
        total = sum(
            (a.amount.amount for a in self.platform_split if a.platform_id == platform_id),
            Decimal(0),
        )
        return Money(amount=total, currency=self.total.currency)


def allocate_budget(
    total: Money,
    *,
    business_model: BusinessModel | str,
    platforms: PlatformMatrix | Sequence[str | Platform] | None = None,
    overrides: Mapping[BudgetItem | str, Decimal | int | float | str] | None = None,
) -> BudgetPlan:
    """Split a budget into the playbook's items, and each item across the platforms.

    ``overrides`` replace default shares (percent); the result must keep every item in
    its band (:data:`BANDS`) and sum to exactly 100, otherwise
    :class:`~smmkit.exceptions.BudgetError` names the item. With ``platforms`` (ids,
    specs, or a :class:`PlatformMatrix`), paid reach, content and KOL/KOC money is split
    across them by role; tools, research and contingency stay shared.

    Example:
        >>> plan = allocate_budget(Money(amount="100.00", currency="CNY"), business_model="b2b",
        ...                        overrides={"paid_reach": 35, "contingency": 0})
        >>> [(l.item.value, str(l.amount.amount)) for l in plan.lines][:2]
        [('paid_reach', '35.00'), ('content_production', '30.00')]
        >>> sum(l.amount.amount for l in plan.lines)
        Decimal('100.00')
    """
    try:
        model = BusinessModel(business_model)
    except ValueError:
        raise BudgetError.single("business_model", "must be b2b or b2c", business_model) from None
    total = coerce_money(total, "total")
    shares = dict(DEFAULT_SHARES[model])
    for key, raw in optional_mapping(overrides, "overrides").items():
        try:
            item = BudgetItem(key)
        except ValueError:
            allowed = ", ".join(i.value for i in BudgetItem)
            raise BudgetError.single(
                f"overrides.{key}", f"unknown budget item; known: {allowed}", raw
            ) from None
        value = _percent(raw, f"overrides.{item.value}")
        low, high = BANDS[item]
        if not low <= value <= high:
            raise BudgetError.single(
                f"overrides.{item.value}", f"must stay within the band {low}–{high}%", str(value)
            )
        shares[item] = value
    for item, value in shares.items():
        low, high = BANDS[item]
        if not low <= value <= high:  # a default pushed out by nothing: cannot happen
            raise BudgetError.single(item.value, f"must stay within {low}–{high}%", str(value))
    total_share = sum(shares.values(), Decimal(0))
    if total_share != 100:
        listing = ", ".join(f"{i.value}={v}" for i, v in _ordered(shares).items())
        raise BudgetError.single(
            "overrides", f"shares must sum to 100%, they sum to {total_share}% ({listing})"
        )
    ordered = _ordered(shares)
    exponent = MINOR_UNITS.get(total.currency)
    if exponent is None:
        raise BudgetError.single(
            "total.currency",
            "has no minor unit in ISO 4217 (a fund, metal or test code): a budget needs a "
            "currency that can be paid out",
            total.currency,
        )
    units = _to_units(total, exponent)
    parts = split_exact(units, list(ordered.values()))
    lines = tuple(
        BudgetLine(
            item=item, percent=share, amount=_money(n, exponent, total.currency), band=BANDS[item]
        )
        for (item, share), n in zip(ordered.items(), parts, strict=True)
    )
    split: list[PlatformAllocation] = []
    if platforms is not None:
        roles = _platform_roles(platforms)
        for (item, _), n in zip(ordered.items(), parts, strict=True):
            weights_by_role = _PLATFORM_WEIGHTS.get(item)
            if weights_by_role is None or not roles:
                continue
            weights = [Decimal(weights_by_role[role]) for _, role in roles]
            for (pid, _), m in zip(roles, split_exact(n, weights), strict=True):
                split.append(
                    PlatformAllocation(
                        platform_id=pid, item=item, amount=_money(m, exponent, total.currency)
                    )
                )
    return BudgetPlan(total=total, business_model=model, lines=lines, platform_split=tuple(split))


def split_exact(units: int, weights: Sequence[Decimal | int | Fraction | float]) -> list[int]:
    """Split ``units`` integer units in proportion to ``weights``, exactly.

    Largest-remainder (Hamilton) rounding: everyone gets the floor of their quota, the
    units left go to the largest remainders (ties to the earlier weight). The parts always
    sum to ``units``. ``units`` is an int; each weight a finite number (an int, a
    ``Decimal``, a ``Fraction`` or a float), never a string or a bool.

    Example:
        >>> split_exact(100, [1, 1, 1])
        [34, 33, 33]
    """
    units = integer(units, "units")
    if units < 0:
        raise BudgetError.single("units", "must not be negative", units)
    weights = list(iterable(weights, "weights", "numbers"))
    fractions = [_weight(w, f"weights.{i}") for i, w in enumerate(weights)]
    if any(f < 0 for f in fractions):
        raise BudgetError.single("weights", "must not be negative", [str(w) for w in weights])
    weight_sum = sum(fractions, Fraction(0))
    if weight_sum == 0:
        raise BudgetError.single("weights", "must not all be zero", [str(w) for w in weights])
    quotas = [units * f / weight_sum for f in fractions]
    parts = [q.numerator // q.denominator for q in quotas]
    left = units - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _weight(value: object, field: str) -> Fraction:
    """One weight as an exact fraction: finite ints, Decimals, Fractions and floats."""
    if isinstance(value, bool) or not isinstance(value, (Rational, float, Decimal)):
        raise InvalidInputError.single(
            field, f"must be a number, not of type {type(value).__name__}", shown(value)
        )
    if isinstance(value, Decimal):
        finite = value.is_finite()
    else:  # ints and fractions are; an int beyond the float range too
        finite = not isinstance(value, float) or math.isfinite(value)
    if not finite:
        raise InvalidInputError.single(field, "must be a finite number", str(value))
    return Fraction(value)


def _ordered(shares: Mapping[BudgetItem, Decimal]) -> dict[BudgetItem, Decimal]:
    return {item: shares[item] for item in BudgetItem if item in shares}


def _percent(raw: object, field: str) -> Decimal:
    if isinstance(raw, bool):
        raise BudgetError.single(field, "must be a percentage number", raw)
    try:
        value = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise BudgetError.single(field, "must be a percentage number", raw) from None
    if not value.is_finite():
        raise BudgetError.single(field, "must be a finite percentage", str(value))
    return value


def _to_units(total: Money, exponent: int) -> int:
    if total.amount < 0:
        raise BudgetError.single("total.amount", "must not be negative", str(total.amount))
    scaled = total.amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise BudgetError.single(
            "total.amount",
            f"has more decimals than {total.currency} has minor units ({exponent})",
            str(total.amount),
        )
    return int(scaled)


def _money(units: int, exponent: int, currency: str) -> Money:
    return Money(amount=Decimal(units).scaleb(-exponent), currency=currency)


def _platform_roles(
    platforms: PlatformMatrix | Sequence[str | Platform],
) -> list[tuple[str, PlatformRole]]:
    if isinstance(platforms, PlatformMatrix):
        return [(f.platform_id, f.job) for f in platforms.recommended]
    out: list[tuple[str, PlatformRole]] = []
    for i, p in enumerate(iterable(platforms, "platforms", "platform ids or specs")):
        if not isinstance(p, (str, Platform)):
            raise InvalidInputError.single(
                f"platforms.{i}",
                f"must be a platform id (str) or a Platform spec, not of type {type(p).__name__}",
                shown(p),
            )
        try:
            spec = resolve_platform(p)
        except UnknownPlatformError as exc:
            raise UnknownPlatformError(exc.platform_id, exc.known, field=f"platforms.{i}") from None
        if any(pid == spec.id for pid, _ in out):
            raise BudgetError.single("platforms", "lists a platform twice", spec.id)
        out.append((spec.id, spec.role))
    return out
