"""The complaint form's category field through Flask's test client (CSRF on, both
databases): the plain select, what a POST stores, and the form kept after an error."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Complaint
from lapor_bridge.domain.categories import CATEGORIES
from tests.fakes import FixedModel
from tests.web.test_public_form import submit


def stored(ctx, location: str) -> Complaint:
    number = location.rsplit("/", 1)[1]
    with ctx.read() as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_number == number))


def select_html(page: str) -> str:
    return re.search(r'<select id="category".*?</select>', page, re.S).group(0)


def test_the_form_has_a_grouped_select_that_works_without_javascript(client):
    page = client.get("/").get_data(as_text=True)
    plain = select_html(page)
    assert 'name="category"' in plain
    first = re.search(r"<option[^>]*>[^<]*</option>", plain).group(0)
    assert first == '<option value="">Lainnya / tidak tahu</option>'
    assert '<optgroup label="Jalan, saluran dan prasarana">' in plain
    assert '<option value="pju" >Penerangan jalan umum (PJU)</option>' in plain
    assert 'value="lainnya"' not in plain  # "not sure" is the first, empty option
    assert len(re.findall(r"<optgroup ", plain)) == 12
    # the big-button picker is there for the script, hidden until it runs
    assert re.search(r'<div class="category-picker" id="category-picker" hidden', page)
    assert 'src="/static/category-picker.js"' in page and 'src="/static/form.js"' in page
    assert page.count('class="choice" data-code=') == len(CATEGORIES) - 1  # all but "lainnya"
    assert 'id="category-other" data-code="lainnya" aria-pressed="false"' in page


def test_the_select_and_the_list_follow_the_pages_language(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    plain = select_html(page)
    assert '<option value="">Other / not sure</option>' in plain
    assert '<optgroup label="Roads, drains and infrastructure">' in plain
    assert ">Street lights</option>" in plain
    assert 'data-code="pju" data-search="penerangan jalan umum (pju) street lights' in page


def test_a_chosen_category_is_filed_and_shown_on_the_receipt(client, csrf, ctx):
    ctx.classifier = FixedModel([("sampah", 0.9), ("pju", 0.1)], target="category")
    response = submit(client, csrf, category="pju")
    assert response.status_code == 302
    row = stored(ctx, response.location)
    assert (row.resident_category, row.category, row.route_reason) == (
        "pju", "pju", "resident_category")
    receipt = client.get(response.location).get_data(as_text=True)
    assert re.search(r'id="category-name">Kategori: Penerangan jalan umum \(PJU\)<', receipt)


def test_the_receipt_names_the_category_in_english(client, csrf, ctx):
    response = submit(client, csrf, category="sampah")
    receipt = client.get(response.location + "?lang=en").get_data(as_text=True)
    assert 'id="category-name">Category: Waste and cleanliness<' in receipt


@pytest.mark.parametrize(("sent", "resident"), [("", None), ("lainnya", "lainnya"),
                                                (None, None)])
def test_not_sure_leaves_the_choice_to_the_model(client, csrf, ctx, sent, resident):
    ctx.classifier = FixedModel([("sampah", 0.95), ("pju", 0.05)], target="category")
    response = submit(client, csrf, category=sent)
    assert response.status_code == 302
    row = stored(ctx, response.location)
    assert row.resident_category == resident
    assert row.category == "sampah" and row.route_reason == "model_category"
    receipt = client.get(response.location).get_data(as_text=True)
    assert "Sampah dan kebersihan" in receipt


def test_an_unknown_category_is_refused_next_to_the_picker_with_the_text_kept(client, csrf, ctx):
    response = submit(client, csrf, category="bukan_kategori")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="field-error" id="category-error">'
                     r"Kategori &#39;bukan_kategori&#39; tidak dikenal.</p>\s*</fieldset>", page)
    assert 'aria-invalid="true" aria-describedby="category-error"' in select_html(page)
    assert 'value="Lampu jalan mati"' in page and "Lampu PJU di Jl. Werkudoro" in page
    assert "Budi Santoso" in page and "081298765432" in page
    with ctx.read() as session:
        assert session.scalar(select(Complaint)) is None


def test_a_hostile_category_is_escaped(client, csrf):
    response = submit(client, csrf, category='"><script>alert(1)</script>')
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in page


def test_the_chosen_category_is_kept_when_another_field_is_wrong(client, csrf):
    response = submit(client, csrf, category="sampah", description="pendek")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Uraian terlalu pendek" in page
    assert '<option value="sampah" selected>' in select_html(page)
    assert 'data-chosen="sampah"' in page
    assert 'id="category-error"' not in page
