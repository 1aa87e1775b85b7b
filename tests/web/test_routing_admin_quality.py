"""Suggestion quality: how often residents kept the model's first suggestion, per region
and picked category, measured on the complaints filed (services/intake/suggestion_quality)
and shown on the routing page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.intake.suggestion_quality import (
    WINDOW,
    Agreement,
    suggestion_quality,
)
from tests.fakes import FixedModel

ROAD_FIRST = [("jalan", 0.7), ("drainase", 0.2), ("banjir", 0.1)]


def file(ctx, category, model=ROAD_FIRST):
    ctx.classifier = FixedModel(model, target="category") if model else None
    return submit_complaint(ctx, ComplaintInput(
        title="Jalan rusak di depan pasar", kecamatan="Tegal Barat", kelurahan="Kraton",
        description="Jalan berlubang besar di depan pasar, berbahaya untuk pengendara motor.",
        category=category))


def test_the_figures_count_only_residents_picks_with_a_suggestion(ctx):
    start = ctx.clock()
    for category in ("jalan", "jalan", "jalan", "drainase", "banjir"):
        file(ctx, category)
    file(ctx, "drainase", [("drainase", 0.8), ("jalan", 0.2)])   # kept the suggestion
    file(ctx, "lainnya")       # not sure: no pick
    file(ctx, None)            # no pick
    file(ctx, "sampah", None)  # no model, so no suggestion
    file(ctx, "sampah", [("pju", 0.6), ("sampah", 0.4)])

    quality = suggestion_quality(ctx, "33.76", start - WINDOW)
    assert quality.by_category == {
        "jalan": Agreement(3, 3), "drainase": Agreement(2, 1), "banjir": Agreement(1, 0),
        "sampah": Agreement(1, 0)}
    assert quality.overall == Agreement(7, 4)
    assert quality.overall.share == pytest.approx(4 / 7)
    assert quality.by_category["drainase"].share == 0.5
    assert Agreement().share is None

    assert suggestion_quality(ctx, "33.28", start - WINDOW).overall == Agreement(0, 0)
    later = suggestion_quality(ctx, "33.76", ctx.clock() + timedelta(seconds=1))
    assert (later.overall, later.by_category) == (Agreement(0, 0), {})


def test_the_routing_page_shows_the_figures(ctx, client, login):
    login("admin.tegal")
    page = client.get("/admin/rute").get_data(as_text=True)
    assert "belum ada laporan yang kategorinya dipilih sendiri" in page
    for category in ("jalan", "jalan", "drainase"):
        file(ctx, category)
    page = client.get("/admin/rute").get_data(as_text=True)
    assert "dari 3 laporan yang kategorinya dipilih sendiri oleh warga, 67%" in page
    row = page.split('id="row-jalan"', 1)[1].split("</tr>", 1)[0]
    assert "100% dari 2 laporan" in row
    row = page.split('id="row-drainase"', 1)[1].split("</tr>", 1)[0]
    assert "0% dari 1 laporan" in row
