"""`sitegen fetch` against a local stand-in for the search API, with faults injected."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.generate import notice_record
from sitegen.importer import import_pages
from sitegen.sources.fetch import FetchError, FetchSettings, query_slug
from sitegen.sources.fetch import fetch as fetch_from
from sitegen.sources.miit import MiitSource

from .fake_api import FakePolicyLibrary, FakeSearchAPI
from .samples import SAMPLE_PAGE


def sample_records() -> list[dict]:
    page = json.loads(SAMPLE_PAGE.read_text(encoding="utf-8"))
    entries = [r["groupData"][0] for r in page["data"]["searchResult"]["dataResults"]]
    return entries + [notice_record(i, seed=7) for i in range(25)]


def settings(**changes) -> FetchSettings:
    return FetchSettings(**{"query": "个人信息", "page_size": 10, "delay": 0,
                            "backoff": 0.01, "timeout": 0.5, "tries": 4, **changes})


def fetch(api: FakeSearchAPI, settings: FetchSettings, out, **options):
    """A crawl of MIIT's API, as the fake on 127.0.0.1 serves it."""
    return fetch_from(MiitSource(api.origin), settings, out, **options)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def saved_ids(folder) -> set[str]:
    ids = set()
    for path in folder.rglob("page-*.json"):
        page = json.loads(path.read_bytes())
        ids.update(e["groupData"][0]["pkValue"] for e in page["data"]["searchResult"]["dataResults"])
    return ids


def test_fetches_every_page_through_faults_and_the_pages_import_cleanly(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[2] = ["timeout", "500", "truncated"]
        api.faults[3] = ["429", "fail"]
        api.hang = 1.0
        sleeps = Sleeps()
        report, folder = fetch(api, settings(), tmp_path / "raw", sleep=sleeps)
        served = api.page_body({"pg": "100", "p": "1"})[1]
    assert sorted(p.name for p in folder.glob("page-*.json")) == [f"page-000{i}.json" for i in range(1, 5)]
    assert saved_ids(folder) == {e["pkValue"] for e in served}
    assert report.retries == 5 and 7.0 in sleeps  # Retry-After was honoured
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    first_slice = next(iter(manifest["slices"].values()))
    assert first_slice["total"] == 35 and parse_qs(urlsplit(first_slice["request"]).query)["q"] == ["个人信息"]
    assert first_slice["pages"]["page-0002.json"]["status"] == 200
    # Saved verbatim: the bytes the API sent.
    assert (folder / "page-0001.json").read_bytes() == api.page_body({"pg": "10", "p": "1"})[0]
    result = import_pages([tmp_path / "raw"], tmp_path / "content")
    assert result.errors == [] and len(result.created) + len(result.merged) == 35


def test_gives_up_with_a_clear_message_and_resumes_without_refetching(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[3] = ["500"] * 10
        with pytest.raises(FetchError, match="gave up on page 3 after 4 tries: HTTP 500"):
            fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        folder = next((tmp_path / "raw").iterdir())
        assert sorted(p.name for p in folder.glob("page-*.json")) == ["page-0001.json", "page-0002.json"]
        api.faults.clear()
        api.requests.clear()
        report, _ = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
    assert [r["p"] for r in api.requests] == ["3", "4"]
    assert report.pages_skipped == 2 and report.pages_fetched == 2


def test_a_rerun_fetches_only_what_is_new(tmp_path):
    records = sample_records()
    with FakeSearchAPI(records) as api:
        fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        newest = max(int(r["data"]["deploytime"]) for r in records)
        for index in range(3):
            record = notice_record(1000 + index, seed=7)
            record["data"]["deploytime"] = str(newest + 1000 * (index + 1))
            api.records.append(record)
        api.requests.clear()
        report, folder = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
    assert report.new_records == 3
    assert [r["p"] for r in api.requests] == ["1", "2"]  # page 2 holds nothing new: stop
    updates = list(folder.glob("update-*/page-*.json"))
    assert len(updates) == 1


def test_a_total_that_changes_mid_crawl_still_ends_with_every_record(tmp_path):
    records = sample_records()
    with FakeSearchAPI(records) as api:
        original_body = api.page_body

        def growing(params):
            if params.get("p") == "3" and len(api.records) == len(records):
                newest = max(int(r["data"]["deploytime"]) for r in api.records)
                for index in range(4):
                    record = notice_record(2000 + index, seed=7)
                    record["data"]["deploytime"] = str(newest + 1000 * (index + 1))
                    api.records.append(record)
            return original_body(params)

        api.page_body = growing
        report, folder = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        every = {r["pkValue"] for r in api.records}
    assert any("total changed from 35 to 39" in w for w in report.warnings)
    assert saved_ids(folder) == every


def test_repeated_pages_are_reported_and_long_ranges_are_sliced(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[2] = ["repeat"]
        _, folder = fetch(
            api,
            settings(max_pages=2, since=dt.date(2000, 1, 1), until=dt.date(2026, 1, 1)),
            tmp_path / "raw", sleep=Sleeps())
        every = {r["pkValue"] for r in api.records}
    assert saved_ids(folder) == every
    slices = [p for p in folder.iterdir() if p.is_dir()]
    assert len(slices) >= 2 and all(p.name.count("--") == 1 for p in slices)
    assert all(len(list(p.rglob("page-*.json"))) <= 2 for p in slices if not any(c.is_dir() for c in p.iterdir()))


def test_no_bad_page_is_ever_saved(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["truncated", "fail", "truncated", "fail"]
        with pytest.raises(FetchError, match="gave up on page 1"):
            fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
    assert not list((tmp_path / "raw").rglob("page-*.json"))


def test_the_command_line_fetches_then_imports(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sitegen.cli import main

    monkeypatch.chdir(tmp_path)
    with FakeSearchAPI(sample_records()) as api:
        api.faults[2] = ["500"]
        result = CliRunner().invoke(main, ["fetch", "-q", "个人信息", "--origin", api.origin,
                                           "--delay", "0", "--page-size", "10", "--tries", "3"])
    assert result.exit_code == 0, result.output
    assert "4 pages fetched, 0 already saved, 35 records (35 new), 1 retry" in result.output
    result = CliRunner().invoke(main, ["import", "raw"])
    assert result.exit_code == 0 and "0 failed" in result.output


# -- a server that is not to be trusted (#17.8) ---------------------------------------------

def test_a_huge_content_length_is_refused_before_the_body_is_read(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[2] = ["huge"] * 10
        with pytest.raises(FetchError, match=r"page 2: larger than 1 MiB \(Content-Length 2147483648\)"):
            fetch(api, settings(max_bytes=1_048_576), tmp_path / "raw", sleep=Sleeps())
        assert api.bytes_sent < 4 * 1_048_576


def test_an_endless_body_is_cut_at_the_size_limit(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["endless"] * 10
        with pytest.raises(FetchError, match="page 1: larger than 1 MiB"):
            fetch(api, settings(max_bytes=1_048_576), tmp_path / "raw", sleep=Sleeps())
        assert api.bytes_sent < 64 * 1_048_576  # it stopped reading, so the server stopped writing
    assert not list((tmp_path / "raw").rglob("page-*.json"))


def test_a_trickling_server_meets_a_deadline_for_the_whole_request(tmp_path):
    import time

    with FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["trickle"] * 2  # each byte within the per-read timeout, the page never whole
        api.trickle = 0.1
        started = time.monotonic()
        report, folder = fetch(api, settings(timeout=1.0, tries=3), tmp_path / "raw", sleep=Sleeps())
        elapsed = time.monotonic() - started
    assert elapsed < 8  # two cut-off tries of 1 s, then the page: not minutes of trickle
    assert report.retries >= 2 and (folder / "page-0001.json").is_file()


def test_retry_after_is_capped(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["429"]
        api.retry_after = "999999999"
        sleeps = Sleeps()
        fetch(api, settings(max_retry_after=30), tmp_path / "raw", sleep=sleeps)
    assert max(sleeps) == 30


def test_a_redirect_off_the_origin_is_never_followed(tmp_path):
    with FakeSearchAPI(sample_records()) as elsewhere, FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["redirect"]
        api.redirect_to = f"{elsewhere.origin}/search-front-server/api/search/info?p=1&pg=10"
        with pytest.raises(FetchError, match="neither the origin nor an allowed host"):
            fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        assert elsewhere.requests == []
    assert not list((tmp_path / "raw").rglob("page-*.json"))


def test_a_redirect_within_the_origin_is_followed(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.faults[1] = ["redirect"]
        api.redirect_to = "/search-front-server/api/search/info?p=1&pg=10&q=x"
        report, folder = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
    assert (folder / "page-0001.json").is_file() and report.records == 35


def test_a_server_repeating_one_page_with_no_total_is_left_when_it_repeats(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.stuck, api.no_total = True, True
        report, folder = fetch(api, settings(max_pages=1000), tmp_path / "raw", sleep=Sleeps())
        asked = len(api.requests)
    assert asked <= 1 + settings().tries  # page 1, then page 2 asked again a few times
    assert sorted(p.name for p in folder.glob("page-*.json")) == ["page-0001.json"]
    assert any("only repeats records already fetched and the API reports no total" in w
               for w in report.warnings)


def test_with_no_total_the_page_limit_stops_the_crawl_and_says_so(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        api.no_total = True
        report, folder = fetch(api, settings(max_pages=2), tmp_path / "raw", sleep=Sleeps())
    assert len(list(folder.glob("page-*.json"))) == 2
    assert any("stopped at the page limit (2 pages)" in w for w in report.warnings)


# -- a new date range is a new crawl, never a truncated update (#17.15) ----------------------

def test_a_new_date_range_for_the_same_query_fetches_every_record_of_it(tmp_path):
    records = sample_records()
    years = sorted({int(r["data"]["deploytime"]) for r in records})
    with FakeSearchAPI(records) as api:
        # A first crawl of a narrow range completes ...
        first = dt.datetime.fromtimestamp(years[-1] / 1000, dt.UTC).date()
        fetch(api, settings(since=first, until=first), tmp_path / "raw", sleep=Sleeps())
        # ... then the whole range, with a page limit that forces slicing.
        _, folder = fetch(api, settings(max_pages=2, since=dt.date(1990, 1, 1), until=dt.date(2030, 1, 1)),
                          tmp_path / "raw", sleep=Sleeps())
        every = {r["pkValue"] for r in api.records}
    assert saved_ids(folder) == every
    assert len(list((tmp_path / "raw").iterdir())) == 2
    assert folder.name.endswith("-1990-01-01--2030-01-01")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["since"], manifest["until"]) == ("1990-01-01", "2030-01-01")


def test_an_update_cut_by_the_page_limit_says_so(tmp_path):
    records = sample_records()
    with FakeSearchAPI(records) as api:
        fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        newest = max(int(r["data"]["deploytime"]) for r in records)
        for index in range(25):
            record = notice_record(3000 + index, seed=7)
            record["data"]["deploytime"] = str(newest + 1000 * (index + 1))
            api.records.append(record)
        report, _ = fetch(api, settings(max_pages=2), tmp_path / "raw", sleep=Sleeps())
    assert report.new_records == 20
    assert any(w.startswith("update: stopped at the page limit (2 pages)") for w in report.warnings)


# -- odd answers and odd settings: one line, no traceback (#17.23) ---------------------------

@pytest.mark.parametrize("total", [float("nan"), float("inf"), -5, "many", True])
def test_a_total_that_is_not_a_count_is_treated_as_unknown(tmp_path, total):
    with FakeSearchAPI(sample_records()) as api:
        api.total = total
        _, folder = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        every = {r["pkValue"] for r in api.records}
    assert saved_ids(folder) == every


@pytest.mark.parametrize("change, message", [
    ({"page_size": 0}, "page-size must be a whole number of at least 1, not 0"),
    ({"tries": 0}, "tries must be a whole number of at least 1, not 0"),
    ({"delay": float("nan")}, "delay must be a positive number of seconds, not nan"),
    ({"timeout": 0}, "timeout must be a positive number of seconds, not 0"),
])
def test_settings_that_cannot_work_are_one_clear_error(change, message):
    with pytest.raises(FetchError, match=message):
        FetchSettings(**change)


def test_a_damaged_manifest_is_one_clear_error(tmp_path):
    with FakeSearchAPI(sample_records()) as api:
        _, folder = fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())
        (folder / "manifest.json").write_text("{\"complete\": tru", encoding="utf-8")
        with pytest.raises(FetchError, match="manifest.json: not a readable manifest"):
            fetch(api, settings(), tmp_path / "raw", sleep=Sleeps())


# -- the crawler knows no site: gov.cn's policy library through the same fetch ---------------

def policy_library_items(count: int) -> list[dict]:
    day = 1_704_412_800_000  # 2024-01-05 in Beijing
    return [{"id": f"{9000 + i}", "title": f"国务院关于第{i}项工作的通知", "pcode": f"国发〔2024〕{i}号",
             "puborg": "国务院", "pubtime": day - i * 86_400_000, "url": f"/zhengce/content_{9000 + i}.htm",
             "content": f"<p>第{i}项工作的正文。</p>"} for i in range(count)]


def test_the_same_crawler_pages_through_another_source_and_its_pages_import(tmp_path):
    from sitegen.sources.govcn import GovCnSource

    with FakePolicyLibrary(policy_library_items(23)) as library:
        source = GovCnSource(library.origin)
        report, folder = fetch_from(source, settings(), tmp_path / "raw", sleep=Sleeps())
        asked = [(r["p"], r["n"], r["q"]) for r in library.requests]
    assert asked == [("1", "10", "个人信息"), ("2", "10", "个人信息"), ("3", "10", "个人信息")]
    assert report.records == 23 and len(list(folder.glob("page-*.json"))) == 3
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"] == "govcn" and manifest["complete"] is True
    assert folder.name != query_slug("个人信息", settings())  # not the folder of MIIT's crawl
    result = import_pages([tmp_path / "raw"], tmp_path / "content", source)
    assert result.errors == [] and len(result.created) == 23


def test_the_command_line_fetches_and_imports_another_source(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sitegen.cli import main

    monkeypatch.chdir(tmp_path)
    with FakePolicyLibrary(policy_library_items(5)) as library:
        result = CliRunner().invoke(main, ["fetch", "--source", "govcn", "--origin", library.origin,
                                           "--delay", "0", "--department", "国务院"])
        assert result.exit_code == 0, result.output
        assert library.requests[0]["puborg"] == "国务院"
    result = CliRunner().invoke(main, ["import", "--source", "govcn", "raw"])
    assert result.exit_code == 0, result.output
    assert "5 created" in result.output


@pytest.mark.parametrize("options, message", [
    (["--page-size", "0"], "page-size"),
    (["--tries", "0"], "tries"),
    (["--delay", "nan"], "delay"),
])
def test_the_command_line_says_what_is_wrong_with_a_setting_in_one_line(tmp_path, monkeypatch, options, message):
    from click.testing import CliRunner

    from sitegen.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["fetch", "--origin", "http://127.0.0.1:9", *options])
    assert result.exit_code == 2 or result.exit_code == 1
    assert "Traceback" not in result.output and not isinstance(result.exception, (TypeError, ValueError,
                                                                                   ZeroDivisionError))
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and message in lines[0]


def test_the_command_line_fetches_through_a_nan_total(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sitegen.cli import main

    monkeypatch.chdir(tmp_path)
    with FakeSearchAPI(sample_records()) as api:
        api.total = float("nan")
        result = CliRunner().invoke(main, ["fetch", "-q", "x", "--origin", api.origin, "--delay", "0",
                                           "--page-size", "10"])
    assert result.exit_code == 0, result.output
    assert "35 records (35 new)" in result.output
