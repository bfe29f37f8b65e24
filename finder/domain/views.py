"""The views of the site index: the matching sites of one criteria, split by frame into parts
that are walked in planar (or chord) order (see finder.domain.index)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from finder.domain import geodesy, rtrees

if TYPE_CHECKING:
    from finder.domain.index import SiteIndex

SCAN_MAX = 1024  # views (and frames' parts) up to this size are scanned: cheaper than a tree
DENSE_SHARE = 0.25  # parts above this share of their frame's sites reuse the frame's tree


class _Part:
    """The matching sites of one frame and how to walk them in planar order."""

    def __init__(self, owner: SiteIndex, frame: int, positions: np.ndarray):
        self.owner = owner
        self.frame = geodesy.FRAMES[frame]
        self.positions = positions
        self.centre, self.reach = geodesy.ball(owner.xyz[positions])
        n, total = len(positions), len(owner.frame_positions[frame])
        self.share = n / total
        if n == total:
            self.kind = "all"
        elif n >= DENSE_SHARE * total:
            self.kind = "dense"
            self.mask = np.zeros(owner.size, dtype=bool)
            self.mask[positions] = True
        else:
            self.kind = "subtree"
        if self.kind == "subtree":
            self.tree, self.ids = rtrees.build(owner.uv[positions]), positions
        else:
            self.tree, self.ids = owner.trees[frame], owner.frame_positions[frame]

    def walker(self, p: tuple[float, float, float]):
        """n -> planar_nearest(n) from the ECEF point p, seen in this part's frame."""
        u, v = self.frame.plane1(p)
        return lambda n: self.planar_nearest(u, v, n)

    def planar_nearest(self, u: float, v: float, n: int) -> tuple[np.ndarray, np.ndarray, float, bool]:
        """Up to n matching positions nearest to (u, v), in planar order.

        Returns (positions, their planar distances, radius, exhausted), distances in metres:
        every matching site not returned lies at planar distance >= radius; exhausted is True
        when nothing else matches.
        """
        fetch = n if self.kind != "dense" else int(n / self.share * 1.5) + 8
        got = self.ids[rtrees.nearest_ids(self.tree, u, v, fetch)]
        planar = np.abs(self.owner.w[got] - complex(u, v))
        if len(got) < fetch:
            radius, exhausted = math.inf, True
        else:
            radius, exhausted = float(planar[-1]), False
        if self.kind == "dense":
            keep = self.mask[got]
            got, planar = got[keep], planar[keep]
        return got, planar, radius, exhausted


class _Scan:
    """A few matching sites, walked by chord distance with one vectorised scan (no tree to build)."""

    kind = "scan"

    def __init__(self, owner: SiteIndex, positions: np.ndarray):
        self.positions = positions
        xyz = owner.xyz[positions]
        self.centre, self.reach = geodesy.ball(xyz)
        self.x, self.y, self.z = (np.ascontiguousarray(xyz[:, i]) for i in range(3))  # columns: a faster scan

    def walker(self, p: tuple[float, float, float]):
        return lambda n: self.chord_nearest(p, n)

    def chord_nearest(self, p: tuple[float, float, float], n: int) -> tuple[np.ndarray, np.ndarray, float, bool]:
        """Like _Part.planar_nearest, by chord distance."""
        dx, dy, dz = self.x - p[0], self.y - p[1], self.z - p[2]
        d2 = dx * dx + dy * dy + dz * dz
        if n >= len(d2):
            order = np.argsort(d2, kind="stable")
            return self.positions[order], np.sqrt(d2[order]), math.inf, True
        part = np.argpartition(d2, n)
        head = part[:n][np.argsort(d2[part[:n]], kind="stable")]
        return self.positions[head], np.sqrt(d2[head]), math.sqrt(d2[part[n]]), False


class View:
    """The matching sites of one criteria: scanned when few, else one part per frame (each scanned if few)."""

    def __init__(self, owner: SiteIndex, positions: np.ndarray):
        self.owner = owner
        self.positions = positions
        if len(positions) == 0:
            self.parts = ()
        elif len(positions) <= SCAN_MAX:
            self.parts = (_Scan(owner, positions),)
        else:
            frames = owner.frame[positions]
            self.parts = tuple(part(owner, int(f), positions[frames == f]) for f in np.unique(frames))
        self.kind = "+".join(p.kind for p in self.parts)


def part(owner: SiteIndex, frame: int, positions: np.ndarray):
    if len(positions) <= SCAN_MAX and len(positions) < len(owner.frame_positions[frame]):
        return _Scan(owner, positions)
    return _Part(owner, frame, positions)
