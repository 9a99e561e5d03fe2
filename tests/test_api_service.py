"""The local images service, called in-process through httpx.ASGITransport."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from api_fixtures import (  # noqa: F401 - *_fixture registers the fixtures
    SMALL_FILE,
    SMALL_OPERATION,
    STANDARD_RAMP,
    TOKEN,
    client_fixture,
    data_folder_fixture,
    image_body,
    in_process_client,
    service_app_fixture,
    token_app_fixture,
)

from rampkit.api.client import ImagesClient
from rampkit.api.service import (
    GEOIMAGES_PATH,
    IMAGES_PATH,
    OPERATIONS_PATH,
    FailureMode,
    create_app,
)
from rampkit.api.store import OperationStore
from rampkit.formats.api import from_color_ramp
from rampkit.image import aux_xml
from rampkit.operations import clean_operation, operation_from_geojson
from rampkit.render import render_operation
from rampkit.samples import list_samples, load_sample, sample_dir


def raw(client: ImagesClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Send a request without the client's error handling."""
    return client.http.request(method, client.url(path), **kwargs)


def post_image(client: ImagesClient, body: Any) -> httpx.Response:
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return raw(client, "POST", IMAGES_PATH, content=content,
               headers={"Content-Type": "application/json"})


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert set(problem) >= {"type", "title", "status", "message", "path"}
    return problem


# -- operations -------------------------------------------------------------------


def test_list_has_every_sample(client: ImagesClient) -> None:
    response = raw(client, "GET", OPERATIONS_PATH)
    ids = [item["id"] for item in response.json()]
    assert sorted(ids) == sorted(sample["id"] for sample in list_samples())
    assert response.headers["X-Total-Count"] == str(len(list_samples()))


def test_list_pages_and_links(client: ImagesClient) -> None:
    first = raw(client, "GET", OPERATIONS_PATH, params={"page": 0, "size": 4})
    second = raw(client, "GET", OPERATIONS_PATH, params={"page": 1, "size": 4})
    assert len(first.json()) == 4
    assert len(second.json()) == 2
    assert first.headers["X-Total-Count"] == "6"
    assert "page=1" in first.links["next"]["url"]
    assert "page=1" in first.links["last"]["url"]
    assert "next" not in second.links
    assert "page=0" in second.links["prev"]["url"]
    ids = [item["id"] for item in first.json() + second.json()]
    assert len(set(ids)) == 6


def test_list_links_keep_filters(client: ImagesClient) -> None:
    response = raw(client, "GET", OPERATIONS_PATH,
                   params={"operationType": "harvested", "size": 1})
    assert "operationType=harvested" in response.links["next"]["url"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"operationType": "harvested"},
         {s["id"] for s in list_samples() if s["type"] == "harvested"}),
        ({"operationType": "planted"}, {"field-2-2019-planted-spring-wheat"}),
        ({"fieldId": "field-2"},
         {"field-2-2019-planted-spring-wheat", "field-2-2017-harvest-oats"}),
        # Ends at or after 2019-01-01: the 2019 planting and the 2020 forage harvest.
        ({"startTime": "2019-01-01"},
         {"field-2-2019-planted-spring-wheat", "isoxml-task-1-forage-harvest"}),
        # Starts at or before the end of 2017: only the 2017 oats harvest.
        ({"endTime": "2017-12-31T23:59:59Z"}, {"field-2-2017-harvest-oats"}),
        ({"leafUserId": "someone-else"}, set()),
    ],
)
def test_list_filters(client: ImagesClient, params: dict[str, str], expected: set[str]) -> None:
    response = raw(client, "GET", OPERATIONS_PATH, params=params)
    assert {item["id"] for item in response.json()} == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"size": 101}, r"size 101 is outside 1-100"),
        ({"size": 0}, r"size 0 is outside 1-100"),
        ({"page": -1}, r"page -1 is negative"),
        ({"operationType": "mowed"}, r"operationType 'mowed' is not known; use one of planted"),
        ({"startTime": "last week"}, r"startTime 'last week' is not an ISO 8601 time"),
        ({"page": "two"}, r"page 'two' is invalid"),
    ],
)
def test_list_rejects_bad_parameters(
    client: ImagesClient, params: dict[str, Any], pattern: str
) -> None:
    problem = assert_problem(raw(client, "GET", OPERATIONS_PATH, params=params), 400)
    assert_match(pattern, problem["message"])


def assert_match(pattern: str, text: str) -> None:
    import re

    assert re.search(pattern, text), f"{pattern!r} not found in {text!r}"


def test_get_operation_record(client: ImagesClient) -> None:
    record = raw(client, "GET", f"{OPERATIONS_PATH}/field-2-2017-harvest-oats").json()
    assert record["id"] == "field-2-2017-harvest-oats"
    assert record["type"] == "harvested"
    assert record["fields"] == [{"id": "field-2", "coverage": None}]
    assert record["startTime"].startswith("2017-08-26")
    assert record["files"] == ["ofpe_field-2_2017_harvest_oats.geojson.gz"]
    assert set(record) >= {"apiOwnerUsername", "leafUserId", "endTime", "updatedTime",
                           "providers"}


def test_unknown_operation_is_404(client: ImagesClient) -> None:
    problem = assert_problem(raw(client, "GET", f"{OPERATIONS_PATH}/no-such-op"), 404)
    assert_match(r"operation 'no-such-op' not found; known operations: 'csiro", problem["message"])
    assert problem["path"] == f"{OPERATIONS_PATH}/no-such-op"


def test_unknown_path_is_404_problem(client: ImagesClient) -> None:
    problem = assert_problem(raw(client, "GET", "/services/nothing/here"), 404)
    assert_match(r"path '/services/nothing/here' not found", problem["message"])


def test_standard_and_filtered_geojson(client: ImagesClient) -> None:
    links = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/standardGeojson").json()
    assert set(links) == {"standardGeojson", "downloadStandardGeojson"}
    standard = raw(client, "GET", links["standardGeojson"]).json()
    # SOURCES.md: the CSIRO file has 1,543 points.
    assert len(standard["features"]) == 1543
    assert standard["features"][0]["geometry"]["type"] == "Point"

    download = raw(client, "GET", links["downloadStandardGeojson"])
    assert "attachment" in download.headers["content-disposition"]

    links = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/filteredGeojson").json()
    assert set(links) == {"filteredGeojson", "downloadFilteredGeojson"}
    filtered = raw(client, "GET", links["downloadFilteredGeojson"]).json()
    expected = len(clean_operation(load_sample(SMALL_OPERATION)).operation)
    assert len(filtered["features"]) == expected
    assert len(filtered["features"]) <= 1543


def test_summary_is_a_feature(client: ImagesClient) -> None:
    summary = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/summary").json()
    assert summary["type"] == "Feature"
    assert summary["geometry"]["type"] == "Polygon"
    values = load_sample(SMALL_OPERATION).properties["dryMassPerArea"]
    stats = summary["properties"]["dryMassPerArea"]
    assert stats["avg"] == pytest.approx(float(np.nanmean(values)))
    # SOURCES.md: dry yield mass runs 0.38-7.88 t/ha in this file.
    assert stats["min"] == pytest.approx(0.38, abs=0.01)
    assert stats["max"] == pytest.approx(7.88, abs=0.01)
    assert stats["unit"] == "t/ha"
    assert summary["properties"]["totals"]["points"]["value"] == 1543
    # The CSV logs the distance from the previous point in metres (Distance(m)).
    distance = load_sample(SMALL_OPERATION).properties["distance"]
    assert summary["properties"]["totals"]["distance"] == {
        "value": pytest.approx(float(np.nansum(distance))), "unit": "m"}


def test_units(client: ImagesClient) -> None:
    units = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/units").json()
    # The CSV's column names carry the units: Yld Mass(Dry)(tonne/ha), Moisture(%).
    assert units["dryMassPerArea"] == "t/ha"
    assert units["harvestMoisture"] == "%"


# -- images -------------------------------------------------------------------------


def test_image_equals_in_process_render(client: ImagesClient) -> None:
    response = post_image(client, image_body())
    assert response.status_code == 201
    answer = response.json()
    expected = render_operation(
        load_sample(SMALL_OPERATION), "dryMassPerArea", from_color_ramp(STANDARD_RAMP),
        resolution=2, projection="EPSG:3857", shape="ROUND",
    )
    png = raw(client, "GET", answer["url"])
    assert png.headers["content-type"] == "image/png"
    assert png.content == expected.png
    assert raw(client, "GET", answer["url"] + ".aux.xml").text == aux_xml(expected)
    assert answer["url"].endswith(f"/{answer['id']}/dryMassPerArea")
    assert GEOIMAGES_PATH in answer["url"]
    assert [answer["width"], answer["height"]] == [expected.width, expected.height]
    assert [answer["extent"][k] for k in ("xmin", "ymin", "xmax", "ymax")] == list(
        expected.extent
    )
    assert answer["extent"]["latlonBounds"] == expected.latlon_bounds
    assert answer["basis"]["vmin"] == expected.basis.vmin
    assert answer["basis"]["vmax"] == expected.basis.vmax
    stops = answer["legend"]["stops"]
    assert [stop["position"] for stop in stops] == ["0%", "35%", "45%", "55%", "65%", "75%",
                                                   "100%"]
    assert stops[0]["value"] == expected.basis.vmin
    assert stops[0]["colorCode"] == "#C80000"
    assert answer["legend"]["unit"] == "t/ha"


def test_image_download_link_is_attachment(client: ImagesClient) -> None:
    answer = post_image(client, image_body()).json()
    download = raw(client, "GET", answer["downloadUrl"])
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_equal_requests_share_cache(service_app: Any, client: ImagesClient) -> None:
    cache = service_app.state.rampkit.images
    body = image_body(resolution=3.5)
    first = post_image(client, body).json()
    misses = cache.misses
    again = post_image(client, dict(reversed(list(body.items())))).json()
    other = post_image(client, image_body(resolution=4)).json()
    assert again["id"] == first["id"]
    assert cache.misses == misses + 1  # only the resolution 4 request rendered
    assert other["id"] != first["id"]


def test_projection_spellings_share_cache(client: ImagesClient) -> None:
    underscore = post_image(client, image_body(projection="EPSG_3857")).json()
    colon = post_image(client, image_body(projection="EPSG:3857")).json()
    assert underscore["id"] == colon["id"]
    assert colon["projection"] == "EPSG:3857"


def test_image_in_4326(client: ImagesClient) -> None:
    answer = post_image(client, image_body(projection="EPSG:4326", resolution=0.0001)).json()
    assert answer["extent"]["crs"] == "EPSG:4326"
    # SOURCES.md bounding box: longitudes 142.092-142.096, latitudes -35.652 to -35.649.
    assert 142.0 < answer["extent"]["xmin"] < answer["extent"]["xmax"] < 142.2
    assert -35.7 < answer["extent"]["ymin"] < answer["extent"]["ymax"] < -35.6


def test_default_property_is_the_catalog_one(client: ImagesClient) -> None:
    answer = post_image(client, image_body(property=None)).json()
    catalog = {s["id"]: s["property"] for s in list_samples()}
    assert answer["property"] == catalog[SMALL_OPERATION]


def test_discrete_interpolation_and_fixed_basis(client: ImagesClient) -> None:
    body = image_body(
        colorRamp={"50%": [255, 0, 0], "100%": [0, 0, 255]},
        interpolation="discrete",
        basis={"kind": "fixed", "vmin": 0, "vmax": 10},
    )
    answer = post_image(client, body).json()
    assert answer["basis"] == {"kind": "fixed", "vmin": 0.0, "vmax": 10.0}
    assert answer["legend"]["ranges"] == [
        {"colorCode": "#FF0000", "min": 0.0, "max": 5.0},
        {"colorCode": "#0000FF", "min": 5.0, "max": 10.0},
    ]
    expected = render_operation(
        load_sample(SMALL_OPERATION), "dryMassPerArea",
        from_color_ramp(body["colorRamp"], mode="discrete"),  # type: ignore[arg-type]
        resolution=2, basis=(0, 10),
    )
    assert raw(client, "GET", answer["url"]).content == expected.png


def test_inline_geojson(client: ImagesClient) -> None:
    document = load_sample(SMALL_OPERATION).to_geojson()
    answer = post_image(client, image_body(operationId=None, geojson=document)).json()
    expected = render_operation(
        operation_from_geojson(document), "dryMassPerArea", from_color_ramp(STANDARD_RAMP),
        resolution=2,
    )
    assert raw(client, "GET", answer["url"]).content == expected.png


def test_file_id_names_the_data(client: ImagesClient) -> None:
    by_file = post_image(client, image_body(operationId=None, fileId=SMALL_FILE)).json()
    by_id = post_image(client, image_body()).json()
    assert by_file["id"] == by_id["id"]


def test_image_of_unknown_id_is_404(client: ImagesClient) -> None:
    problem = assert_problem(raw(client, "GET", f"{GEOIMAGES_PATH}/0123abcd/dryMassPerArea"),
                             404)
    assert_match(r"image '0123abcd' with property 'dryMassPerArea' not found; create it with "
                 "POST", problem["message"])


def test_image_with_other_property_is_404(client: ImagesClient) -> None:
    answer = post_image(client, image_body()).json()
    url = answer["url"].rsplit("/", 1)[0] + "/harvestMoisture"
    assert_problem(raw(client, "GET", url), 404)


# -- image request errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "pattern"),
    [
        (b"{not json", 400, r"request body is not valid JSON: invalid JSON at line 1"),
        (b"", 400, r"request body is empty"),
        (b"[1, 2]", 400, r"request body must be a JSON object, got list"),
        (b'{"colorRamp": {"0%": [0,0,0], "0%": [9,9,9]}, "operationId": "x"}', 400,
         r"JSON object repeats the key '0%'"),
        (image_body(colorRamp={"0%": [200, 0, 0], "100%": "greenish"}), 400,
         r"colorRamp: key '100%': unknown color name 'greenish'"),
        (image_body(colorRamp={"0%": [200, 0, 0], "120%": [0, 0, 0]}), 400,
         r"colorRamp: key '120%'.*outside 0%-100%"),
        (image_body(colorRamp={"0%": [200, 0, 0], "10": [0, 0, 0]}), 400,
         r"colorRamp: ramp mixes percent key '0%' with value key '10'"),
        (image_body(colorRamp="red"), 400, r"colorRamp 'red' is invalid"),
        (image_body(colorRamp=None), 400, r"colorRamp is missing"),
        (image_body(projection="EPSG:32612"), 400,
         r"projection 'EPSG:32612' is not supported; use one of EPSG_3857, EPSG:3857, "
         r"EPSG_4326, EPSG:4326"),
        (image_body(resolution=0), 400, r"resolution 0.0 is not a positive number"),
        (image_body(resolution=-2), 400, r"resolution -2.0 is not a positive number"),
        (image_body(resolution="fine"), 400, r"resolution 'fine' is invalid"),
        (image_body(shape="HEX"), 400, r"shape 'HEX' is not supported; use ROUND or SQUARE"),
        (image_body(interpolation="cubic"), 400, r"interpolation 'cubic' is invalid"),
        (image_body(basis={"kind": "fixed", "vmin": 5}), 400,
         r"basis \{'kind': 'fixed', 'vmin': 5\} is invalid: a fixed basis needs vmin and vmax"),
        (image_body(colour="red"), 400, r"colour is not a known field"),
        (image_body(operationId=None), 400,
         r"give exactly one of operationId, fileId or geojson, got none"),
        (image_body(fileId=SMALL_FILE), 400,
         r"give exactly one of operationId, fileId or geojson, got operationId, fileId"),
        (image_body(operationId="no-such-op"), 404, r"operation 'no-such-op' not found"),
        (image_body(operationId=None, fileId="nope.csv"), 404, r"fileId 'nope.csv' not found"),
        (image_body(property="yieldness"), 400,
         r"property 'yieldness' is not a numeric property of operation "
         r"'csiro-area-2-harvest-grain'; it has: .*dryMassPerArea"),
        (image_body(operationId=None, geojson={"type": "FeatureCollection", "features": []}),
         400, r"geojson: "),
    ],
)
def test_image_request_errors(
    client: ImagesClient, body: Any, status: int, pattern: str
) -> None:
    problem = assert_problem(post_image(client, body), status)
    assert_match(pattern, problem["message"])


def test_grid_over_cap_is_413() -> None:
    small_cap = in_process_client(create_app(max_pixels=10_000), retries=0)
    problem = assert_problem(post_image(small_cap, image_body(resolution=1)), 413)
    assert_match(r"resolution 1(\.0)? gives a grid of \d+ x \d+ = \d+ pixels, over the cap of "
                 r"10000; use a resolution of at least \d", problem["message"])
    assert problem["errorKey"] == "gridTooLarge"

    # The resolution the message names fits under the cap.
    smallest = float(problem["message"].rsplit(" ", 1)[-1])
    answer = post_image(small_cap, image_body(resolution=smallest)).json()
    assert answer["width"] * answer["height"] <= 10_000
    small_cap.close()


# -- V1 and V2 image lists --------------------------------------------------------------


def test_v1_images(client: ImagesClient) -> None:
    entries = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/images").json()
    properties = [entry["property"] for entry in entries]
    assert "dryMassPerArea" in properties
    assert "harvestMoisture" in properties
    for entry in entries:
        assert entry["ramp"] == STANDARD_RAMP
        assert set(entry) == {"property", "ramp", "url", "downloadUrl"}
    png = raw(client, "GET", entries[0]["url"])
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<GeoTransform>" in raw(client, "GET", entries[0]["url"] + ".aux.xml").text


def test_v2_images(client: ImagesClient) -> None:
    entries = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/imagesV2").json()
    entry = next(item for item in entries if item["property"] == "dryMassPerArea")
    ranges = entry["legend"]["ranges"]
    assert [r["colorCode"] for r in ranges] == [
        "#C80000", "#FF2800", "#FF9600", "#FFF000", "#00E600", "#00BE00", "#008200",
    ]
    for lower, upper in zip(ranges[:-1], ranges[1:], strict=True):
        assert lower["max"] == upper["min"]
        assert lower["min"] < lower["max"]
    assert set(entry["extent"]) == {"xmin", "xmax", "ymin", "ymax"}
    assert entry["extent"]["xmin"] < entry["extent"]["xmax"]
    png = raw(client, "GET", entry["url"])
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_v2_classes_hold_equal_shares(client: ImagesClient) -> None:
    entries = raw(client, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/imagesV2").json()
    ranges = next(e for e in entries if e["property"] == "dryMassPerArea")["legend"]["ranges"]
    values = clean_operation(load_sample(SMALL_OPERATION)).operation.properties[
        "dryMassPerArea"]
    values = values[np.isfinite(values)]
    # Quantile classes: each of the 7 contains about a seventh of the clean points.
    uppers = [r["max"] for r in ranges]
    counts = np.bincount(np.searchsorted(uppers, values, side="left"), minlength=7)
    assert counts.sum() == values.size
    assert np.all(np.abs(counts / values.size - 1 / 7) < 0.03)


# -- authentication -------------------------------------------------------------------------


def test_token_missing_is_401(token_app: Any) -> None:
    anonymous = in_process_client(token_app)
    response = raw(anonymous, "GET", OPERATIONS_PATH)
    problem = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_match(r"Authorization header is missing; send 'Authorization: Bearer <token>'",
                 problem["message"])


def test_token_wrong_is_401(token_app: Any) -> None:
    wrong = in_process_client(token_app, token="not-the-token")
    problem = assert_problem(raw(wrong, "GET", OPERATIONS_PATH,
                                 headers={"Authorization": "Bearer not-the-token"}), 401)
    assert_match(r"the Bearer token is not valid", problem["message"])
    assert "not-the-token" not in problem["message"]
    assert TOKEN not in problem["message"]


def test_basic_scheme_is_401(token_app: Any) -> None:
    basic = in_process_client(token_app)
    problem = assert_problem(raw(basic, "GET", OPERATIONS_PATH,
                                 headers={"Authorization": "Basic YW5hOnB3"}), 401)
    assert_match(r"Authorization scheme 'Basic' is not supported", problem["message"])


def test_token_right_is_200(token_app: Any) -> None:
    authorized = in_process_client(token_app, token=TOKEN)
    response = raw(authorized, "GET", OPERATIONS_PATH,
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    images = raw(authorized, "GET", f"{GEOIMAGES_PATH}/abc/x")
    assert images.status_code == 401


def test_authenticate_endpoint(token_app: Any) -> None:
    anonymous = in_process_client(token_app)
    good = raw(anonymous, "POST", "/api/authenticate",
               json={"username": "ana", "password": "pw-ana", "rememberMe": "true"})
    assert good.json() == {"id_token": TOKEN}
    bad = raw(anonymous, "POST", "/api/authenticate",
              json={"username": "ana", "password": "guess", "rememberMe": "true"})
    problem = assert_problem(bad, 401)
    assert_match(r"username 'ana' or its password is not valid", problem["message"])
    assert "guess" not in problem["message"]


# -- logging ----------------------------------------------------------------------------


def test_one_log_line_per_request(token_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    authorized = in_process_client(token_app, token=TOKEN)
    with caplog.at_level(logging.INFO, logger="rampkit.api.service"):
        raw(authorized, "GET", OPERATIONS_PATH, params={"size": 2},
            headers={"Authorization": f"Bearer {TOKEN}"})
        raw(authorized, "GET", f"{OPERATIONS_PATH}/nope",
            headers={"Authorization": f"Bearer {TOKEN}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "rampkit.api.service"]
    assert len(lines) == 2
    assert_match(r"^GET /services/operations/api/operations 200 \d+\.\d ms$", lines[0])
    assert_match(r"^GET /services/operations/api/operations/nope 404 \d+\.\d ms$", lines[1])
    assert TOKEN not in caplog.text


# -- data folders ------------------------------------------------------------------------


def test_folder_with_metadata(data_folder: Path) -> None:
    folder_client = in_process_client(create_app(data_folder))
    records = raw(folder_client, "GET", OPERATIONS_PATH).json()
    assert len(records) == 1
    record = records[0]
    assert record["id"] == "north-2021"
    assert record["type"] == "harvested"
    assert record["fields"] == [{"id": "north", "coverage": None}]
    assert record["startTime"] == "2021-09-14"
    answer = post_image(folder_client, image_body(operationId="north-2021", property=None))
    assert answer.json()["property"] == "dryMassPerArea"


def test_folder_picks_up_dropped_file(data_folder: Path) -> None:
    folder_client = in_process_client(create_app(data_folder))
    assert len(raw(folder_client, "GET", OPERATIONS_PATH).json()) == 1
    shutil.copy(sample_dir() / "ofpe_field-1_2018_as-applied_urea.geojson",
                data_folder / "urea-strips.geojson")
    records = {r["id"]: r for r in raw(folder_client, "GET", OPERATIONS_PATH).json()}
    assert set(records) == {"north-2021", "urea-strips"}
    # No metadata file: the type comes from the data, the id from the file name.
    assert records["urea-strips"]["type"] == "applied"
    units = raw(folder_client, "GET", f"{OPERATIONS_PATH}/urea-strips/units").json()
    assert "appliedRate" in units


@pytest.mark.parametrize("replace", [True, False], ids=["new-file", "in-place"])
def test_store_rereads_same_size_same_mtime(data_folder: Path, replace: bool) -> None:
    path = data_folder / "north_2021.csv"
    store = OperationStore(data_folder)
    moisture = store.operation("north-2021").properties["harvestMoisture"]
    assert moisture[0] == 9.25

    before = path.stat()
    # Linux stamps ctime from a clock that ticks every few milliseconds, so
    # waiting 50 ms makes the rewrite's ctime differ from the original's.
    while time.time_ns() < before.st_ctime_ns + 50_000_000:
        time.sleep(0.005)
    data = path.read_bytes().replace(b",9.25,", b",8.25,")
    assert len(data) == before.st_size
    if replace:
        staged = data_folder / "north_2021.csv.tmp"
        staged.write_bytes(data)
        os.replace(staged, path)
    else:
        path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert after.st_size == before.st_size
    assert after.st_mtime_ns == before.st_mtime_ns
    assert after.st_ctime_ns != before.st_ctime_ns

    moisture = store.operation("north-2021").properties["harvestMoisture"]
    assert moisture[0] == 8.25


def test_folder_ignores_bad_metadata(
    data_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (data_folder / "north_2021.meta.json").write_text("{type: harvested", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rampkit.api.store"):
        records = raw(in_process_client(create_app(data_folder)), "GET", OPERATIONS_PATH).json()
    assert [r["id"] for r in records] == ["north_2021"]
    assert_match(r"metadata file .*north_2021.meta.json is ignored", caplog.text)


def test_folder_must_exist(tmp_path: Path) -> None:
    from rampkit.errors import OperationDataError

    with pytest.raises(OperationDataError, match=r"data directory '.*missing' is not a folder"):
        create_app(tmp_path / "missing")


# -- failing on purpose ------------------------------------------------------------------------


def test_failure_mode_fails_then_recovers() -> None:
    failing = in_process_client(
        create_app(fail=FailureMode(status=503, count=2, retry_after=0.5))
    )
    first = raw(failing, "GET", OPERATIONS_PATH)
    second = raw(failing, "GET", OPERATIONS_PATH)
    third = raw(failing, "GET", OPERATIONS_PATH)
    problem = assert_problem(first, 503)
    assert first.headers["Retry-After"] == "0.5"
    assert_match(r"set to fail this request on purpose \(1 of 2\)", problem["message"])
    assert second.status_code == 503
    assert third.status_code == 200


def test_folder_metadata_names_mapping(data_folder: Path) -> None:
    # A mapping that renames the CSV's moisture column to a name of our own.
    (data_folder / "moisture.json").write_text(json.dumps({
        "schema": "rampkit.mapping/1", "name": "moisture_only",
        "columns": {"Moisture(%)": {"name": "grainMoisture", "unit": "%"}},
    }), encoding="utf-8")
    meta = json.loads((data_folder / "north_2021.meta.json").read_text(encoding="utf-8"))
    meta["mapping"] = "moisture.json"
    (data_folder / "north_2021.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    folder_client = in_process_client(create_app(data_folder))
    units = raw(folder_client, "GET", f"{OPERATIONS_PATH}/north-2021/units").json()
    assert units["grainMoisture"] == "%"


def test_list_images_coarsen_under_cap() -> None:
    capped = in_process_client(create_app(max_pixels=20_000), retries=0)
    entries = raw(capped, "GET", f"{OPERATIONS_PATH}/{SMALL_OPERATION}/imagesV2").json()
    assert entries
    png = raw(capped, "GET", entries[0]["url"])
    assert png.status_code == 200
    width = int.from_bytes(png.content[16:20], "big")
    height = int.from_bytes(png.content[20:24], "big")
    assert width * height <= 20_000
