"""The R-trees of the site index: how they are built, and the one-point k-nearest query of the hot path.

Trees hold planar points (u, v metres), ids = row numbers, bulk-loaded from numpy. Node sizes of 16
entries (leaves and inner nodes) make a 16-nearest query over 70,000 points about a third cheaper
than libspatialindex's defaults (100 entries per inner node) and no slower to build
(``scripts/bench_national.py``).

``nearest_ids`` asks libspatialindex through the ctypes binding that ``rtree`` itself uses
(``rtree.core.rt``) and reads the answer as one numpy array, instead of ``Index.nearest``'s
generator (one Python call per id). Same query, same answer, ties included (a test compares them).
"""

from __future__ import annotations

import ctypes

import numpy as np
from rtree import core
from rtree import index as rtree_index

LEAF_CAPACITY = 16
INDEX_CAPACITY = 16

# Our own prototypes of the two C functions (rtree's stay as they are): plain pointers, so that
# a call converts no ctypes object and the ids are read in one copy.
_nearest = core.rt["Index_NearestNeighbors_id"]
_nearest.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_uint32] + [ctypes.c_void_p] * 2
_nearest.restype = ctypes.c_int
_nearest.errcheck = core.check_return
_free = core.rt["Index_Free"]
_free.argtypes = [ctypes.c_void_p]
_free.restype = None
_POINT = ctypes.c_double * 2


def build(uv: np.ndarray) -> rtree_index.Index:
    """R-tree of planar points uv (n, 2), ids = row numbers."""
    props = rtree_index.Property()
    props.leaf_capacity = LEAF_CAPACITY
    props.index_capacity = INDEX_CAPACITY
    props.fill_factor = 0.9
    ids = np.arange(len(uv), dtype=np.int64)
    corners = np.ascontiguousarray(uv, dtype=float)
    return rtree_index.Index((ids, corners, corners), properties=props)


def nearest_ids(tree: rtree_index.Index, u: float, v: float, n: int) -> np.ndarray:
    """Ids of the n points nearest to (u, v), nearest first (more when the farthest are tied)."""
    point = _POINT(u, v)
    count = ctypes.c_uint64(n)
    found = ctypes.c_void_p()
    _nearest(tree.handle, point, point, 2, ctypes.byref(found), ctypes.byref(count))
    try:
        if not count.value:
            return np.empty(0, dtype=np.int64)
        return np.frombuffer(ctypes.string_at(found.value, 8 * count.value), dtype=np.int64)
    finally:
        _free(found)
