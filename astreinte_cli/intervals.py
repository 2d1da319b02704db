"""Sets of instants as sorted, disjoint, half-open intervals ``[start, end)``.

Every function takes and returns normalised lists: sorted by start, no two intervals touching
or overlapping, none empty. That is the one representation of a window (SPEC §4: ranges that
touch or overlap merge, and no edge remains where they meet).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from operator import itemgetter

Interval = tuple[dt.datetime, dt.datetime]
Intervals = list[Interval]


def union(items: Iterable[Interval]) -> Intervals:
    result: Intervals = []
    for start, end in sorted(i for i in items if i[0] < i[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def intersect(a: Intervals, b: Intervals) -> Intervals:
    result: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def clip(a: Intervals, start: dt.datetime, end: dt.datetime) -> Intervals:
    """The part of ``a`` in ``[start, end)``: ``intersect(a, [(start, end)])``, found by
    bisection, so that cutting one long list by many windows is not a pass over it for each."""
    result: Intervals = []
    k = bisect_right(a, start, key=itemgetter(1))
    while k < len(a) and a[k][0] < end:
        piece = (max(a[k][0], start), min(a[k][1], end))
        if piece[0] < piece[1]:
            result.append(piece)
        k += 1
    return result


def complement(a: Intervals, start: dt.datetime, end: dt.datetime) -> Intervals:
    """``[start, end)`` minus ``a``."""
    result: Intervals = []
    cursor = start
    for s, e in a:
        if e <= cursor:
            continue
        if s >= end:
            break
        if s > cursor:
            result.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        result.append((cursor, end))
    return result


def subtract(a: Intervals, b: Intervals) -> Intervals:
    if not a:
        return []
    return intersect(a, complement(b, a[0][0], a[-1][1]))
