"""Agency registry: one stable id per agency across spellings, renames and years.

Reports name their agency as printed on the page ("上海市科学技术委员会（市科委）", "平潭综合实验区管委会",
"江东市国土资源局" before a 机构改革 rename). Analysts need one series per agency, so every (name, year)
seen in the lake is resolved to an ``agency_id``:

1. the name is normalised (:func:`normalise_name`: NFKC, no whitespace, no bracketed asides, common
   suffix variants spelled out);
2. it is looked up among the reviewed canonical names (``data/reference/agencies.csv``) and aliases
   (``data/reference/aliases.csv``), each valid for a range of statistics years — a rename is an alias
   of the *same* id that ends the year before the new name starts, so one series spans the rename; a
   merger is a *different* id whose ``successor_id`` points at the new body (no silent summing);
3. a name that matches nothing gets the provisional id ``auto:<normalised name>`` and level, scope,
   parent and province inferred from the name (:func:`infer_agency`); it goes to the review table
   until someone adds it to the reference files.

Everything here is pure: reference files in, records out. The warehouse stages the results.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
AGENCIES_FILE = "agencies.csv"
ALIASES_FILE = "aliases.csv"
REGIONS_FILE = "regions.csv"

LEVELS = ("state_council_department", "province", "city", "county", "township", "department")
SCOPES = ("jurisdiction", "office")
ALIAS_RELATIONS = ("alias", "abbreviation", "former_name")
AUTO_ID_PREFIX = "auto:"

# Resolution methods, in the order they are tried.
METHOD_CANONICAL = "canonical_name"
METHOD_ALIAS = "alias"
METHOD_OUTSIDE_VALIDITY = "outside_validity"
METHOD_AMBIGUOUS = "ambiguous"
METHOD_INFERRED = "inferred"

_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
# After NFKC, full-width （） are ASCII; 【】〔〕 have no compatibility mapping.
_BRACKETED = re.compile(r"\([^()]*\)|【[^【】]*】|〔[^〔〕]*〕|\[[^\[\]]*\]")
_SUFFIX_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"管委会"), "管理委员会"),
    # 市政府 / 区政府办公室 → 市人民政府 / 区人民政府办公室; "人民政府" itself is left alone
    (re.compile(r"(?<!人民)政府"), "人民政府"),
    (re.compile(r"街道办$"), "街道办事处"),
)
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# One administrative unit of a name: a place name (two characters at least, so "城市" in 城市管理局 or
# "城乡" in 住房和城乡建设局 is not taken for a unit) followed by its unit word.
_UNIT = re.compile(
    r"[^省市区县旗镇乡和]{2,}?(?:特别行政区|自治区|自治州|自治县|自治旗|街道|省|市|区|县|旗|镇|乡)"
)
_COUNTY_UNIT = re.compile(r"(?:区|县|旗|自治县|自治旗)$")
_TOWNSHIP_UNIT = re.compile(r"(?:镇|乡|街道)$")
_GOVERNMENT = "人民政府"
_OFFICE_SUFFIXES = ("人民政府办公室", "人民政府办公厅")
_DEPARTMENT_SUFFIX = re.compile(r"(?:局|委员会|委|厅|办公室|办|署|中心)$")
_CENTRAL_PREFIXES = ("国务院", "国家", "中华人民共和国", "中国")
_CENTRAL_SUFFIX = re.compile(r"(?:部|总局|署|委员会|局|办公室|办公厅)$")


class ReferenceError(ValueError):
    """A reference file is inconsistent (duplicate id, unknown parent, bad level, overlapping alias)."""


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    level: str | None
    parent_id: str | None
    province: str | None
    region_code: str | None
    scope: str | None
    valid_from: int | None = None
    valid_to: int | None = None
    successor_id: str | None = None
    source: str = "reviewed"
    note: str | None = None


@dataclass(frozen=True)
class Alias:
    alias: str
    agency_id: str
    valid_from: int | None
    valid_to: int | None
    relation: str
    source: str = "reviewed"
    note: str | None = None


@dataclass(frozen=True)
class Region:
    region_code: str
    name: str
    short_name: str | None
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Reference:
    agencies: dict[str, Agency]
    aliases: tuple[Alias, ...]
    regions: tuple[Region, ...]

    def province_of_region(self, region_code: str) -> str | None:
        by_code = {r.region_code: r for r in self.regions}
        region = by_code.get(region_code)
        while region is not None and region.level != "province":
            region = by_code.get(region.parent_code or "")
        return region.name if region else None


@dataclass(frozen=True)
class InferredAgency:
    """What the name alone says; every field may be None (unknown stays unknown)."""

    level: str | None
    scope: str | None
    parent_name: str | None
    province: str | None
    region_code: str | None


@dataclass(frozen=True)
class Resolution:
    """One observed (name, year) and the agency it belongs to."""

    agency: str
    year: int | None
    normalised_name: str
    agency_id: str
    method: str
    agency_name: str
    level: str | None
    parent_id: str | None
    parent_name: str | None
    province: str | None
    region_code: str | None
    scope: str | None
    needs_review: bool
    review_reason: str | None


# --------------------------------------------------------------------------------------------- names


def normalise_name(name: str) -> str:
    """The comparable form of an agency name: NFKC, no whitespace or invisible characters, bracketed
    asides removed (（市科委）), and common short forms spelled out (管委会, 市政府, 街道办)."""
    text = unicodedata.normalize("NFKC", name)
    text = _INVISIBLE.sub("", text)
    previous = None
    while previous != text:  # nested brackets
        previous, text = text, _BRACKETED.sub("", text)
    for pattern, replacement in _SUFFIX_VARIANTS:
        text = pattern.sub(replacement, text)
    return text


def _jurisdiction_units(name: str) -> list[str]:
    """The leading administrative units of a name: 江东市西山区白塘镇人民政府 → [江东市, 西山区, 白塘镇]."""
    units: list[str] = []
    position = 0
    while True:
        match = _UNIT.match(name, position)
        if not match:
            return units
        units.append(match.group(0))
        position = match.end()


def _region_for(units: list[str], reference: Reference) -> Region | None:
    """The deepest reference region named by the units (full name or short name)."""
    found: Region | None = None
    for unit in units:
        for region in reference.regions:
            if unit in (region.name, region.short_name) or unit == region.name.removesuffix("人民政府"):
                found = region
                break
    return found


def _province_for(name: str, units: list[str], reference: Reference) -> tuple[str | None, str | None]:
    region = _region_for(units, reference)
    if region is not None:
        return reference.province_of_region(region.region_code), region.region_code
    for region in reference.regions:
        if region.level == "province" and (
            name.startswith(region.name) or (region.short_name and name.startswith(region.short_name))
        ):
            return region.name, region.region_code
    return None, None


def infer_agency(normalised_name: str, reference: Reference | None = None) -> InferredAgency:
    """Level, scope, parent name and province suggested by a normalised name.

    - …人民政府办公室/办公厅: the government's general office → department, scope office;
    - …人民政府 / …街道办事处 / …管理委员会: a government → province (省/自治区/直辖市), city (…市),
      county (…区/县/旗), township (…镇/乡/街道); scope jurisdiction;
    - …局/委/委员会/厅/办 after a jurisdiction: a department of that jurisdiction's government;
    - 国务院…/国家…/中华人民共和国…部/局/委员会 without a jurisdiction: a State Council department.
    Anything else: level and scope unknown. Parents are governments one unit up.
    """
    reference = reference or Reference({}, (), ())
    units = _jurisdiction_units(normalised_name)
    province, region_code = _province_for(normalised_name, units, reference)
    prefix = "".join(units)
    rest = normalised_name[len(prefix) :]

    def government_of(unit_list: list[str]) -> str | None:
        return "".join(unit_list) + _GOVERNMENT if unit_list else None

    if units and rest in _OFFICE_SUFFIXES:
        return InferredAgency("department", "office", government_of(units), province, region_code)
    if units and rest in (_GOVERNMENT, "", "办事处", "管理委员会"):
        last = units[-1]
        if len(units) == 1 and (last.endswith(("省", "自治区", "特别行政区")) or last in _MUNICIPALITIES):
            level = "province"
        elif _TOWNSHIP_UNIT.search(last):
            level = "township"
        elif _COUNTY_UNIT.search(last) and not (len(units) == 1 and last.endswith("区") and rest == ""):
            level = "county"
        elif last.endswith(("市", "自治州")):
            level = "city"
        else:
            level = None
        return InferredAgency(level, "jurisdiction", government_of(units[:-1]), province, region_code)
    if units and rest and _DEPARTMENT_SUFFIX.search(rest):
        return InferredAgency("department", "office", government_of(units), province, region_code)
    if (
        not units
        and normalised_name.startswith(_CENTRAL_PREFIXES)
        and _CENTRAL_SUFFIX.search(normalised_name)
    ):
        return InferredAgency("state_council_department", "office", None, None, None)
    return InferredAgency(None, None, None, province, region_code)


# --------------------------------------------------------------------------------------------- reference


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _year(value: str | None, where: str) -> int | None:
    text = _optional(value)
    if text is None:
        return None
    if not text.isdigit():
        raise ReferenceError(f"{where}: not a year: {text!r}")
    return int(text)


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Read and check ``agencies.csv``, ``aliases.csv`` and ``regions.csv`` from ``directory``."""
    regions = tuple(
        Region(
            region_code=row["region_code"].strip(),
            name=row["name"].strip(),
            short_name=_optional(row.get("short_name")),
            level=row["level"].strip(),
            parent_code=_optional(row.get("parent_code")),
        )
        for row in _read_rows(directory / REGIONS_FILE)
    )
    agencies: dict[str, Agency] = {}
    for number, row in enumerate(_read_rows(directory / AGENCIES_FILE), start=2):
        where = f"{AGENCIES_FILE}:{number}"
        agency = Agency(
            agency_id=row["agency_id"].strip(),
            name=normalise_name(row["name"]),
            level=_optional(row.get("level")),
            parent_id=_optional(row.get("parent_id")),
            province=_optional(row.get("province")),
            region_code=_optional(row.get("region_code")),
            scope=_optional(row.get("scope")),
            valid_from=_year(row.get("valid_from"), where),
            valid_to=_year(row.get("valid_to"), where),
            successor_id=_optional(row.get("successor_id")),
            source=_optional(row.get("source")) or "reviewed",
            note=_optional(row.get("note")),
        )
        if not agency.agency_id or agency.agency_id.startswith(AUTO_ID_PREFIX):
            raise ReferenceError(f"{where}: agency_id must be set and not start with {AUTO_ID_PREFIX!r}")
        if agency.agency_id in agencies:
            raise ReferenceError(f"{where}: duplicate agency_id {agency.agency_id!r}")
        if agency.level is not None and agency.level not in LEVELS:
            raise ReferenceError(f"{where}: level {agency.level!r} not in {LEVELS}")
        if agency.scope is not None and agency.scope not in SCOPES:
            raise ReferenceError(f"{where}: scope {agency.scope!r} not in {SCOPES}")
        agencies[agency.agency_id] = agency
    for agency in agencies.values():
        for link in (agency.parent_id, agency.successor_id):
            if link is not None and link not in agencies:
                raise ReferenceError(f"{AGENCIES_FILE}: {agency.agency_id} refers to unknown agency {link!r}")
    aliases: list[Alias] = []
    for number, row in enumerate(_read_rows(directory / ALIASES_FILE), start=2):
        where = f"{ALIASES_FILE}:{number}"
        alias = Alias(
            alias=normalise_name(row["alias"]),
            agency_id=row["agency_id"].strip(),
            valid_from=_year(row.get("valid_from"), where),
            valid_to=_year(row.get("valid_to"), where),
            relation=_optional(row.get("relation")) or "alias",
            source=_optional(row.get("source")) or "reviewed",
            note=_optional(row.get("note")),
        )
        if alias.agency_id not in agencies:
            raise ReferenceError(f"{where}: unknown agency_id {alias.agency_id!r}")
        if alias.relation not in ALIAS_RELATIONS:
            raise ReferenceError(f"{where}: relation {alias.relation!r} not in {ALIAS_RELATIONS}")
        aliases.append(alias)
    reference = Reference(agencies, tuple(aliases), regions)
    _check_no_overlap(reference)
    return reference


def _names(reference: Reference) -> list[tuple[str, str, int | None, int | None, str]]:
    """(normalised name, agency_id, valid_from, valid_to, method) for every reviewed spelling."""
    canonical = [
        (a.name, a.agency_id, a.valid_from, a.valid_to, METHOD_CANONICAL) for a in reference.agencies.values()
    ]
    aliases = [(a.alias, a.agency_id, a.valid_from, a.valid_to, METHOD_ALIAS) for a in reference.aliases]
    return canonical + aliases


def _overlaps(a_from: int | None, a_to: int | None, b_from: int | None, b_to: int | None) -> bool:
    low = max(a_from if a_from is not None else -(10**9), b_from if b_from is not None else -(10**9))
    high = min(a_to if a_to is not None else 10**9, b_to if b_to is not None else 10**9)
    return low <= high


def _check_no_overlap(reference: Reference) -> None:
    """One spelling must not mean two agencies in the same year: resolution would be a guess."""
    names = _names(reference)
    for index, (name, agency_id, start, end, _) in enumerate(names):
        for other_name, other_id, other_start, other_end, _ in names[index + 1 :]:
            if name == other_name and agency_id != other_id and _overlaps(start, end, other_start, other_end):
                raise ReferenceError(
                    f"{name!r} names both {agency_id!r} and {other_id!r} in overlapping years"
                )


# --------------------------------------------------------------------------------------------- resolution


def _in_range(year: int | None, start: int | None, end: int | None) -> bool:
    if year is None:
        return True
    return (start is None or year >= start) and (end is None or year <= end)


def resolve(name: str, year: int | None, reference: Reference) -> Resolution:
    """The agency a report names, for its statistics year (see the module docstring)."""
    key = normalise_name(name)
    matches = [(agency_id, method) for n, agency_id, start, end, method in _names(reference) if n == key]
    in_range = [
        (agency_id, method)
        for n, agency_id, start, end, method in _names(reference)
        if n == key and _in_range(year, start, end)
    ]
    ids_in_range = sorted({agency_id for agency_id, _ in in_range})
    ids_any = sorted({agency_id for agency_id, _ in matches})
    if len(ids_in_range) == 1:
        method = METHOD_CANONICAL if (ids_in_range[0], METHOD_CANONICAL) in in_range else METHOD_ALIAS
        return _reviewed(name, year, key, reference.agencies[ids_in_range[0]], method, reference, None)
    if not ids_in_range and len(ids_any) == 1:
        reason = f"name reviewed for {ids_any[0]} but not valid in {year}"
        return _reviewed(
            name, year, key, reference.agencies[ids_any[0]], METHOD_OUTSIDE_VALIDITY, reference, reason
        )
    inferred = infer_agency(key, reference)
    parent_id = None
    if inferred.parent_name is not None:
        parent = resolve(inferred.parent_name, year, reference) if inferred.parent_name != key else None
        parent_id = (
            parent.agency_id
            if parent is not None and not parent.agency_id.startswith(AUTO_ID_PREFIX)
            else None
        )
    if ids_in_range or ids_any:
        method, reason = (
            METHOD_AMBIGUOUS,
            f"name matches several agencies: {', '.join(ids_in_range or ids_any)}",
        )
    else:
        method, reason = METHOD_INFERRED, "name not in data/reference (agencies.csv or aliases.csv)"
    return Resolution(
        agency=name,
        year=year,
        normalised_name=key,
        agency_id=AUTO_ID_PREFIX + key,
        method=method,
        agency_name=key,
        level=inferred.level,
        parent_id=parent_id,
        parent_name=inferred.parent_name,
        province=inferred.province,
        region_code=inferred.region_code,
        scope=inferred.scope,
        needs_review=True,
        review_reason=reason,
    )


def _reviewed(
    name: str,
    year: int | None,
    key: str,
    agency: Agency,
    method: str,
    reference: Reference,
    reason: str | None,
) -> Resolution:
    parent = reference.agencies.get(agency.parent_id or "")
    return Resolution(
        agency=name,
        year=year,
        normalised_name=key,
        agency_id=agency.agency_id,
        method=method,
        agency_name=agency.name,
        level=agency.level,
        parent_id=agency.parent_id,
        parent_name=parent.name if parent else None,
        province=agency.province,
        region_code=agency.region_code,
        scope=agency.scope,
        needs_review=reason is not None,
        review_reason=reason,
    )


RESOLUTION_COLUMNS = tuple(Resolution.__dataclass_fields__)
AGENCY_COLUMNS = (
    "agency_id",
    "name",
    "level",
    "parent_id",
    "province",
    "region_code",
    "scope",
    "valid_from",
    "valid_to",
    "successor_id",
    "source",
    "note",
)


def resolution_frame(names: Iterable[tuple[str, int | None]], reference: Reference) -> pd.DataFrame:
    """One row per distinct (name, year): the resolution the warehouse joins reports on."""
    seen = sorted({(str(n), None if y is None or pd.isna(y) else int(y)) for n, y in names}, key=str)
    rows = [asdict(resolve(name, year, reference)) for name, year in seen]
    frame = pd.DataFrame(rows, columns=list(RESOLUTION_COLUMNS))
    # explicit dtypes: an all-null column would otherwise reach DuckDB as an integer column
    text_columns = [c for c in RESOLUTION_COLUMNS if c not in ("year", "needs_review")]
    frame = frame.astype({c: "string" for c in text_columns})
    frame["year"] = frame["year"].astype("Int16")
    frame["needs_review"] = frame["needs_review"].astype("boolean")
    return frame


def agencies_frame(reference: Reference, resolutions: pd.DataFrame) -> pd.DataFrame:
    """Reviewed agencies plus one provisional row per ``auto:`` id that reports use."""
    rows = [asdict(a) for a in reference.agencies.values()]
    provisional = resolutions[resolutions["agency_id"].str.startswith(AUTO_ID_PREFIX)]
    for agency_id, group in provisional.groupby("agency_id", sort=True):
        first = group.iloc[0]
        rows.append(
            {
                "agency_id": agency_id,
                "name": first["agency_name"],
                "level": first["level"],
                "parent_id": first["parent_id"],
                "province": first["province"],
                "region_code": first["region_code"],
                "scope": first["scope"],
                "valid_from": None,
                "valid_to": None,
                "successor_id": None,
                "source": "inferred",
                "note": str(first["review_reason"]),
            }
        )
    frame = pd.DataFrame(rows, columns=list(AGENCY_COLUMNS))
    for column in ("valid_from", "valid_to"):
        frame[column] = frame[column].astype("Int16")
    return frame.astype({c: "string" for c in AGENCY_COLUMNS if c not in ("valid_from", "valid_to")})
