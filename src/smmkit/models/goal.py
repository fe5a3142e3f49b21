"""Goals and KPIs: what a social-media programme is for, and how it is measured."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from pydantic import Field, ValidationInfo, field_validator

from smmkit.models._base import IsoDate, SmmkitModel
from smmkit.models._currencies import currency_problem

__all__ = [
    "BusinessModel",
    "Direction",
    "Goal",
    "KPI",
    "Money",
    "Objective",
    "Period",
]


class Objective(str, Enum):
    """The playbook's three goal families (拓客, 品牌建设, 用户运营)."""

    ACQUISITION = "acquisition"
    BRAND = "brand"
    USER_OPERATIONS = "user_operations"


class BusinessModel(str, Enum):
    """Who the business sells to: businesses (B2B) or consumers (B2C)."""

    B2B = "b2b"
    B2C = "b2c"


class Direction(str, Enum):
    """Whether a KPI is better when it goes up or down."""

    INCREASE = "increase"
    DECREASE = "decrease"


class Money(SmmkitModel):
    """An exact amount of money in one ISO 4217 currency.

    The code is upper-cased and must be in ISO 4217 (current codes, plus those withdrawn
    since 2021); ``"RMB"``, ``"CNH"`` or a typo is refused with the field named.

    Example:
        >>> Money(amount="1000.50", currency="cny")
        Money(amount=Decimal('1000.50'), currency='CNY')
        >>> from smmkit.exceptions import InvalidInputError
        >>> try:
        ...     Money(amount=1, currency="RMB")
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0])
        currency: RMB is not an ISO 4217 code: use CNY (got 'RMB')
    """

    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str) -> str:
        if not value.isalpha() or not value.isascii():
            raise ValueError("must be a 3-letter ISO 4217 code such as CNY or USD")
        code = value.upper()
        problem = currency_problem(code)
        if problem is not None:
            raise ValueError(problem)
        return code

    @field_validator("amount")
    @classmethod
    def _finite(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("must be a finite number")
        return value

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Period(SmmkitModel):
    """An inclusive range of calendar days.

    Example:
        >>> from datetime import date
        >>> Period(start=date(2026, 1, 1), end=date(2026, 3, 31)).days
        90
    """

    start: IsoDate
    end: IsoDate

    @field_validator("end")
    @classmethod
    def _ordered(cls, value: date, info: ValidationInfo) -> date:
        # A field validator, so the error names ``end`` rather than the whole input.
        start = info.data.get("start")
        if isinstance(start, date) and value < start:
            raise ValueError(f"must not be before start ({start})")
        return value

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1


class KPI(SmmkitModel):
    """One key performance indicator with a target.

    ``target`` and ``baseline`` are in ``unit`` (``"count"``, ``"%"``, ``"CNY"``...).
    A target is never negative: a KPI that should fall says ``direction="decrease"``.

    Example:
        >>> KPI(name="leads", target=500, unit="count").direction
        <Direction.INCREASE: 'increase'>
    """

    name: str = Field(min_length=1)
    target: float = Field(ge=0)
    unit: str = Field(min_length=1)
    baseline: float | None = Field(default=None, ge=0)
    direction: Direction = Direction.INCREASE
    formula: str | None = None
    description: str | None = None


class Goal(SmmkitModel):
    """A business goal for the social-media programme, with its KPIs.

    Example:
        >>> from datetime import date
        >>> goal = Goal(
        ...     objective="brand",
        ...     business_model="b2c",
        ...     owner="brand team",
        ...     period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
        ...     kpis=[KPI(name="exposure", target=3_000_000, unit="impressions")],
        ... )
        >>> goal.objective.value, len(goal.kpis)
        ('brand', 1)
    """

    objective: Objective
    business_model: BusinessModel
    owner: str = Field(min_length=1)
    period: Period
    kpis: tuple[KPI, ...] = ()
    name: str | None = None
    description: str | None = None

    @field_validator("kpis")
    @classmethod
    def _unique_kpis(cls, value: tuple[KPI, ...]) -> tuple[KPI, ...]:
        names = [k.name for k in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"KPI names must be unique; repeated: {', '.join(dupes)}")
        return value
