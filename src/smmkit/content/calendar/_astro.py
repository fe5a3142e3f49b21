"""Astronomy for the Chinese calendar: the Sun's apparent longitude and the new moons.

Everything here is computed, nothing is looked up per year:

* the Sun's geometric longitude from the abridged VSOP87 series for the Earth
  (Bretagnon & Francou 1988, the truncation printed in J. Meeus, *Astronomical
  Algorithms*, 2nd ed. 1998, Appendix III), converted to FK5, plus nutation in
  longitude (IAU 1980, Meeus ch. 22) and annual aberration (ch. 25); this reproduces
  Meeus's worked example 25.b to 0.01" and gives the apparent longitude to about one
  arc second, i.e. under 25 seconds of time;
* ΔT = TT − UT from the Espenak & Meeus (2006) polynomials, because the series run on
  Terrestrial Time and calendars run on civil time;
* true new moons from Meeus ch. 49 (mean phase plus periodic and planetary terms,
  accurate to well under a minute over 1900–2100).

Times are Julian Ephemeris Days (TT) internally; the public helpers return aware UTC
datetimes. All functions are pure.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

__all__: list[str] = []

_J2000 = 2451545.0
_UNIX_EPOCH_JD = 2440587.5
_TROPICAL_YEAR = 365.242189
_SYNODIC_MONTH = 29.530588861

# Abridged VSOP87 series for the Earth's heliocentric ecliptic longitude, in units of
# 1e-8 radian: (A, B, C) gives A·cos(B + C·τ), τ in Julian millennia from J2000 (TT).
_L0: tuple[tuple[float, float, float], ...] = (
    (175347046, 0, 0),
    (3341656, 4.6692568, 6283.0758500),
    (34894, 4.62610, 12566.15170),
    (3497, 2.7441, 5753.3849),
    (3418, 2.8289, 3.5231),
    (3136, 3.6277, 77713.7715),
    (2676, 4.4181, 7860.4194),
    (2343, 6.1352, 3930.2097),
    (1324, 0.7425, 11506.7698),
    (1273, 2.0371, 529.6910),
    (1199, 1.1096, 1577.3435),
    (990, 5.233, 5884.927),
    (902, 2.045, 26.298),
    (857, 3.508, 398.149),
    (780, 1.179, 5223.694),
    (753, 2.533, 5507.553),
    (505, 4.583, 18849.228),
    (492, 4.205, 775.523),
    (357, 2.920, 0.067),
    (317, 5.849, 11790.629),
    (284, 1.899, 796.298),
    (271, 0.315, 10977.079),
    (243, 0.345, 5486.778),
    (206, 4.806, 2544.314),
    (205, 1.869, 5573.143),
    (202, 2.458, 6069.777),
    (156, 0.833, 213.299),
    (132, 3.411, 2942.463),
    (126, 1.083, 20.775),
    (115, 0.645, 0.980),
    (103, 0.636, 4694.003),
    (102, 0.976, 15720.839),
    (102, 4.267, 7.114),
    (99, 6.21, 2146.17),
    (98, 0.68, 155.42),
    (86, 5.98, 161000.69),
    (85, 1.30, 6275.96),
    (85, 3.67, 71430.70),
    (80, 1.81, 17260.15),
    (79, 3.04, 12036.46),
    (75, 1.76, 5088.63),
    (74, 3.50, 3154.69),
    (74, 4.68, 801.82),
    (70, 0.83, 9437.76),
    (62, 3.98, 8827.39),
    (61, 1.82, 7084.90),
    (57, 2.78, 6286.60),
    (56, 4.39, 14143.50),
    (56, 3.47, 6279.55),
    (52, 0.19, 12139.55),
    (52, 1.33, 1748.02),
    (51, 0.28, 5856.48),
    (49, 0.49, 1194.45),
    (41, 5.37, 8429.24),
    (41, 2.40, 19651.05),
    (39, 6.17, 10447.39),
    (37, 6.04, 10213.29),
    (37, 2.57, 1059.38),
    (36, 1.71, 2352.87),
    (36, 1.78, 6812.77),
    (33, 0.59, 17789.85),
    (30, 0.44, 83996.85),
    (30, 2.74, 1349.87),
    (25, 3.16, 4690.48),
)
_L1: tuple[tuple[float, float, float], ...] = (
    (628331966747, 0, 0),
    (206059, 2.678235, 6283.07585),
    (4303, 2.6351, 12566.1517),
    (425, 1.590, 3.523),
    (119, 5.796, 26.298),
    (109, 2.966, 1577.344),
    (93, 2.59, 18849.23),
    (72, 1.14, 529.69),
    (68, 1.87, 398.15),
    (67, 4.41, 5507.55),
    (59, 2.89, 5223.69),
    (56, 2.17, 155.42),
    (45, 0.40, 796.30),
    (36, 0.47, 775.52),
    (29, 2.65, 7.11),
    (21, 5.34, 0.98),
    (19, 1.85, 5486.78),
    (19, 4.97, 213.30),
    (17, 2.99, 6275.96),
    (16, 0.03, 2544.31),
    (16, 1.43, 2146.17),
    (15, 1.21, 10977.08),
    (12, 2.83, 1748.02),
    (12, 3.26, 5088.63),
    (12, 5.27, 1194.45),
    (12, 2.08, 4694.00),
    (11, 0.77, 553.57),
    (10, 1.30, 6286.60),
    (10, 4.24, 1349.87),
    (9, 2.70, 242.73),
    (9, 5.64, 951.72),
    (8, 5.30, 2352.87),
    (6, 2.65, 9437.76),
    (6, 4.67, 4690.48),
)
_L2: tuple[tuple[float, float, float], ...] = (
    (52919, 0, 0),
    (8720, 1.0721, 6283.0758),
    (309, 0.867, 12566.152),
    (27, 0.05, 3.52),
    (16, 5.19, 26.30),
    (16, 3.68, 155.42),
    (10, 0.76, 18849.23),
    (9, 2.06, 77713.77),
    (7, 0.83, 775.52),
    (5, 4.66, 1577.34),
    (4, 1.03, 7.11),
    (4, 3.44, 5573.14),
    (3, 5.14, 796.30),
    (3, 6.05, 5507.55),
    (3, 1.19, 242.73),
    (3, 6.12, 529.69),
    (3, 0.31, 398.15),
    (3, 2.28, 553.57),
    (2, 4.38, 5223.69),
    (2, 3.75, 0.98),
)
_L3: tuple[tuple[float, float, float], ...] = (
    (289, 5.844, 6283.076),
    (35, 0, 0),
    (17, 5.49, 12566.15),
    (3, 5.20, 155.42),
    (1, 4.72, 3.52),
    (1, 5.30, 18849.23),
    (1, 5.97, 242.73),
)
_L4: tuple[tuple[float, float, float], ...] = (
    (114, 3.142, 0),
    (8, 4.13, 6283.08),
    (1, 3.84, 12566.15),
)
_L5: tuple[tuple[float, float, float], ...] = ((1, 3.14, 0),)
_L_SERIES = (_L0, _L1, _L2, _L3, _L4, _L5)

# Meeus ch. 49, new moon: periodic terms as (coefficient, power of E, multipliers of
# M (Sun's anomaly), M' (Moon's anomaly), F (argument of latitude), Omega).
_NEW_MOON_TERMS: tuple[tuple[float, int, int, int, int, int], ...] = (
    (-0.40720, 0, 0, 1, 0, 0),
    (0.17241, 1, 1, 0, 0, 0),
    (0.01608, 0, 0, 2, 0, 0),
    (0.01039, 0, 0, 0, 2, 0),
    (0.00739, 1, -1, 1, 0, 0),
    (-0.00514, 1, 1, 1, 0, 0),
    (0.00208, 2, 2, 0, 0, 0),
    (-0.00111, 0, 0, 1, -2, 0),
    (-0.00057, 0, 0, 1, 2, 0),
    (0.00056, 1, 1, 2, 0, 0),
    (-0.00042, 0, 0, 3, 0, 0),
    (0.00042, 1, 1, 0, 2, 0),
    (0.00038, 1, 1, 0, -2, 0),
    (-0.00024, 1, -1, 2, 0, 0),
    (-0.00017, 0, 0, 0, 0, 1),
    (-0.00007, 0, 2, 1, 0, 0),
    (0.00004, 0, 0, 2, -2, 0),
    (0.00004, 0, 3, 0, 0, 0),
    (0.00003, 0, 1, 1, -2, 0),
    (0.00003, 0, 0, 2, 2, 0),
    (-0.00003, 0, 1, 1, 2, 0),
    (0.00003, 0, -1, 1, 2, 0),
    (-0.00002, 0, -1, 1, -2, 0),
    (-0.00002, 0, 1, 3, 0, 0),
    (0.00002, 0, 0, 4, 0, 0),
)
# Meeus ch. 49 planetary arguments A1..A14: (constant, rate per lunation, coefficient).
_PLANETARY: tuple[tuple[float, float, float], ...] = (
    (299.77, 0.107408, 0.000325),
    (251.88, 0.016321, 0.000165),
    (251.83, 26.651886, 0.000164),
    (349.42, 36.412478, 0.000126),
    (84.66, 18.206239, 0.000110),
    (141.74, 53.303771, 0.000062),
    (207.14, 2.453732, 0.000060),
    (154.84, 7.306860, 0.000056),
    (34.52, 27.261239, 0.000047),
    (207.19, 0.121824, 0.000042),
    (291.34, 1.844379, 0.000040),
    (161.72, 24.198154, 0.000037),
    (239.56, 25.513099, 0.000035),
    (331.55, 3.592518, 0.000023),
)


# IAU 1980 nutation in longitude, the terms above 0.001" (Meeus table 22.A): multiples of
# D, M, M', F, Omega, then the coefficient and its rate per century, in 0.0001".
_NUTATION: tuple[tuple[int, int, int, int, int, float, float], ...] = (
    (0, 0, 0, 0, 1, -171996, -174.2),
    (-2, 0, 0, 2, 2, -13187, -1.6),
    (0, 0, 0, 2, 2, -2274, -0.2),
    (0, 0, 0, 0, 2, 2062, 0.2),
    (0, 1, 0, 0, 0, 1426, -3.4),
    (0, 0, 1, 0, 0, 712, 0.1),
    (-2, 1, 0, 2, 2, -517, 1.2),
    (0, 0, 0, 2, 1, -386, -0.4),
    (0, 0, 1, 2, 2, -301, 0),
    (-2, -1, 0, 2, 2, 217, -0.5),
    (-2, 0, 1, 0, 0, -158, 0),
    (-2, 0, 0, 2, 1, 129, 0.1),
    (0, 0, -1, 2, 2, 123, 0),
    (2, 0, 0, 0, 0, 63, 0),
    (0, 0, 1, 0, 1, 63, 0.1),
    (2, 0, -1, 2, 2, -59, 0),
    (0, 0, -1, 0, 1, -58, -0.1),
    (0, 0, 1, 2, 1, -51, 0),
    (-2, 0, 2, 0, 0, 48, 0),
    (0, 0, -2, 2, 1, 46, 0),
    (2, 0, 0, 2, 2, -38, 0),
    (0, 0, 2, 2, 2, -31, 0),
    (0, 0, 2, 0, 0, 29, 0),
    (-2, 0, 1, 2, 2, 29, 0),
    (0, 0, 0, 2, 0, 26, 0),
    (-2, 0, 0, 2, 0, -22, 0),
    (0, 0, -1, 2, 1, 21, 0),
    (0, 2, 0, 0, 0, 17, -0.1),
    (2, 0, -1, 0, 1, 16, 0),
    (-2, 2, 0, 2, 2, -16, 0.1),
    (0, 1, 0, 0, 1, -15, 0),
    (-2, 0, 1, 0, 1, -13, 0),
    (0, -1, 0, 0, 1, -12, 0),
    (0, 0, 2, -2, 0, 11, 0),
)


def delta_t_seconds(year: float) -> float:
    """ΔT = TT − UT in seconds for a decimal year: the Espenak & Meeus (2006) polynomials.

    They fit the historical record up to 2005 and extrapolate after it (NASA's eclipse
    pages use them). The extrapolation ran about 5 s high by 2025 and its uncertainty
    grows to tens of seconds later this century: that moves a solar term or a new moon
    by as much, which decides the calendar day only for events seconds from midnight
    (the new moon of 2057-09-28 is one; this model agrees with the Hong Kong
    Observatory's published table there).
    """
    y = year
    if y < 1860:
        u = (y - 1820) / 100
        return -20 + 32 * u * u
    if y < 1900:
        t = y - 1860
        return (
            7.62
            + 0.5737 * t
            - 0.251754 * t**2
            + 0.01680668 * t**3
            - 0.0004473624 * t**4
            + t**5 / 233174
        )
    if y < 1920:
        t = y - 1900
        return -2.79 + 1.494119 * t - 0.0598939 * t**2 + 0.0061966 * t**3 - 0.000197 * t**4
    if y < 1941:
        t = y - 1920
        return 21.20 + 0.84493 * t - 0.076100 * t**2 + 0.0020936 * t**3
    if y < 1961:
        t = y - 1950
        return 29.07 + 0.407 * t - t**2 / 233 + t**3 / 2547
    if y < 1986:
        t = y - 1975
        return 45.45 + 1.067 * t - t**2 / 260 - t**3 / 718
    if y < 2005:
        t = y - 2000
        return (
            63.86
            + 0.3345 * t
            - 0.060374 * t**2
            + 0.0017275 * t**3
            + 0.000651814 * t**4
            + 0.00002373599 * t**5
        )
    if y < 2050:
        t = y - 2000
        return 62.92 + 0.32217 * t + 0.005589 * t**2
    u = (y - 1820) / 100
    if y < 2150:
        return -20 + 32 * u * u - 0.5628 * (2150 - y)
    return -20 + 32 * u * u


def _decimal_year(jd: float) -> float:
    return 2000.0 + (jd - _J2000) / 365.25


def jd_tt_to_utc(jde: float) -> datetime:
    """Convert a Julian Ephemeris Day (TT) to an aware UTC datetime (to the second).

    UT1 and UTC differ by less than 0.9 s, far below the accuracy that matters here.
    """
    jd_ut = jde - delta_t_seconds(_decimal_year(jde)) / 86400.0
    seconds = round((jd_ut - _UNIX_EPOCH_JD) * 86400.0)
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)


def utc_to_jd_tt(moment: datetime) -> float:
    """Convert an aware datetime to a Julian Ephemeris Day (TT)."""
    delta = moment.astimezone(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    jd_ut = _UNIX_EPOCH_JD + delta.total_seconds() / 86400.0
    return jd_ut + delta_t_seconds(_decimal_year(jd_ut)) / 86400.0


def apparent_solar_longitude(jde: float) -> float:
    """The Sun's apparent geocentric ecliptic longitude of date, in degrees [0, 360)."""
    tau = (jde - _J2000) / 365250.0
    total = 0.0
    for power, series in enumerate(_L_SERIES):
        s = sum(a * math.cos(b + c * tau) for a, b, c in series)
        total += s * tau**power
    earth_l = total / 1e8
    # Geocentric = heliocentric Earth + 180°; then VSOP87 dynamical ecliptic → FK5.
    sun = math.degrees(earth_l) + 180.0
    t = tau * 10.0
    sun -= 0.09033 / 3600.0
    # Nutation in longitude (IAU 1980, terms above 0.001") and aberration (−20.4898"/R).
    dpsi = nutation_in_longitude(t)
    anomaly = math.radians(357.52911 + 35999.05029 * t)
    ecc = 0.016708634 - 0.000042037 * t
    radius = 1.000001018 * (1 - ecc * ecc) / (1 + ecc * math.cos(anomaly + _centre(t, anomaly)))
    sun += (dpsi - 20.4898 / radius) / 3600.0
    return sun % 360.0


def nutation_in_longitude(t: float) -> float:
    """Δψ in arc seconds, ``t`` in Julian centuries of TT from J2000 (Meeus ch. 22)."""
    d = math.radians(297.85036 + 445267.111480 * t - 0.0019142 * t * t + t**3 / 189474)
    m = math.radians(357.52772 + 35999.050340 * t - 0.0001603 * t * t - t**3 / 300000)
    mp = math.radians(134.96298 + 477198.867398 * t + 0.0086972 * t * t + t**3 / 56250)
    f = math.radians(93.27191 + 483202.017538 * t - 0.0036825 * t * t + t**3 / 327270)
    om = math.radians(125.04452 - 1934.136261 * t + 0.0020708 * t * t + t**3 / 450000)
    total = 0.0
    for cd, cm, cmp, cf, co, amp, rate in _NUTATION:
        total += (amp + rate * t) * math.sin(cd * d + cm * m + cmp * mp + cf * f + co * om)
    return total * 1e-4


def _centre(t: float, anomaly: float) -> float:
    # Equation of the centre (radians) for the Earth–Sun distance only.
    c = (
        (1.914602 - 0.004817 * t) * math.sin(anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * anomaly)
        + 0.000289 * math.sin(3 * anomaly)
    )
    return math.radians(c)


def solar_longitude_crossing(target_deg: float, near_jde: float) -> float:
    """The JDE (TT) nearest ``near_jde`` at which the apparent longitude is ``target_deg``."""
    jde = near_jde
    for _ in range(20):
        diff = (target_deg - apparent_solar_longitude(jde) + 180.0) % 360.0 - 180.0
        # The Sun moves 0.95–1.02°/day; the mean rate converges in a few steps.
        jde += diff * _TROPICAL_YEAR / 360.0
        if abs(diff) < 1e-7:
            break
    return jde


def term_jde(year: int, longitude: float) -> float:
    """The JDE (TT) in Gregorian ``year`` at which the Sun reaches ``longitude`` degrees."""
    # Mean date of the crossing: the March equinox is near March 20.
    march_equinox = 2451623.81 + _TROPICAL_YEAR * (year - 2000)
    offset = (longitude % 360.0) * _TROPICAL_YEAR / 360.0
    if longitude > 270.0:
        offset -= _TROPICAL_YEAR  # 小寒..驚蟄 come before the equinox in the same year
    return solar_longitude_crossing(longitude, march_equinox + offset)


def new_moon_jde(k: int) -> float:
    """JDE (TT) of the true new moon number ``k`` (k = 0 is the one of 2000-01-06)."""
    t = k / 1236.85
    jde = (
        2451550.09766
        + _SYNODIC_MONTH * k
        + 0.00015437 * t**2
        - 0.000000150 * t**3
        + 0.00000000073 * t**4
    )
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = math.radians(2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3)
    mp = math.radians(
        201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    )
    f = math.radians(
        160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    )
    om = math.radians(124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3)
    for coeff, e_power, cm, cmp, cf, co in _NEW_MOON_TERMS:
        jde += coeff * e**e_power * math.sin(cm * m + cmp * mp + cf * f + co * om)
    for i, (base, rate, coeff) in enumerate(_PLANETARY):
        arg = base + rate * k
        if i == 0:
            arg -= 0.009173 * t**2
        jde += coeff * math.sin(math.radians(arg))
    return jde


def new_moon_index_near(jde: float) -> int:
    """The lunation number ``k`` whose mean new moon is nearest ``jde``."""
    return round((jde - 2451550.09766) / _SYNODIC_MONTH)
