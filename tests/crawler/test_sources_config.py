"""The sources file: defaults, validation errors that name the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.sources.sources_config import (
    DEFAULT_MAX_BYTES_PER_FILE,
    DEFAULT_USER_AGENT,
    SourcesConfigError,
    load_sources,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads() -> None:
    sources = load_sources(REPO_ROOT / "sources.example.toml")
    assert [s.name for s in sources] == ["example-province", "example-city-finance"]
    province, city = sources
    assert province.allowed_hosts == ("www.example.gov.cn", "files.example.gov.cn")
    assert province.max_pages == 20 and province.requests_per_second == 0.5
    assert city.allowed_hosts == ("czj.example.gov.cn",)  # defaulted from start_urls
    assert city.requests_per_second == 0.2 and city.min_interval_seconds == 5.0
    assert "mailto:" in city.user_agent  # from [defaults]


def test_minimal_source_gets_defaults(tmp_path: Path) -> None:
    [source] = load_sources(
        write(tmp_path, '[[sources]]\nname = "a"\nstart_urls = ["http://x.example.gov.cn/"]\n')
    )
    assert source.user_agent == DEFAULT_USER_AGENT
    assert source.max_bytes_per_file == DEFAULT_MAX_BYTES_PER_FILE
    assert source.requests_per_second == 1.0
    assert source.host_allowed("x.example.gov.cn", 80) and not source.host_allowed("y.example.gov.cn", 80)


def test_host_patterns() -> None:
    from pipelines.sources.sources_config import SourceConfig

    source = SourceConfig("a", ("http://example.gov.cn/",), ("*.example.gov.cn", "127.0.0.1:8080"))
    assert source.host_allowed("www.example.gov.cn", 443) and source.host_allowed("example.gov.cn", 80)
    assert not source.host_allowed("badexample.gov.cn", 80)
    assert source.host_allowed("127.0.0.1", 8080) and not source.host_allowed("127.0.0.1", 8081)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nmax_page = 3',
            "source 'a': field 'max_page': unknown field",
        ),
        (
            'name = "a"\nstart_urls = ["ftp://x.gov.cn/"]',
            "source 'a': field 'start_urls': not an absolute http(s) URL",
        ),
        ('name = "a"\nstart_urls = []', "source 'a': field 'start_urls': required"),
        ('start_urls = ["http://x.gov.cn/"]', "source #1: field 'name': required"),
        ('name = "a b"\nstart_urls = ["http://x.gov.cn/"]', "field 'name'"),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nallowed_hosts = ["y.gov.cn"]',
            "source 'a': field 'start_urls': 'http://x.gov.cn/' is not on an allowed host",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nallowed_hosts = ["http://x.gov.cn/"]',
            "source 'a': field 'allowed_hosts': not a host name",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nlink_patterns = ["("]',
            "source 'a': field 'link_patterns': invalid regex",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nuser_agent = "bot/1.0"',
            "source 'a': field 'user_agent': must include a contact",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nmax_pages = 0',
            "source 'a': field 'max_pages': must be a positive integer",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\nrequests_per_second = 0',
            "source 'a': field 'requests_per_second': must be > 0",
        ),
        (
            'name = "a"\nstart_urls = ["http://x.gov.cn/"]\ntimeout_seconds = "30"',
            "source 'a': field 'timeout_seconds': must be a number",
        ),
    ],
)
def test_validation_errors_name_source_and_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SourcesConfigError, match=None) as error:
        load_sources(write(tmp_path, f"[[sources]]\n{body}\n"))
    assert message in str(error.value)


def test_duplicate_names_and_bad_toml(tmp_path: Path) -> None:
    entry = '[[sources]]\nname = "a"\nstart_urls = ["http://x.gov.cn/"]\n'
    with pytest.raises(SourcesConfigError, match="source 'a': field 'name': duplicate"):
        load_sources(write(tmp_path, entry + entry))
    with pytest.raises(SourcesConfigError, match="not valid TOML"):
        load_sources(write(tmp_path, "[[sources]\n"))
    with pytest.raises(SourcesConfigError, match=r"\[defaults\]: unknown or per-source-only field 'name'"):
        load_sources(write(tmp_path, '[defaults]\nname = "x"\n' + entry))
