"""Map data: bbox checks, keyset paging, scope, the public privacy rule (canary), the
choropleth counts — on both databases, through the real endpoints."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import shapely
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.db.models_places import VillageBoundary
from lapor_bridge.services.places import lookup
from lapor_bridge.services.places.demo import load_demo_boundaries
from lapor_bridge.services.places.map_data import boundary_extent, parse_bbox, snap

CANARY = "KANARI-7f3a9"


@pytest.fixture
def city(ctx):
    """Demo boundaries loaded; the box around them and the centroid of each kelurahan."""
    load_demo_boundaries(ctx)
    lookup.forget(ctx)
    with ctx.read() as session:
        rows = session.execute(select(VillageBoundary.village_id, VillageBoundary.geometry)).all()
    centroids = {village_id: shapely.centroid(shapely.from_wkb(wkb)) for village_id, wkb in rows}
    return boundary_extent(ctx), centroids


def add_complaints(ctx, extent, count, seed=18, **fixed):
    """``count`` complaints at random points (6 decimals, never on the 0.001° grid) in
    ``extent``, with random agency, status, secret and anonymous flags; returns them as
    dicts of what was stored."""
    chance = random.Random(seed)
    points = []
    for _ in range(count):
        lat = round(chance.uniform(extent.min_lat, extent.max_lat), 6) + 0.0000004
        lon = round(chance.uniform(extent.min_lon, extent.max_lon), 6) + 0.0000004
        try:
            points.append((lat, lon, lookup.locate(ctx, lat, lon).village_id))
        except lookup.LocationRefused:
            points.append((lat, lon, None))
    with ctx.transaction() as session:
        region = session.scalar(select(Region).where(Region.code == "33.76"))
        agencies = dict(session.execute(select(Agency.code, Agency.id).where(
            Agency.region_id == region.id)).all())
        start = session.scalar(select(Complaint.id).order_by(Complaint.id.desc())) or 0
        stored = []
        for number, (lat, lon, village_id) in enumerate(points):
            values = {
                "tracking_number": f"MAP{start + number:07d}", "reporter_key_hash": "0" * 64,
                "region_id": region.id, "title": f"Jalan rusak {number}",
                "description": "Lubang besar", "channel": "web", "lat": lat, "lon": lon,
                "village_id": village_id, "category": "jalan",
                "agency_id": agencies[chance.choice(["PUPR", "DLH"])],
                "status": chance.choice(["submitted", "in_progress", "resolved", "rejected"]),
                "is_secret": chance.random() < 0.2, "is_anonymous": chance.random() < 0.2,
                "sla_due_at": ctx.clock() + timedelta(days=chance.choice([-3, 1, 10])),
                "created_at": ctx.clock() - timedelta(days=2),
            } | fixed
            complaint = Complaint(**values)
            session.add(complaint)
            session.flush()
            stored.append(values | {"id": complaint.id})
    return stored


def collect(client, url):
    """Every feature of a layer, following ``next``; and how many pages it took."""
    features, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        features += body["features"]
        pages += 1
        url = body["next"]
    return features, pages


def bbox_text(box):
    return ",".join(str(value) for value in box.as_list())


def public_expected(stored, box, centroids):
    """Independently: which complaints the public layer must show for ``box``."""
    wanted = set()
    for row in stored:
        if row["is_secret"] or row["status"] == "rejected":
            continue
        if row["is_anonymous"]:
            point = centroids.get(row["village_id"])
            if point is None:
                continue
            lon, lat = round(point.x, 3), round(point.y, 3)
        else:
            lon, lat = round(row["lon"], 3), round(row["lat"], 3)
        if box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat:
            wanted.add(row["id"])
    return wanted


@pytest.mark.parametrize("bbox", [
    None, "", "1,2,3", "a,b,c,d", "109.1,-6.9,nan,-6.8",
    "109.2,-6.9,109.1,-6.8",          # min lon > max lon
    "-6.9,109.1,-6.8,109.2",          # lat,lon order
    "9.1,46.9,9.2,47.0",              # outside Indonesia
    "108.0,-7.5,110.0,-6.0",          # more than 1° a side
])
def test_bad_bbox_is_400_with_a_reason(client, bbox):
    url = "/peta/laporan.geojson" + ("" if bbox is None else f"?bbox={bbox}")
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["errors"]["bbox"]


@pytest.mark.parametrize("query", ["limit=0", "limit=5000", "after=-1", "after=x", "limit=1.5"])
def test_bad_paging_is_400(client, query):
    response = client.get(f"/peta/laporan.geojson?bbox=109.1,-6.9,109.2,-6.8&{query}")
    assert response.status_code == 400
    assert response.get_json()["errors"]["paging"]


def test_swapped_bbox_names_the_order():
    with pytest.raises(Exception) as refused:
        parse_bbox("-6.9,109.1,-6.8,109.2")
    assert "bujur,lintang" in str(refused.value)


def test_public_pages_cover_the_bbox_once(client, ctx, city):
    extent, centroids = city
    stored = add_complaints(ctx, extent, 80)
    # The western half of the city: some complaints inside, some not.
    box = parse_bbox(f"{extent.min_lon},{extent.min_lat},"
                     f"{(extent.min_lon + extent.max_lon) / 2},{extent.max_lat}")
    features, pages = collect(client, f"/peta/laporan.geojson?bbox={bbox_text(box)}&limit=7")
    ids = [feature["id"] for feature in features]
    assert len(ids) == len(set(ids)), "a complaint appeared twice"
    assert set(ids) == public_expected(stored, box, centroids)
    assert pages >= 3
    assert ids == sorted(ids)


def test_officer_sees_only_open_complaints_of_their_agency(client, login, ctx, city):
    extent, _ = city
    stored = add_complaints(ctx, extent, 60)
    login("petugas.pupr")
    with ctx.read() as session:
        pupr = session.scalar(select(Agency.id).join(Region).where(
            Agency.code == "PUPR", Region.code == "33.76"))  # the neighbours have one too
    features, _ = collect(client, f"/petugas/peta/laporan.geojson?bbox={bbox_text(extent)}&limit=9")
    ids = [feature["id"] for feature in features]
    assert len(ids) == len(set(ids))
    assert set(ids) == {row["id"] for row in stored if row["agency_id"] == pupr
                        and row["status"] in ("submitted", "in_progress")}
    exact = {row["id"]: [row["lon"], row["lat"]] for row in stored}
    for feature in features:  # staff see exact positions and the SLA state
        assert feature["geometry"]["coordinates"] == exact[feature["id"]]
        assert feature["properties"]["sla_state"] in ("overdue", "due_soon", "on_time")
    states = {row["id"]: row["sla_due_at"] - ctx.clock() for row in stored}
    for feature in features:
        left = states[feature["id"]]
        expected = "overdue" if left < timedelta(0) else (
            "due_soon" if left <= timedelta(days=2) else "on_time")
        assert feature["properties"]["sla_state"] == expected


def test_canary_public_map_never_shows_rahasia_text_or_exact_points(client, ctx, city):
    extent, centroids = city
    stored = add_complaints(ctx, extent, 60)
    stored += add_complaints(ctx, extent, 5, seed=7, is_secret=True, status="in_progress",
                             title=f"{CANARY} rahasia", description=f"{CANARY} di rumah saya")
    stored += add_complaints(ctx, extent, 5, seed=8, is_secret=False, is_anonymous=False,
                             status="in_progress", title=f"{CANARY} judul",
                             description=f"{CANARY} isi")
    by_id = {row["id"]: row for row in stored}
    features, _ = collect(client, f"/peta/laporan.geojson?bbox={bbox_text(extent)}&limit=13")
    raw = client.get(f"/peta/laporan.geojson?bbox={bbox_text(extent)}&limit=2000")
    page = client.get("/peta")
    for text in (raw.get_data(as_text=True), page.get_data(as_text=True)):
        assert CANARY not in text
        for row in stored:
            assert repr(row["lat"]) not in text and repr(row["lon"]) not in text
            assert row["tracking_number"] not in text
    assert features, "the canary needs some public features to look at"
    for feature in features:
        row = by_id[feature["id"]]
        assert not row["is_secret"]
        lon, lat = feature["geometry"]["coordinates"]
        for value in (lon, lat):
            assert abs(value * 1000 - round(value * 1000)) < 1e-6, "not on the 0.001° grid"
        assert (lon, lat) != (row["lon"], row["lat"])
        assert set(feature["properties"]) == {"category", "category_label", "status",
                                              "status_label", "anonymous"}
        if row["is_anonymous"]:
            centroid = centroids[row["village_id"]]
            assert (lon, lat) == (snap(centroid.x), snap(centroid.y))
            assert (lon, lat) != (snap(row["lon"]), snap(row["lat"]))
        else:
            assert abs(lon - row["lon"]) <= 0.0005 + 1e-9
            assert abs(lat - row["lat"]) <= 0.0005 + 1e-9


def test_public_layer_leaves_out_federation_members(client, ctx, city):
    from lapor_bridge.db.models_federation import FederationMember

    extent, _ = city
    with ctx.transaction() as session:
        member = FederationMember(name="Kab. Cilacap", key_prefix="abcd1234", key_hash="f" * 64)
        session.add(member)
        session.flush()
        member_id = member.id
    stored = add_complaints(ctx, extent, 10, seed=3, is_secret=False, is_anonymous=False,
                            status="in_progress", member_id=member_id)
    features, _ = collect(client, f"/peta/laporan.geojson?bbox={bbox_text(extent)}")
    assert not {feature["id"] for feature in features} & {row["id"] for row in stored}


def test_choropleth_counts_equal_an_independent_count(client, login, ctx, city):
    extent, _ = city
    stored = add_complaints(ctx, extent, 70)
    old = add_complaints(ctx, extent, 10, seed=5, created_at=ctx.clock() - timedelta(days=60))
    login("koordinator.jateng")
    body = client.get("/dasbor/peta/kelurahan.geojson?periode=30h").get_json()
    counts = {feature["id"]: feature["properties"] for feature in body["features"]}
    now = ctx.clock()
    for village_id, properties in counts.items():
        mine = [row for row in stored if row["village_id"] == village_id]
        late = [row for row in mine if row["status"] in ("submitted", "in_progress")
                and row["sla_due_at"] < now]
        assert properties["count"] == len(mine)
        assert properties["overdue"] == len(late)
    assert sum(p["count"] for p in counts.values()) + body["unmapped"] == len(stored)
    assert not {row["village_id"] for row in old} - set(counts) - {None}
    with ctx.read() as session:
        pupr = session.scalar(select(Agency.id).join(Region).where(
            Agency.code == "PUPR", Region.code == "33.76"))  # the neighbours have one too
    body = client.get(f"/dasbor/peta/kelurahan.geojson?periode=30h&instansi={pupr}").get_json()
    assert sum(f["properties"]["count"] for f in body["features"]) + body["unmapped"] == len(
        [row for row in stored if row["agency_id"] == pupr])


def test_choropleth_pages_cover_the_scope_once_with_one_scale(client, login, ctx, city):
    extent, _ = city
    add_complaints(ctx, extent, 60, seed=7)
    login("koordinator.jateng")
    whole = client.get("/dasbor/peta/kelurahan.geojson?periode=30h&wilayah=33.76&limit=2000")
    whole = whole.get_json()
    assert whole["next"] is None and len(whole["features"]) > 8
    features, pages = collect(
        client, "/dasbor/peta/kelurahan.geojson?periode=30h&wilayah=33.76&limit=4")
    assert pages == -(-len(whole["features"]) // 4)
    assert [f["id"] for f in features] == [f["id"] for f in whole["features"]]
    assert [f["properties"] for f in features] == [f["properties"] for f in whole["features"]]
    counts = [f["properties"]["count"] for f in features]
    shares = [f["properties"]["overdue_share"] or 0 for f in features]
    assert whole["scale"] == {"count": max(counts), "overdue_share": max(shares)}
    assert whole["bbox"] == pytest.approx(extent.as_list())
    page = client.get("/dasbor/peta/kelurahan.geojson?periode=30h&wilayah=33.76&limit=4")
    assert "wilayah=33.76" in page.get_json()["next"] and "periode=30h" in page.get_json()["next"]


def test_choropleth_bbox_keeps_the_polygons_that_meet_it(client, login, ctx, city):
    extent, centroids = city
    login("koordinator.jateng")
    west = (f"{extent.min_lon},{extent.min_lat},"
            f"{(extent.min_lon + extent.max_lon) / 2},{extent.max_lat}")
    body = client.get(f"/dasbor/peta/kelurahan.geojson?periode=30h&wilayah=33.76&bbox={west}")
    ids = {feature["id"] for feature in body.get_json()["features"]}
    middle = (extent.min_lon + extent.max_lon) / 2
    assert {v for v, point in centroids.items() if point.x < middle} & set(ids)
    with ctx.read() as session:
        bounds = dict(session.execute(select(VillageBoundary.village_id,
                                             VillageBoundary.min_lon)).all())
    assert all(bounds[village] <= middle for village in ids)
    assert {v for v in centroids if bounds[v] > middle} and not (
        {v for v in centroids if bounds[v] > middle} & ids)


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=100.0,-8.5,110.5,-6.0", "limit=0",
                                   "after=-1"])
def test_choropleth_bad_bbox_or_paging_is_400(client, login, city, query):
    login("koordinator.jateng")
    response = client.get(f"/dasbor/peta/kelurahan.geojson?periode=30h&{query}")
    assert response.status_code == 400 and response.get_json()["errors"]


def test_choropleth_accepts_a_province_wide_box(client, login, city):
    login("koordinator.jateng")
    body = client.get("/dasbor/peta/kelurahan.geojson?periode=30h&bbox=108.5,-8.3,111.8,-6.3")
    assert body.status_code == 200 and body.get_json()["features"]


def test_layers_speak_the_visitors_language(client, ctx, city):
    extent, _ = city
    add_complaints(ctx, extent, 10, seed=9, is_secret=False, is_anonymous=False,
                   status="in_progress")
    url = f"/peta/laporan.geojson?bbox={bbox_text(extent)}"
    indonesian = client.get(url).get_json()["features"][0]["properties"]
    english = client.get(url + "&lang=en").get_json()
    english = english["features"][0]["properties"]
    assert indonesian["status_label"] == "Dalam Proses"
    assert english["status_label"] == "In progress"
    assert english["category_label"] != indonesian["category_label"]
