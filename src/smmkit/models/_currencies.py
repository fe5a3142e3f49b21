"""ISO 4217 currency codes and their minor units: the one table smmkit checks money against.

Used by :class:`smmkit.models.Money` (is the code ISO 4217?) and by the budget split
(:data:`smmkit.strategy.budget.MINOR_UNITS`: how many decimals does it have?).

The table is ISO 4217 list one (current codes) as of 2025, plus the codes withdrawn since
2021 that old exports still carry (CUC, HRK, SLL, ZWL, ANG, BGN). Fund, metal and special
codes (XAU, XDR, XTS, XXX...) are ISO 4217 codes too but have no minor unit ("N.A."):
they are valid for :class:`~smmkit.models.Money` and cannot be split into parts.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ISO_4217", "MINOR_UNITS_ISO", "currency_problem"]

# Minor units ("exponent") by code; every code not listed under 0, 3, 4 or N.A. has 2.
_TWO = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK
LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO
NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST
XAD XCD XCG YER ZAR ZMW ZWG
"""
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_NO_MINOR_UNIT = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"
_RECENTLY_WITHDRAWN = "ANG BGN CUC HRK SLL ZWL"  # all had 2 decimals

MINOR_UNITS_ISO: Mapping[str, int] = {
    **dict.fromkeys((_TWO + " " + _RECENTLY_WITHDRAWN).split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}
"""ISO 4217 minor units of every code that has one."""

ISO_4217: frozenset[str] = frozenset(MINOR_UNITS_ISO) | frozenset(_NO_MINOR_UNIT.split())
"""Every ISO 4217 code smmkit accepts (including fund and metal codes)."""

# Codes people type that are not ISO 4217, with what they probably meant.
_NOT_ISO = {
    "CNH": "CNH (offshore yuan) is a market convention, not ISO 4217: use CNY",
    "RMB": "RMB is not an ISO 4217 code: use CNY",
    "NTD": "NTD is not an ISO 4217 code: use TWD",
    "UKP": "UKP is not an ISO 4217 code: use GBP",
}


def currency_problem(code: str) -> str | None:
    """Why ``code`` (upper case) is not an ISO 4217 currency, or ``None`` when it is.

    Example:
        >>> currency_problem("EUR") is None
        True
        >>> currency_problem("RMB")
        'RMB is not an ISO 4217 code: use CNY'
    """
    if code in ISO_4217:
        return None
    return _NOT_ISO.get(
        code, "is not an ISO 4217 currency code (CNY, USD, EUR, JPY...; see ISO 4217 list one)"
    )
