"""Smooth curves through given points: the body's outline and anatomy hints, and the channels.

One function draws them all, `catmull_rom`: a Catmull-Rom spline, which passes exactly through
every point it is given. The body's outline uses the uniform kind (alpha 0); the channels use the
centripetal kind (alpha 0.5), which never forms a cusp or a loop however unevenly the points are
spaced, with its tangents held short enough that no stretch bulges far from the straight path
between its two points (`bounded`), so a channel never swings out past the body's outline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

XY = tuple[float, float]

UNIFORM = 0.0
CENTRIPETAL = 0.5
# A bounded stretch's tangents are at most this many times its chord: the curve then stays within
# 8/27 * TANGENT_LIMIT of the chord's length from the straight line (the Hermite weights of the
# tangents are at most 4/27 each), and it never runs back past either end (Fritsch and Carlson's
# condition for a monotone cubic holds well inside 3).
TANGENT_LIMIT = 1.0
CHANNEL_TURN = math.radians(6.0)  # a channel's curve turns at most this much between two samples
CHANNEL_SAMPLES = 10  # ... with at most this many samples per stretch between two points


def catmull_rom(
    points: Sequence[XY],
    samples: int,
    closed: bool,
    alpha: float = UNIFORM,
    bounded: bool = False,
    max_turn: float | None = None,
    digits: int = 3,
) -> list[XY]:
    """A Catmull-Rom spline through `points`, `samples` points per stretch between two of them.

    `alpha` sets the knot spacing: 0 uniform, 0.5 centripetal (no cusps or loops). The given points
    are kept exactly; the samples between them are rounded to `digits` decimals. With `bounded`,
    each stretch's tangents are clamped to TANGENT_LIMIT times its chord (the direction kept, so the
    curve stays smooth), which bounds its bulge. With `max_turn` (radians), a stretch gets only as
    many samples as its bend needs, up to `samples`: a straight stretch is drawn as one segment.
    An open curve's ends continue their first and last stretch (as if the end point were doubled)."""
    n = len(points)
    if n < 2:
        return list(points)
    out: list[XY] = []
    segments = n if closed else n - 1
    for i in range(segments):
        p0 = points[(i - 1) % n] if closed or i > 0 else points[0]
        p1, p2 = points[i], points[(i + 1) % n]
        p3 = points[(i + 2) % n] if closed or i + 2 < n else points[-1]
        chord = (p2[0] - p1[0], p2[1] - p1[1])
        if alpha == UNIFORM and not bounded:
            # The tangents are (p2 - p0) / 2 and (p3 - p1) / 2; the classic matrix form, term by term.
            m1 = ((p2[0] - p0[0]) / 2, (p2[1] - p0[1]) / 2)
            m2 = ((p3[0] - p1[0]) / 2, (p3[1] - p1[1]) / 2)
            c1 = (-p0[0] + p2[0], -p0[1] + p2[1])
            c2 = tuple(2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k] for k in (0, 1))
            c3 = tuple(-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k] for k in (0, 1))
        else:
            m1, m2 = _tangents(p0, p1, p2, p3, alpha)
            if bounded:
                m1, m2 = _clamped(m1, chord), _clamped(m2, chord)
            c1 = (2 * m1[0], 2 * m1[1])
            c2 = tuple(6 * (p2[k] - p1[k]) - 4 * m1[k] - 2 * m2[k] for k in (0, 1))
            c3 = tuple(4 * (p1[k] - p2[k]) + 2 * m1[k] + 2 * m2[k] for k in (0, 1))
        steps = samples if max_turn is None else _steps(m1, chord, m2, samples, max_turn)
        for step in range(steps):
            t = step / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    round(0.5 * (2 * p1[k] + c1[k] * t + c2[k] * t2 + c3[k] * t3), digits) for k in (0, 1)
                )
            )
    if not closed:
        out.append(points[-1])
    return out


def smooth_path(points: Sequence[XY]) -> list[XY]:
    """A channel's course through its points: centripetal, bounded, sampled by its bends."""
    return catmull_rom(points, CHANNEL_SAMPLES, closed=False, alpha=CENTRIPETAL, bounded=True, max_turn=CHANNEL_TURN)


def _tangents(p0: XY, p1: XY, p2: XY, p3: XY, alpha: float) -> tuple[XY, XY]:
    """The tangents at p1 and p2 of the stretch p1-p2, scaled to a parameter running 0 to 1 over it.

    Knots are spaced by the distance between points to the power alpha (Barry and Goldman's form of
    the Catmull-Rom spline); a doubled end point takes its neighbour's spacing."""
    d12 = math.dist(p1, p2) ** alpha or 1.0
    d01 = math.dist(p0, p1) ** alpha if p0 != p1 else d12
    d23 = math.dist(p2, p3) ** alpha if p2 != p3 else d12
    d01, d23 = d01 or d12, d23 or d12
    m1 = tuple(d12 * ((p1[k] - p0[k]) / d01 - (p2[k] - p0[k]) / (d01 + d12) + (p2[k] - p1[k]) / d12) for k in (0, 1))
    m2 = tuple(d12 * ((p2[k] - p1[k]) / d12 - (p3[k] - p1[k]) / (d12 + d23) + (p3[k] - p2[k]) / d23) for k in (0, 1))
    return (m1[0], m1[1]), (m2[0], m2[1])


def _clamped(tangent: XY, chord: XY) -> XY:
    limit = TANGENT_LIMIT * math.hypot(*chord)
    length = math.hypot(*tangent)
    if length <= limit:
        return tangent
    return tangent[0] * limit / length, tangent[1] * limit / length


def _angle(a: XY, b: XY) -> float:
    if a == (0.0, 0.0) or b == (0.0, 0.0):
        return 0.0
    return abs(math.atan2(a[0] * b[1] - a[1] * b[0], a[0] * b[0] + a[1] * b[1]))


def _steps(m1: XY, chord: XY, m2: XY, samples: int, max_turn: float) -> int:
    """Samples enough that the drawn polyline turns at most `max_turn` at each of them."""
    turn = _angle(m1, chord) + _angle(chord, m2)
    return max(1, min(samples, math.ceil(turn / max_turn)))
