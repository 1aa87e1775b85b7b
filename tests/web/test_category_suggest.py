"""The public category-suggestion endpoint (``POST /kategori/saran``), CSRF on, both
databases: its answer for a category model, and a JSON 4xx — never a 500 — for bad input."""

from __future__ import annotations

import json

import pytest

from lapor_bridge.services.intake.routing import SUGGEST_TEXT_LIMIT
from tests.fakes import FixedModel

URL = "/kategori/saran"
STREET_LIGHT = "Lampu jalan mati di depan masjid, gelap sekali kalau malam."


def category_model():
    """Street lights first; "lainnya" (never suggested) and two more behind."""
    return FixedModel([("pju", 0.62), ("lainnya", 0.2), ("lalu_lintas", 0.1), ("jalan", 0.05),
                       ("sampah", 0.03)], target="category", version="kategori-uji")


@pytest.fixture
def ask(client, csrf, ctx):
    """POST a body to the endpoint with the form page's CSRF token, as the page's script does."""
    ctx.classifier = category_model()
    token = csrf("/")

    def _ask(body=None, *, json_body=None, content_type="application/json", query=""):
        if json_body is not None:
            body = json.dumps(json_body)
        return client.post(URL + query, data=body, content_type=content_type,
                           headers={"X-CSRFToken": token, "Accept": "application/json"})

    return _ask


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


def test_suggestions_come_best_first_with_names_and_the_other_choice(ask):
    response = ask(json_body={"text": STREET_LIGHT})
    assert response.status_code == 200
    body = response.get_json()
    assert body["suggestions"] == [
        {"code": "pju", "name": "Penerangan jalan umum (PJU)", "probability": 0.62},
        {"code": "lalu_lintas", "name": "Rambu, marka dan lampu lalu lintas",
         "probability": 0.1},
        {"code": "jalan", "name": "Jalan rusak dan perbaikan jalan", "probability": 0.05},
    ]
    assert body["other"] == {"code": "lainnya", "name": "Lainnya / tidak tahu"}


def test_names_follow_the_pages_language(ask):
    body = ask(json_body={"text": STREET_LIGHT}, query="?lang=en").get_json()
    assert [item["name"] for item in body["suggestions"]] == [
        "Street lights", "Traffic signs, markings and signals", "Damaged roads and road works"]
    assert body["other"]["name"] == "Other / not sure"


def test_a_form_field_text_works_too(ask):
    response = ask(f"text={STREET_LIGHT}", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.get_json()["suggestions"][0]["code"] == "pju"


def test_an_agency_model_suggests_nothing(ask, ctx):
    ctx.classifier = FixedModel.routing_to("DISHUB")
    response = ask(json_body={"text": STREET_LIGHT})
    assert response.status_code == 200
    assert response.get_json()["suggestions"] == []
    assert response.get_json()["other"]["code"] == "lainnya"


def test_no_model_suggests_nothing(ask, ctx):
    ctx.classifier = None
    response = ask(json_body={"text": STREET_LIGHT})
    assert response.status_code == 200 and response.get_json()["suggestions"] == []


def test_suggesting_queries_no_database(ask, ctx, monkeypatch):
    def no_database(*args, **kwargs):
        raise AssertionError("a suggestion must not touch the database")

    monkeypatch.setattr(ctx, "read", no_database)
    monkeypatch.setattr(ctx, "sql_transaction", no_database)
    monkeypatch.setattr(ctx.engine, "connect", no_database)
    monkeypatch.setattr(ctx.engine, "begin", no_database)
    assert ask(json_body={"text": STREET_LIGHT}).status_code == 200


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_400(ask, text):
    response = ask(json_body={"text": text})
    assert response.status_code == 400
    error = error_of(response)
    assert error["fields"]["text"] == "Teks keluhan kosong."


def test_ten_kilobytes_of_text_is_400(ask):
    response = ask(json_body={"text": "lampu mati " * 1000})
    assert response.status_code == 400
    assert f"maksimal {SUGGEST_TEXT_LIMIT} karakter" in error_of(response)["fields"]["text"]


def test_text_just_at_the_limit_is_answered(ask):
    assert ask(json_body={"text": "a" * SUGGEST_TEXT_LIMIT}).status_code == 200


def test_a_body_far_beyond_any_text_is_413(ask):
    response = ask(json_body={"text": "x" * 200_000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


@pytest.mark.parametrize("body", [b'{"text": "lampu \xff\xfe mati di jalan"}',
                                  "{\"text\": \"lampu jalan\"}".encode("utf-16"),
                                  b'{"text": "\\ud800 lampu jalan mati"}'])
def test_a_body_that_is_not_utf8_is_400(ask, body):
    response = ask(body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_encoding"


def test_a_form_body_that_is_not_utf8_is_400(ask):
    response = ask(b"text=lampu jalan mati \xe9\xff",
                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = ask(b"--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
                   b"lampu jalan mati \xe9\xff\r\n--b--\r\n",
                   content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_encoding"


@pytest.mark.parametrize("body", [b"lampu jalan mati", b"", b"{text: 'x'}", b'{"text": ',
                                  b"[" * 20_000 + b"]" * 20_000])
def test_a_body_that_is_not_json_is_400(ask, body):
    response = ask(body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_json"


@pytest.mark.parametrize("payload", [[STREET_LIGHT], "lampu jalan mati", 42, None,
                                     {"teks": STREET_LIGHT}, {"text": 123},
                                     {"text": ["lampu"]}, {"text": None}])
def test_json_of_the_wrong_shape_is_400(ask, payload):
    response = ask(json.dumps(payload))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_request" and '"text"' in error["message"]


def test_without_the_csrf_token_it_is_refused_in_json_in_the_pages_language(client, ctx):
    ctx.classifier = category_model()
    client.get("/")
    response = client.post(URL, json={"text": STREET_LIGHT})
    assert response.status_code == 400
    assert error_of(response)["message"] == "Permintaan tidak dapat dibaca."
    response = client.post(URL + "?lang=en", json={"text": STREET_LIGHT})
    assert error_of(response)["message"] == "The request could not be read."


def test_only_post_is_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_a_broken_model_suggests_nothing_rather_than_failing(ask, ctx):
    class Broken(FixedModel):
        def predict(self, texts, k=3):
            raise RuntimeError("model file damaged")

    ctx.classifier = Broken([("pju", 1.0)], target="category")
    response = ask(json_body={"text": STREET_LIGHT})
    assert response.status_code == 200 and response.get_json()["suggestions"] == []


def test_it_is_rate_limited_per_address_in_json(ask, monkeypatch):
    from lapor_bridge.web import public

    monkeypatch.setattr(public, "SUGGEST_RATE_LIMIT", "3 per minute")
    statuses = [ask(json_body={"text": STREET_LIGHT}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = ask(json_body={"text": STREET_LIGHT})
    assert error_of(response)["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) >= 1


def test_the_real_limit_is_generous():
    from lapor_bridge.web import public
    from lapor_bridge.web.ratelimit import parsed

    per_minute = [item for item in parsed(public.SUGGEST_RATE_LIMIT)
                  if item.GRANULARITY.name == "minute"]
    assert per_minute and per_minute[0].amount >= 60


def test_the_apps_own_starter_model_suggests_and_routes(client, csrf, ctx, app):
    """The app wraps the configured model (timing it for /metrics): suggestions and the
    model path of intake must work through that wrapper, not fall back to triage."""
    token = csrf("/")
    assert ctx.classifier.target == "category" and ctx.classifier.labels
    body = client.post(URL, json={"text": "lampu penerangan jalan mati, gang gelap sekali"},
                       headers={"X-CSRFToken": token}).get_json()
    assert "pju" in [item["code"] for item in body["suggestions"]]
    from lapor_bridge.services.intake.routing import model_scores

    scores = model_scores(ctx, "Air PDAM mati sejak tiga hari, tidak mengalir sama sekali")
    assert scores.categories and max(scores.by_label, key=scores.by_label.get) == "air_pdam"
