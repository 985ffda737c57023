"""The API's sync, versions and change log (thin shells over chanjiao.history)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from tests.test_api import AUTH, KEY, V1, assert_error, client_for, upload
from tests.test_yearly import YEAR1, YEAR2

FINGERPRINT = f"API 密钥 {hashlib.sha256(KEY.encode()).hexdigest()[:8]}"


def zipped(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return target


def test_sync_versions_and_changes_over_http(store: GraphStore, tmp_path: Path) -> None:
    year1 = zipped(YEAR1, tmp_path / "year1.zip")
    year2 = zipped(YEAR2, tmp_path / "year2.zip")
    with client_for(store) as api:
        assert upload(api, year1).status_code == 200
        saved = api.post(f"{V1}/versions", params={"name": "2025级"}, headers=AUTH)
        assert saved.status_code == 201, saved.text
        assert saved.json()["nodes"] == 17
        again = api.post(f"{V1}/versions", params={"name": "2025级"}, headers=AUTH)
        assert_error(again, 409, "already_exists")
        assert api.post(f"{V1}/versions", params={"name": "x"}).status_code == 401

        preview = upload(api, year2, sync="true", dry_run="true").json()
        files = {f["file"]: f for f in preview["files"]}
        assert (files["coverage"]["added"], files["coverage"]["removed"]) == (2, 1)
        assert preview["nodes"]["Course"]["removed"] == 1
        assert store.get_node(Label.COURSE, "C3") is not None

        assert upload(api, year2, sync="true").status_code == 200
        assert store.get_node(Label.COURSE, "C3") is None

        listed = api.get(f"{V1}/versions").json()
        assert [v["name"] for v in listed] == ["2025级"]
        compared = api.get(
            f"{V1}/versions/compare", params={"before": "2025级", "cluster": "K1", "chain": "H1"}
        ).json()
        assert compared["coverage"] == {"before": 0.6389, "after": 0.8505}
        missing = api.get(
            f"{V1}/versions/compare", params={"before": "nope", "cluster": "K1", "chain": "H1"}
        )
        assert_error(missing, 404, "not_found")

        deleted = api.delete(f"{V1}/nodes/Course/C4", headers=AUTH)
        assert deleted.status_code == 200, deleted.text

        log = api.get(f"{V1}/changes").json()
        assert [(e["action"], e["author"]) for e in log] == [
            ("ingest", FINGERPRINT),
            ("version", FINGERPRINT),
            ("sync", FINGERPRINT),
            ("api", FINGERPRINT),
        ]
        assert KEY not in str(log)
        c4 = api.get(f"{V1}/changes", params={"id": "C4", "label": "coverage"}).json()
        assert [(e["action"], e["added"], e["removed"]) for e in c4] == [
            ("sync", 2, 0),
            ("api", 0, 2),
        ]
        bad = api.get(f"{V1}/changes", params={"label": "nonsense"})
        assert_error(bad, 400, "invalid_request")
