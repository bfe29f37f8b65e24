"""The hot path's k-nearest query answers exactly what rtree's own ``Index.nearest`` answers."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.domain import rtrees

coords = st.floats(-1e5, 1e5, allow_nan=False).map(lambda x: round(x, -3))  # rounded: many exact ties


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=1, max_size=300), coords, coords, st.integers(1, 40))
def test_nearest_ids_equals_rtree_nearest_ties_included(points, u, v, n):
    tree = rtrees.build(np.array(points, dtype=float))
    expected = list(tree.nearest((u, v, u, v), n))
    got = rtrees.nearest_ids(tree, u, v, n)
    assert got.dtype == np.int64
    assert got.tolist() == expected
    assert len(got) >= min(n, len(points))


def test_nearest_ids_are_nearest_first():
    rng = np.random.default_rng(3)
    uv = rng.uniform(-1e4, 1e4, size=(5000, 2))
    tree = rtrees.build(uv)
    got = rtrees.nearest_ids(tree, 12.0, -40.0, 25)
    d = np.hypot(uv[got, 0] - 12.0, uv[got, 1] + 40.0)
    assert np.all(np.diff(d) >= 0)
    brute = np.sort(np.hypot(uv[:, 0] - 12.0, uv[:, 1] + 40.0))[:25]
    assert np.allclose(d, brute)


def test_a_single_point_is_found_from_anywhere():
    tree = rtrees.build(np.array([[5.0, 7.0]]))
    assert rtrees.nearest_ids(tree, -3e5, 2e5, 10).tolist() == [0]
