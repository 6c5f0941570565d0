"""civis-python code against the Civis emulator: connect, helpers, responses, paging, retries."""

from __future__ import annotations

import httpx
import pandas as pd
import pytest
from _strict import warnings_as_errors

import specclient
from specclient.emulators import running
from specclient.emulators.civis import CREDENTIALS
from specclient.errors import AuthError, NotFoundError, ParameterError, ServerError
from specclient.platforms.civis import APIClient, CivisClient
from specclient.platforms.civis.endpoints import StaleSpecWarning
from specclient.response import Response

KEY = CREDENTIALS["api_key"]


@pytest.fixture
def emu():
    with running("civis", seed=1) as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    return emu.client()


# -- connecting ------------------------------------------------------------------------------
def test_connect_builds_the_client_from_the_served_endpoints(client):
    assert isinstance(client, CivisClient)
    assert {"users", "credentials", "databases", "tables", "scripts", "jobs"} <= set(dir(client))
    assert "get_containers_runs" in dir(client.scripts)


def test_api_key_comes_from_civis_api_key_environment_variable(emu, monkeypatch):
    monkeypatch.setenv("CIVIS_API_KEY", KEY)
    with specclient.connect("civis", base_url=emu.base_url, clock=emu.clock) as client:
        assert client.username == "demo-user"


def test_api_key_comes_from_a_credentials_file(emu, tmp_path):
    creds = tmp_path / "civis.yaml"
    creds.write_text(f"api_key: {KEY}\n")
    with specclient.connect("civis", base_url=emu.base_url, creds_path=creds) as client:
        assert client.username == "demo-user"


def test_missing_api_key_names_the_variable_to_set(emu):
    with pytest.raises(AuthError, match="CIVIS_API_KEY"):
        specclient.connect("civis", base_url=emu.base_url)


def test_wrong_api_key_is_refused_when_fetching_the_spec(emu):
    with pytest.raises(AuthError, match="401 error downloading the Civis API spec") as info:
        specclient.connect("civis", base_url=emu.base_url, api_key="not-the-key")
    assert "not-the-key" not in str(info.value)


def test_second_connect_starts_from_the_disk_cache(emu, tmp_path):
    options = {"base_url": emu.base_url, "api_key": KEY, "spec_cache_dir": tmp_path}
    specclient.connect("civis", **options).close()
    emu.faults.add("endpoints", "503")  # the service is now down for /endpoints
    with warnings_as_errors():  # no stale-spec warning: the cache was fresh
        client = specclient.connect("civis", **options)
    with client:
        assert client.username == "demo-user"
    assert emu.faults.fired == []


def test_unreachable_endpoints_fall_back_to_an_expired_cached_spec(emu, tmp_path):
    options = {
        "base_url": emu.base_url,
        "api_key": KEY,
        "spec_cache_dir": tmp_path,
        "clock": emu.clock,
    }
    specclient.connect("civis", **options, spec_ttl=60).close()
    emu.clock.advance(3600)
    emu.faults.add("endpoints", "503")
    with pytest.warns(StaleSpecWarning, match="using the spec cached"):
        client = specclient.connect("civis", **options, spec_ttl=60)
    with client:
        assert client.get_database_id("redshift-general") == 1


def test_local_api_spec_is_used_without_fetching(emu, tmp_path):
    import json

    from specclient.emulators.civis import served_spec

    path = tmp_path / "local_api_spec.json"
    path.write_text(json.dumps(served_spec()))
    emu.faults.add("endpoints", "503")
    with APIClient(api_key=KEY, local_api_spec=str(path), base_url=emu.base_url) as client:
        assert client.users.get_me().username == "demo-user"
    with specclient.connect(
        "civis", api_key=KEY, spec=served_spec(), base_url=emu.base_url
    ) as from_dict:
        assert from_dict.get_database_id("redshift-general") == 1
    assert emu.faults.fired == []


def test_missing_local_spec_file_is_a_clear_error():
    with pytest.raises(ParameterError, match="spec file 'nowhere.json' does not exist"):
        specclient.connect("civis", api_key=KEY, local_api_spec="nowhere.json")


def test_api_key_never_appears_in_the_client_repr(client):
    assert KEY not in repr(client) and KEY not in repr(client.auth)


# -- responses, paging, return types ---------------------------------------------------------
def test_response_has_attribute_access_and_json(client):
    me = client.users.get_me()
    assert isinstance(me, Response)
    assert me.username == me["username"] == "demo-user"
    assert me.json()["feature_flags"] == {"python_3_scripts": True}  # civis-python 2.10
    assert me.json(snake_case=False)["featureFlags"] == {"python_3_scripts": True}
    tables = client.tables.list(database_id=1)
    assert tables.json()[0]["database_id"] == 1
    assert tables.json(snake_case=False)[0]["databaseId"] == 1
    assert me.feature_flags == {"python_3_scripts": True}


def test_deprecated_list_me_alias_still_works_and_says_so(client):
    with pytest.warns(FutureWarning, match="switch to ``<client>.users.get_me``"):
        assert client.users.list_me().username == "demo-user"


def test_iterator_walks_every_page_with_page_num(client):
    tables = client.tables.list(database_id=1, limit=1, iterator=True)
    names = [f"{t.schema}.{t.name}" for t in tables]
    assert names == [
        "public.customers",
        "public.orders",
        "analytics.daily_revenue",
        "schema.has.periods.bar",
    ]


def test_page_num_asks_one_page(client):
    page = client.tables.list(limit=2, page_num=2)
    assert [t.name for t in page] == ["daily_revenue", "bar"]


def test_raw_return_type_gives_the_http_response(emu):
    client = emu.client(return_type="raw")
    response = client.databases.list()
    assert isinstance(response, httpx.Response)
    assert response.json()[0]["name"] == "redshift-general"


def test_pandas_return_type_gives_a_dataframe(client):
    frame = client.tables.list(database_id=1, return_type="pandas")
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["name"]) == ["customers", "orders", "daily_revenue", "bar"]


def test_retry_total_retries_unavailable_answers(emu):
    emu.faults.add("databases.list", "503", count=2)
    client = emu.client(retry_total=2)
    assert client.databases.list()[0].name == "redshift-general"
    assert len(emu.faults.fired) == 2


def test_retry_total_zero_surfaces_the_error(emu):
    emu.faults.add("databases.list", "503", count=1)
    client = emu.client(retry_total=0)
    with pytest.raises(ServerError, match="503"):
        client.databases.list()


def test_tenacity_retries_option_gets_a_clear_error(emu):
    with pytest.raises(ParameterError, match="retry_total"):
        emu.client(retries=object())


def test_not_found_is_an_api_error_with_civis_description(client):
    with pytest.raises(NotFoundError, match="could not be found"):
        client.tables.get(999999)


# -- helpers ---------------------------------------------------------------------------------
def test_integer_ids_pass_through_without_a_request(emu):
    emu.faults.add("*", "500")  # any request would fail
    client = emu.client(spec=_served(), retry_total=0)
    assert client.get_database_id(7) == 7
    assert client.get_aws_credential_id(1111) == 1111
    assert client.get_storage_host_id(5) == 5
    with pytest.warns(FutureWarning):
        assert client.get_database_credential_id(1111, "redshift-general") == 1111
    assert emu.faults.fired == []


def _served():
    from specclient.emulators.civis import served_spec

    return served_spec()


def test_get_database_id_by_name(client):
    assert client.get_database_id("postgres-analytics") == 2


def test_get_database_id_unknown_name_raises_value_error(client):
    with pytest.raises(ValueError, match="Database nowhere not found."):
        client.get_database_id("nowhere")


def test_get_table_id_splits_schema_and_table(client, emu):
    customers = [t for t in emu.state.tables.values() if t["name"] == "customers"][0]
    assert client.get_table_id("public.customers", "redshift-general") == customers["id"]
    dotted = [t for t in emu.state.tables.values() if t["name"] == "bar"][0]
    assert client.get_table_id('"schema.has.periods".bar', 1) == dotted["id"]


def test_get_table_id_without_an_exact_match_raises_value_error(client):
    with pytest.raises(ValueError, match="No tables found for public.custom in database 1"):
        client.get_table_id("public.custom", 1)


def test_get_aws_credential_id_prefers_your_own_among_namesakes(client, emu):
    by_owner = {(c["name"], c["owner"]): c["id"] for c in emu.state.credentials.values()}
    assert client.get_aws_credential_id("shared-cred") == by_owner["shared-cred", "demo-user"]
    assert (
        client.get_aws_credential_id("shared-cred", owner="research-group")
        == by_owner["shared-cred", "research-group"]
    )
    assert client.get_aws_credential_id("demo-aws") == by_owner["demo-aws", "demo-user"]


def test_get_aws_credential_id_unknown_raises_value_error(client):
    with pytest.raises(ValueError, match="AWS credential ID for nope owned by x cannot be found"):
        client.get_aws_credential_id("nope", owner="x")


def test_get_database_credential_id_by_username_and_database(client, emu):
    jsmith = [c for c in emu.state.credentials.values() if c["owner"] == "jsmith"][0]
    with pytest.warns(FutureWarning, match="deprecated"):
        assert client.get_database_credential_id("jsmith", "redshift-general") == jsmith["id"]
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="not found"):
        client.get_database_credential_id("jsmith", "postgres-analytics")


def test_username_and_default_database_credential_id(client, emu):
    default = [c for c in emu.state.credentials.values() if c["default"]][0]
    assert client.username == "demo-user"
    assert client.default_database_credential_id == default["id"]


def test_lookups_are_remembered_like_civis_pythons_lru_cache(emu):
    client = emu.client()
    assert client.get_database_id("redshift-general") == 1
    emu.faults.add("databases.list", "500")
    assert client.get_database_id("redshift-general") == 1
    assert emu.faults.fired == []


def test_unknown_option_is_refused_with_the_closest_name():
    with pytest.raises(ParameterError, match="unknown option 'retry_totl'.*'retry_total'"):
        specclient.connect("civis", api_key=KEY, retry_totl=3)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"return_type": "camel"}, "return_type must be"),
        ({"retry_total": -1}, "retry_total must be a whole number"),
    ],
)
def test_bad_options_are_refused_before_the_spec_is_fetched(emu, option, message):
    emu.faults.add("endpoints", "500")
    with pytest.raises(ParameterError, match=message):
        specclient.connect("civis", api_key=KEY, base_url=emu.base_url, **option)
    assert emu.faults.fired == []


def test_deprecated_feature_flags_lists_the_enabled_flags(client):
    with pytest.warns(FutureWarning, match="feature_flags is deprecated"):
        assert client.feature_flags == ("python_3_scripts",)
