"""Property-based tests of intake validation: whatever arrives, the answer is a 201 or a
4xx naming the fields at fault, never a 5xx; accepted values have the declared types."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_bridge.web.api import COMPLAINT_FIELDS
from lapor_bridge.web.schema import flatten, parse_body, parse_params

DECLARED = {spec.name for spec in flatten(COMPLAINT_FIELDS)} | {"contact"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(sorted(DECLARED | {"colour", "contact.name", ""}))
bodies = st.dictionaries(field_names | st.text(max_size=5), json_values, max_size=10)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(body=bodies | json_values)
def test_parse_body_never_raises_and_blames_only_real_names(body):
    values, errors = parse_body(body, COMPLAINT_FIELDS)
    if not isinstance(body, dict):
        assert errors == {"body": "Harus berupa objek JSON."}
        return
    for name in errors:
        assert name in DECLARED or name in body or name.split(".")[0] in body
    for spec in COMPLAINT_FIELDS:
        if spec.name in values and spec.kind is not dict:
            assert isinstance(values[spec.name], spec.kinds)
            assert not isinstance(values[spec.name], bool) or spec.kind is bool


@PROPERTY
@given(form=st.dictionaries(field_names, st.text(max_size=30), max_size=8))
def test_parse_params_reports_a_missing_required_field_by_name(form):
    values, errors = parse_params(form, COMPLAINT_FIELDS, strict=True)
    for required in ("title", "description"):  # kecamatan/kelurahan: or a point
        if not form.get(required):
            assert required in errors


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_the_endpoint_answers_201_or_a_4xx_naming_fields(app, body):
    response = app.test_client().post("/api/v1/complaints", json=body)
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert response.json["error"]["fields"]
