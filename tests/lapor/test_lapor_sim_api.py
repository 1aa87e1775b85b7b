"""The simulator speaks the v3 contract on the wire: auth, envelopes, paging, errors."""

from __future__ import annotations

import re

import pytest
import requests

WIRE_TIME = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}")


def auth(sim, token=None, secret=None):
    return {"Authorization": f"Bearer {secret or sim.secret}", "token": token or sim.token}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"token": "sim-token"},
        {"Authorization": "Bearer sim-secret"},
        {"Authorization": "Bearer wrong", "token": "sim-token"},
        {"Authorization": "sim-secret", "token": "sim-token"},
        {"Authorization": "Bearer sim-secret", "token": "wrong"},
    ],
)
def test_both_auth_headers_are_required(sim, headers):
    response = requests.get(sim.base_url + "/masters/institutions/external", headers=headers)
    assert response.status_code == 401
    assert "message" in response.json()["results"]


def test_master_list_is_paged_inside_the_results_envelope(sim):
    url = sim.base_url + "/masters/institutions/external"
    first = requests.get(url, params={"page_size": 10}, headers=auth(sim)).json()["results"]
    last = requests.get(url, params={"page": 3, "page_size": 10}, headers=auth(sim)).json()
    assert len(first["data"]) == 10
    assert first["data"][0] == {"id": 1001, "name": "Pemerintah Kota Tegal"}
    assert first["pagination"] == {"page": 1, "page_size": 10, "total": 25, "total_pages": 3}
    assert len(last["results"]["data"]) == 5


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 1001}, {"page_size": "x"}])
def test_bad_paging_is_refused(sim, params):
    url = sim.base_url + "/masters/institutions/external"
    assert requests.get(url, params=params, headers=auth(sim)).status_code == 422


def test_create_upload_detail_on_the_wire(sim):
    upload = requests.post(
        sim.base_url + "/complaints/complaint/file",
        files=[("attachments[]", ("foto.jpg", b"\xff\xd8jpeg", "image/jpeg"))],
        headers=auth(sim),
    ).json()["results"]
    doc_id = upload["docs"][0]["id"]
    created = requests.post(
        sim.base_url + "/complaints/complaint",
        json={
            "title": "Lampu jalan mati",
            "content": "Lampu PJU di Jl. Gajah Mada mati sejak seminggu.",
            "disposition_id": 1006,
            "channel": 1,
            "tags_raw": "pju,lapor-bridge:k-1",
            "is_anonymous": 1,
            "is_secret": 0,
            "attachments": [doc_id],
        },
        headers=auth(sim),
    ).json()["results"]["data"]
    complaint_id = created["complaint_id"]
    assert 1_000_000 <= complaint_id < 10_000_000

    detail = requests.get(
        sim.base_url + f"/complaints/{complaint_id}/complaint", headers=auth(sim)
    ).json()["results"]
    data = detail["data"]
    assert data["status_name"] == "Belum Terverifikasi"
    assert (data["disposition_id"], data["disposition_name"]) == (
        1006,
        "Dinas Perhubungan Kota Tegal",
    )
    assert data["is_anonymous"] == 1
    assert data["attachments"] == [{"id": doc_id, "name": "foto.jpg"}]
    assert WIRE_TIME.fullmatch(data["created_at"])
    (first_log,) = detail["data_logs"]
    assert first_log["status_new"] == "Belum Terverifikasi"
    assert WIRE_TIME.fullmatch(first_log["created_at"])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"content": "isi", "disposition_id": 1002}, "title"),
        ({"title": "judul", "content": "isi", "disposition_id": 9999}, "9999"),
        ({"title": "judul", "content": "isi", "disposition_id": 1002, "attachments": [42]}, "42"),
    ],
)
def test_invalid_create_is_refused_with_a_message(sim, body, problem):
    response = requests.post(sim.base_url + "/complaints/complaint", json=body, headers=auth(sim))
    assert response.status_code == 422
    assert problem in response.json()["results"]["message"]


def test_unknown_report_and_route_answer_json_404(sim):
    for path in ("/complaints/1234567/complaint", "/nothing/here"):
        response = requests.get(sim.base_url + path, headers=auth(sim))
        assert response.status_code == 404
        assert "message" in response.json()["results"]


def test_followup_add_takes_multipart_with_indexed_attachments(sim, disposed_report):
    response = requests.post(
        sim.base_url + "/complaints/followup/add",
        data={
            "user_id": 1,
            "institution_from_id": 1002,
            "institution_to_id": "",
            "complaint_id": disposed_report,
            "template_code": "TL-PROSES",
            "rating": 0,
            "is_secret": 0,
            "content": "Tim sudah meninjau lokasi.",
        },
        files=[
            ("attachment[1]", ("b.jpg", b"2", "image/jpeg")),
            ("attachment[0]", ("a.jpg", b"1", "image/jpeg")),
        ],
        headers=auth(sim),
    )
    assert response.status_code == 200
    listed = requests.get(
        sim.base_url + f"/complaints/{disposed_report}/followups", headers=auth(sim)
    ).json()["results"]
    (followup,) = listed["data"]
    assert followup["id"] == response.json()["results"]["data"]["id"]
    assert [item["name"] for item in followup["attachments"]] == ["a.jpg", "b.jpg"]
    assert followup["template_code"] == "TL-PROSES"
    assert listed["pagination"]["total"] == 1
