"""The word ``key`` marks a credential only where it names one.

Civis's ``tables.get`` columns carry ``useableAsPrimaryKey`` (``useable_as_primary_key``): a
flag about the data, once printed as ``***`` in every repr and DataFrame because the rule
matched any word ``key``. ``key`` now counts only as the whole name or after a word saying
whose or what key it is; every other credential word keeps matching wherever it stands.
"""

from __future__ import annotations

import pandas as pd
import pytest

from specclient.http.redact import is_secret_name, redact_json, redact_url
from specclient.response import Response, mask_secret_columns


@pytest.mark.parametrize(
    "name",
    [
        "key",  # ?key=... as Google-style APIs take their key
        "KEY",
        "api_key",
        "apiKey",
        "APIKEY",
        "x-api-key",
        "X-Key",
        "access_key",
        "AWS_SECRET_ACCESS_KEY",
        "private_key",
        "privateKey",
        "client-key",
        "Ocp-Apim-Subscription-Key",
        "signing_key",
        "encryption_key",
        "session_key",
        "ssh_key",
        "webhook_key",
        "api_key_value",
        "tenant_key",  # a key of unknown use stays hidden
        "license-key",
        "secret",
        "db_password",
        "auth_token",
        "authorization",
        "X-Amz-Signature",
    ],
)
def test_credential_names_stay_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "useable_as_primary_key",
        "useableAsPrimaryKey",
        "primary_key",
        "primaryKey",
        "foreign_key",
        "sort_key",
        "sort_keys",
        "sortkey1",
        "partition_key",
        "distkey",
        "dist_key",
        "cache_key",
        "idempotency_key",
        "hash_key",
        "row_key",
        "keys",
        "api_key_id",  # an identifier of a key, as before
        "keyword",
    ],
)
def test_data_columns_named_with_key_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_a_civis_column_listing_prints_its_primary_key_flag() -> None:
    column = {"name": "id", "sqlType": "integer", "useableAsPrimaryKey": True, "apiKey": "k-1"}
    assert redact_json(column) == {
        "name": "id",
        "sqlType": "integer",
        "useableAsPrimaryKey": True,
        "apiKey": "***",
    }
    shown = repr(Response({"useable_as_primary_key": True, "api_key": "k-1"}))
    assert shown == "Response({'useable_as_primary_key': True, 'api_key': '***'})"


def test_a_frame_keeps_its_key_columns_and_masks_the_credential_one() -> None:
    frame = pd.DataFrame(
        {"name": ["id"], "useable_as_primary_key": [True], "sort_key": [1], "x_api_key": ["k"]}
    )
    masked = mask_secret_columns(frame)
    assert masked.to_dict("records") == [
        {"name": "id", "useable_as_primary_key": True, "sort_key": 1, "x_api_key": "***"}
    ]


def test_urls_mask_a_key_parameter_and_keep_a_sort_key() -> None:
    assert redact_url("https://h/x?key=k-1&sort_key=name&primary_key=id") == (
        "https://h/x?key=***&sort_key=name&primary_key=id"
    )


@pytest.mark.parametrize(
    "name",
    [
        "token_count",  # a language model's usage, not a token
        "inputTokenCount",
        "password_length",
        "token_limit",
        "token_ttl",
        "token_expiry",
        "signature_algorithm",
        "X-Amz-Algorithm",
        "token_type",
        "api_key_id",
    ],
)
def test_names_that_describe_a_credential_are_shown(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["token", "access_token", "refresh_token", "count_token", "token_value", "secret"]
)
def test_names_that_hold_a_credential_stay_masked(name: str) -> None:
    assert is_secret_name(name)
