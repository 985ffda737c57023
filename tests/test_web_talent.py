"""The workbench's talent page: students (personal data) only after a login; the
numbers it shows are the library's (`match_position`, `cohort_readiness`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from chanjiao.analysis.talent import TalentSettings, cohort_readiness, match_position
from chanjiao.cli import SAMPLE_CHAIN, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.test_web import client_for, login

URL = f"/talent?position=P-FAB-01&cohort=2023&chain={SAMPLE_CHAIN}"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("talent") / "sample.db")
    ingest(store, sample_path())
    yield store
    store.close()


def test_talent_page_shows_no_student_without_login(sample_store: GraphStore) -> None:
    client = client_for(sample_store)
    answer = client.get(URL)
    assert answer.status_code == 200
    html = answer.text
    assert 'id="talent-login"' in html and 'href="/login?next=%2Ftalent"' in html
    assert "STU-2023001" not in html and "沈志远" not in html
    assert "STU-" not in html and 'id="candidates"' not in html
    # a server without keys lets no one log in, so no one sees students
    closed = client_for(sample_store, api_keys="").get(URL).text
    assert "STU-2023001" not in closed and "沈志远" not in closed


def test_talent_page_shows_the_librarys_candidates_and_readiness(
    sample_store: GraphStore,
) -> None:
    client = client_for(sample_store)
    login(client)
    answer = client.get(URL)
    assert answer.status_code == 200, answer.text[:500]
    html = answer.text
    settings = TalentSettings(0.8, 3)  # the server's defaults
    expected = match_position(sample_store, "P-FAB-01", cohort="2023", settings=settings)
    students = expected.to_dict()["students"]
    assert students and any(s["missing"] for s in students)
    rows = re.findall(
        r'<tr class="candidate" data-student="([^"]+)">.*?'
        r'class="num readiness" data-value="([0-9.]+)">([0-9.]+)%',
        html,
        re.S,
    )
    assert [r[0] for r in rows] == [s["id"] for s in students]
    assert [float(r[1]) for r in rows] == [s["readiness"] for s in students]
    assert [r[2] for r in rows] == [f"{s['readiness'] * 100:.1f}" for s in students]
    assert students[0]["name"] in html
    # the cohort view: the library's per-position and per-segment shares
    cohort = cohort_readiness(sample_store, "2023", SAMPLE_CHAIN, settings=settings).to_dict()
    positions = re.findall(
        r'<tr data-position="([^"]+)">.*?class="num share" data-value="([0-9.]+)"', html, re.S
    )
    assert cohort["positions"] and cohort["segments"]
    assert positions == [(p["id"], str(p["share"])) for p in cohort["positions"]]
    segments = re.findall(
        r'<tr data-segment="([^"]+)">.*?class="num share" data-value="([0-9.]+)"', html, re.S
    )
    assert segments == [(s["id"], str(s["share"])) for s in cohort["segments"]]
    assert f'id="cohort-share" data-value="{cohort["share"]}"' in html


def test_talent_page_in_the_nav_and_errors_in_words(sample_store: GraphStore) -> None:
    client = client_for(sample_store)
    assert 'href="/talent"' in client.get("/data").text
    login(client)
    missing = client.get("/talent?position=NOPE&cohort=2023")
    assert missing.status_code == 404 and "NOPE" in missing.text


def test_talent_page_escapes_what_it_shows(sample_store: GraphStore) -> None:
    client = client_for(sample_store)
    login(client)
    evil = '"><script>alert(1)</script>'
    html = client.get("/talent", params={"cohort": evil, "position": "P-FAB-01"}).text
    assert "<script>alert(1)" not in html
