"""The lower bounds behind exact candidate search: planar (any frame) <= chord <= geodesic, anywhere."""

import math

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from finder.domain import geodesy

lats = st.floats(-89.9, 89.9)
lons = st.floats(-180.0, 180.0)
frames = st.sampled_from(geodesy.FRAMES)


def test_ecef_equals_pyproj_geocentric():
    rng = np.random.default_rng(1)
    la, lo = rng.uniform(-90, 90, 200), rng.uniform(-180, 180, 200)
    x, y, z = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True).transform(lo, la, np.zeros(200))
    assert np.allclose(geodesy.ecef(la, lo), np.column_stack([x, y, z]), rtol=0, atol=1e-6)
    assert np.allclose(geodesy.ecef1(la[0], lo[0]), (x[0], y[0], z[0]), rtol=0, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(lat1=lats, lon1=lons, lat2=lats, lon2=lons, frame=frames)
def test_planar_never_exceeds_chord_nor_geodesic(lat1, lon1, lat2, lon2, frame):
    a, b = geodesy.ecef1(lat1, lon1), geodesy.ecef1(lat2, lon2)
    chord = math.dist(a, b)
    planar = math.dist(frame.plane1(a), frame.plane1(b))
    metres = geodesy.distance_km(lat1, lon1, lat2, lon2) * 1000.0
    assert planar <= chord + 1e-6
    assert chord <= metres + 1e-6
    assert np.allclose(frame.plane(np.array([a, b])), [frame.plane1(a), frame.plane1(b)], rtol=0, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(lat1=st.floats(41.3, 51.1), lon1=st.floats(-5.2, 9.6), lat2=st.floats(41.3, 51.1), lon2=st.floats(-5.2, 9.6))
def test_metropolitan_frame_is_tight(lat1, lon1, lat2, lon2):
    metres = geodesic((lat1, lon1), (lat2, lon2)).m
    frame = geodesy.FRAMES[0]
    planar = math.dist(frame.plane1(geodesy.ecef1(lat1, lon1)), frame.plane1(geodesy.ecef1(lat2, lon2)))
    assert planar >= 0.99 * metres - 1e-6  # a search radius barely larger than the distance sought


@pytest.mark.parametrize(
    "lat, lon, name",
    [
        (48.85, 2.35, "metropole"),
        (41.92, 8.74, "metropole"),  # Ajaccio
        (16.24, -61.53, "antilles"),
        (14.60, -61.07, "antilles"),
        (4.93, -52.33, "guyane"),
        (-20.88, 55.45, "reunion"),
        (-12.78, 45.23, "mayotte"),
    ],
)
def test_points_use_their_territory_s_frame(lat, lon, name):
    assert geodesy.FRAMES[int(geodesy.frame_of(geodesy.ecef([lat], [lon]))[0])].name == name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(lats, lons), min_size=1, max_size=6), lats, lons)
def test_ball_gap_never_exceeds_the_chord_to_a_point_of_the_ball(points, lat, lon):
    xyz = geodesy.ecef([p[0] for p in points], [p[1] for p in points])
    centre, radius = geodesy.ball(xyz)
    assert all(math.dist(centre, q) <= radius + 1e-6 for q in xyz)
    p = geodesy.ecef1(lat, lon)
    gap = geodesy.ball_gap(p, centre, radius)
    assert all(gap <= math.dist(p, q) + 1e-6 for q in xyz)
    assert geodesy.ball_gap(tuple(xyz[0]), centre, radius) <= 1e-6
