"""The one redaction rule: which names are secret, and how URLs and bodies are masked."""

from __future__ import annotations

import json

import pytest

from specclient import errors
from specclient.http.redact import (
    is_secret_name,
    redact_body,
    redact_headers,
    redact_json,
    redact_url,
)


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "Set-Cookie",
        "api-key-secret",
        "x-api-key",
        "CLICDATA-API-KEY",
        "X-Auth-Token",
        "access_token",
        "accessToken",
        "refresh_token",
        "client_secret",
        "password",
        "apiKey",
        "X-Amz-Signature",
        "X-Amz-Credential",
        "X-Amz-Security-Token",
        "sig",
    ],
)
def test_credential_names_are_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "api-key-id",  # an identifier of a key, shown to help debugging
        "client_id",
        "CryptoKeyID",
        "pageToken",  # pagination cursors are not credentials
        "nextPageToken",
        "tokenType",
        "keyword",
        "uniquekeyavailable",
        "Content-Type",
        "x-request-id",
        "grant_type",
    ],
)
def test_ids_cursors_and_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_spec_secret_fields_are_secret_whatever_their_name() -> None:
    assert is_secret_name("SSN", secret_fields=["ssn"])
    assert not is_secret_name("ssn")


def test_url_keeps_its_bytes_except_secret_values_and_userinfo_password() -> None:
    url = "https://ann:pa%24s@h.example/a%20b?q=x%20y&api_key=k%2F1&X-Amz-Signature=abc#frag"
    assert redact_url(url) == (
        "https://ann:***@h.example/a%20b?q=x%20y&api_key=***&X-Amz-Signature=***#frag"
    )


def test_errors_module_reexports_the_same_redact_url() -> None:
    assert errors.redact_url is redact_url
    error = errors.APIError(
        "Not Found", status_code=404, method="GET", url="https://h/x?token=t0p&id=3"
    )
    assert "token=***&id=3" in str(error) and "t0p" not in str(error)


def test_headers_are_masked_by_name() -> None:
    masked = redact_headers(
        {"Authorization": "Bearer t", "api-key-id": "id-1", "api-key-secret": "s", "Accept": "*/*"}
    )
    assert masked == {
        "Authorization": "***",
        "api-key-id": "id-1",
        "api-key-secret": "***",
        "Accept": "*/*",
    }


def test_json_is_masked_at_any_depth_and_signed_urls_inside_strings() -> None:
    body = {
        "user": {"password": "p", "name": "ann"},
        "items": [{"accessToken": "t", "id": 1}],
        "upload": "https://s3.example/b/k?X-Amz-Credential=AKIA&X-Amz-Signature=ff&v=1",
        "clientSecret": None,
    }
    assert redact_json(body) == {
        "user": {"password": "***", "name": "ann"},
        "items": [{"accessToken": "***", "id": 1}],
        "upload": "https://s3.example/b/k?X-Amz-Credential=***&X-Amz-Signature=***&v=1",
        "clientSecret": None,
    }


def test_body_excerpt_by_content_type() -> None:
    form = redact_body(b"grant_type=x&client_secret=s3", "application/x-www-form-urlencoded")
    assert form == "grant_type=x&client_secret=***"
    as_json = redact_body(b'{"password": "p"}', "application/json; charset=utf-8")
    assert json.loads(as_json) == {"password": "***"}
    assert redact_body(b"--b\r\nsecret", "multipart/form-data; boundary=b") == (
        "<11 bytes multipart/form-data>"
    )
    assert redact_body(b"\xff\xfe\x00", None) == "<3 bytes binary>"
    assert redact_body(b"x" * 50, "text/plain", limit=10) == "x" * 10 + "..."


# -- item 11 of issue 12: redaction is linear and the excerpt bounded -------------------------
# No timings: these inputs took minutes or never finished with the quadratic scan, so the
# suite itself would hang on a regression.


def test_redacting_twenty_megabytes_of_letters_finishes_and_masks_the_url_after_them() -> None:
    from specclient._secrets import redact_text_urls

    text = "a" * 20_000_000 + "https://h.example/x?token=s3cr3t&page=2 tail"
    redacted = redact_text_urls(text)
    assert redacted.endswith("https://h.example/x?token=***&page=2 tail")
    assert "s3cr3t" not in redacted
    assert len(redacted) == len(text) - len("s3cr3t") + len("***")


def test_many_urls_in_one_long_run_are_each_masked() -> None:
    from specclient._secrets import redact_text_urls

    text = "x://h?key=k&" * 200_000
    assert "key=k&" not in redact_text_urls(text)


def test_urls_are_found_after_digits_and_inside_words() -> None:
    from specclient._secrets import redact_text_urls

    assert (
        redact_text_urls("got 1https://h/p?token=t seehttps://h/?sig=s")
        == "got 1https://h/p?token=*** seehttps://h/?sig=***"
    )


def test_the_error_excerpt_of_a_huge_text_body_is_bounded() -> None:
    body = ("word " * 4_000_000).encode() + b"https://h/?token=late"
    excerpt = redact_body(body, "text/plain")
    assert len(excerpt) == 503 and excerpt.endswith("...")
    assert excerpt.startswith("word word")


def test_a_huge_json_error_body_is_summarised_not_parsed() -> None:
    body = b'{"password": "p", "pad": "' + b"x" * 2_000_000 + b'"}'
    assert redact_body(body, "application/json") == f"<{len(body)} bytes application/json>"


def test_an_api_error_for_a_twenty_megabyte_body_has_a_bounded_message() -> None:
    import httpx

    from specclient.response import raise_for_status

    body = ("a" * 20_000_000 + " https://h/?token=t").encode()
    reply = httpx.Response(
        500,
        content=body,
        headers={"content-type": "text/plain"},
        request=httpx.Request("GET", "http://h/x"),
    )
    with pytest.raises(errors.ServerError) as caught:
        raise_for_status(reply)
    assert len(str(caught.value)) < 1200


def test_values_registered_for_masking_are_bounded_and_the_newest_kept() -> None:
    """An app making a Bearer per request must not grow the by-value list without end."""
    from specclient import _secrets

    for index in range(3 * _secrets._MOST_VALUES):
        _secrets.register_secret_value(f"bounded-token-{index:06d}")
    newest = f"bounded-token-{3 * _secrets._MOST_VALUES - 1:06d}"
    assert len(_secrets._VALUES) == _secrets._MOST_VALUES
    assert _secrets.redact_secret_values(f"got {newest}") == "got ***"
    assert _secrets.redact_secret_values("short ab12") == "short ab12"


S3_SIGNATURE_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>'
    "<Message>The request signature we calculated does not match the signature you provided."
    "</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"
    "<SignatureProvided>fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
    "</SignatureProvided><CanonicalRequest>PUT\n/examplebucket/test.txt\n"
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLETOKEN"
    "&amp;X-Amz-SignedHeaders=host</CanonicalRequest><RequestId>4442587FB7D0A2F9</RequestId>"
    "</Error>"
)


def test_an_s3_error_body_shows_its_code_and_message_but_not_the_signature_or_token():
    # S3's SignatureDoesNotMatch error (AWS's documented example values) repeats the request's
    # signature and, for temporary credentials, its session token in the canonical request.
    shown = redact_body(S3_SIGNATURE_ERROR, "application/xml", limit=None)
    assert "<Code>SignatureDoesNotMatch</Code>" in shown
    assert "<RequestId>4442587FB7D0A2F9</RequestId>" in shown
    assert "<SignatureProvided>***</SignatureProvided>" in shown
    assert "X-Amz-Security-Token=***&amp;X-Amz-SignedHeaders=host" in shown
    assert "fe5f80f77d5fa3beca" not in shown and "FwoGZXIvYXdzEXAMPLETOKEN" not in shown


def test_an_xml_excerpt_cut_inside_a_secret_shows_none_of_it():
    cut = S3_SIGNATURE_ERROR.index("fe5f80f77d5f") + 12
    shown = redact_body(S3_SIGNATURE_ERROR[:cut], "application/xml", limit=None)
    assert shown.endswith("<SignatureProvided>***")
    # without a content type, a body that opens with a tag is read as XML too
    assert "fe5f80f77d5f" not in redact_body(S3_SIGNATURE_ERROR[:cut], None, limit=None)
