"""pipelines.registry: normalisation, reviewed resolution across renames, inference, reference checks."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pipelines import registry
from pipelines.registry import load_reference, normalise_name, resolve


@pytest.fixture(scope="module")
def reference() -> registry.Reference:
    return load_reference()


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("上海市科学技术委员会（市科委）", "上海市科学技术委员会"),
        ("平潭综合实验区管委会", "平潭综合实验区管理委员会"),
        ("江东市\u3000西山区 白塘镇政府", "江东市西山区白塘镇人民政府"),
        ("ＡＢ市人民政府", "AB市人民政府"),
        ("临湖区桥头街道办", "临湖区桥头街道办事处"),
        ("\ufeff江东市教育局\u200b", "江东市教育局"),
    ],
)
def test_normalise_name(printed: str, normalised: str) -> None:
    assert normalise_name(printed) == normalised


def test_rename_is_one_agency_with_year_bounds(reference: registry.Reference) -> None:
    before = resolve("江东市国土资源局", 2018, reference)
    after = resolve("江东市自然资源局", 2019, reference)
    assert before.agency_id == after.agency_id == "demo.jiangdong-natres"
    assert (before.method, before.needs_review) == ("alias", False)
    assert before.agency_name == "江东市自然资源局"
    late = resolve("江东市国土资源局", 2020, reference)  # old name printed after the rename: kept, flagged
    assert late.agency_id == "demo.jiangdong-natres"
    assert (late.method, late.needs_review) == ("outside_validity", True)


@pytest.mark.parametrize(
    ("printed", "year", "agency_id"),
    [
        ("平潭综合实验区管委会", 2014, "fj.pingtan-zone"),
        ("平潭综合实验区", 2020, "fj.pingtan-zone"),
        ("上海市科学技术委员会（市科委）", 2024, "sh.stcsm"),
        ("上海市科委", 2024, "sh.stcsm"),
        ("洪泽区人民政府", 2023, "js.huaian-hongze"),
        ("洪泽县人民政府", 2014, "js.huaian-hongze"),
    ],
)
def test_reviewed_aliases(reference: registry.Reference, printed: str, year: int, agency_id: str) -> None:
    assert resolve(printed, year, reference).agency_id == agency_id


@pytest.mark.parametrize(
    ("printed", "level", "scope", "parent_name", "province"),
    [
        ("北京市人民政府", "province", "jurisdiction", None, "北京市"),
        ("广东省深圳市人民政府", "city", "jurisdiction", "广东省人民政府", "广东省"),
        ("广元市昭化区人民政府", "county", "jurisdiction", "广元市人民政府", "四川省"),
        ("杭州市西湖区西溪街道办事处", "township", "jurisdiction", "杭州市西湖区人民政府", None),
        ("广元市利州区三堆镇人民政府", "township", "jurisdiction", "广元市利州区人民政府", "四川省"),
        ("四川省人民政府办公厅", "department", "office", "四川省人民政府", "四川省"),
        ("江苏省昆山市住房和城乡建设局", "department", "office", "江苏省昆山市人民政府", "江苏省"),
        ("浙江省杭州市城市管理局", "department", "office", "浙江省杭州市人民政府", "浙江省"),
        ("国家发展和改革委员会", "state_council_department", "office", None, None),
        ("某某课题组", None, None, None, None),
    ],
)
def test_inference_from_the_name(
    reference: registry.Reference,
    printed: str,
    level: str | None,
    scope: str | None,
    parent_name: str | None,
    province: str | None,
) -> None:
    resolution = resolve(printed, 2020, reference)
    assert resolution.agency_id == "auto:" + normalise_name(printed)
    assert (resolution.method, resolution.needs_review) == ("inferred", True)
    assert (resolution.level, resolution.scope, resolution.parent_name, resolution.province) == (
        level,
        scope,
        parent_name,
        province,
    )


def test_inferred_parent_links_to_a_reviewed_government(reference: registry.Reference) -> None:
    office = resolve("四川省人民政府办公厅", 2020, reference)
    assert office.parent_id == "sc.gov"
    assert resolve("广元市利州区三堆镇人民政府", 2020, reference).region_code == "510802"


def test_every_reference_row_is_consistent(reference: registry.Reference) -> None:
    for agency in reference.agencies.values():
        assert (
            resolve(agency.name, agency.valid_from or agency.valid_to, reference).agency_id
            == agency.agency_id
        )
        if agency.region_code:
            assert agency.province == reference.province_of_region(agency.region_code)


def _copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(registry.REFERENCE_DIR, target)
    return target


def _append(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8") as handle:
        fields = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields).writerow(row)


@pytest.mark.parametrize(
    ("file_name", "row", "message"),
    [
        ("agencies.csv", {"agency_id": "demo.jiangdong", "name": "重复"}, "duplicate agency_id"),
        ("agencies.csv", {"agency_id": "x.y", "name": "甲", "parent_id": "nowhere"}, "unknown agency"),
        ("agencies.csv", {"agency_id": "x.z", "name": "乙", "level": "galaxy"}, "level"),
        ("aliases.csv", {"alias": "甲", "agency_id": "nowhere"}, "unknown agency_id"),
        ("aliases.csv", {"alias": "江东市教育局", "agency_id": "demo.jiangdong-police"}, "overlapping"),
        ("aliases.csv", {"alias": "丙", "agency_id": "demo.jiangdong", "valid_to": "2018年"}, "not a year"),
    ],
)
def test_inconsistent_reference_fails_loudly(
    tmp_path: Path, file_name: str, row: dict[str, str], message: str
) -> None:
    directory = _copy_reference(tmp_path)
    _append(directory / file_name, row)
    with pytest.raises(registry.ReferenceError, match=message):
        load_reference(directory)


def test_real_corpus_names_resolve_to_reviewed_agencies(
    corpus_dir: Path, reference: registry.Reference
) -> None:
    with (corpus_dir / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    resolved = {(r["agency"], int(r["year"])): resolve(r["agency"], int(r["year"]), reference) for r in rows}
    unresolved = {key: r.review_reason for key, r in resolved.items() if r.needs_review}
    assert unresolved == {}
    assert resolved[("平潭综合实验区管委会", 2014)].agency_id == resolved[("平潭综合实验区", 2015)].agency_id
    assert resolved[("上海市人民政府办公厅", 2019)].scope == "office"
    assert resolved[("平潭县人民政府", 2011)].agency_id != resolved[("平潭综合实验区", 2011)].agency_id
