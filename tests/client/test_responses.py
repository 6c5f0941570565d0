"""What callers get back: Response objects, raw replies, DataFrames and errors."""

from __future__ import annotations

import httpx
import pytest

from specclient import errors

PET = {
    "id": "1",
    "name": "Rex",
    "ageYears": 3,
    "bornAt": "2020-05-01T10:00:00Z",
    "status": "HOME",
    "ownerInfo": {"firstName": "Ada"},
}


def test_snake_case_attribute_and_item_access_with_the_payload_as_sent(pets, recorder):
    recorder.handler = lambda r: httpx.Response(200, json=PET, headers={"X-Rate": "9"})
    pet = pets.pets.get("1")
    assert pet.age_years == 3 and pet["age_years"] == 3 and pet["ageYears"] == 3
    assert pet.owner_info.first_name == "Ada"
    assert pet.json() == PET
    assert pet.headers["x-rate"] == "9" and pet.status_code == 200
    with pytest.raises(AttributeError, match="no field 'agee'"):
        pet.agee  # noqa: B018


def test_lists_come_back_as_lists_of_responses(pets, recorder):
    recorder.handler = lambda r: httpx.Response(200, json=[PET, PET])
    pets_ = pets.pets.get("all")
    assert [p.name for p in pets_] == ["Rex", "Rex"]
    assert pets_.json() == [PET, PET]


def test_raw_return_type_gives_the_httpx_response(pets, recorder):
    recorder.handler = lambda r: httpx.Response(200, json=PET)
    raw = pets.pets.get("1", return_type="raw")
    assert isinstance(raw, httpx.Response) and raw.json() == PET


def test_pandas_keeps_integers_with_gaps_and_parses_datetimes(pets, recorder):
    rows = [dict(PET, ageYears=3), dict(PET, id="2", ageYears=None, bornAt="2021-01-01T00:00:00Z")]
    recorder.handler = lambda r: httpx.Response(200, json={"items": rows})
    frame = pets.pets.list(return_type="pandas")
    assert list(frame["id"]) == ["1", "2"]
    assert str(frame["ageYears"].dtype) == "Int64"
    assert frame["ageYears"].isna().tolist() == [False, True]
    assert str(frame["bornAt"].dtype).startswith("datetime64") and frame["bornAt"].dt.tz
    assert frame["bornAt"][1].year == 2021


def test_empty_reply_is_an_empty_response(pets, recorder):
    recorder.handler = lambda r: httpx.Response(204)
    assert pets.pets.delete("1") == {}


def test_error_status_raises_the_matching_subclass_with_context(pets, recorder):
    recorder.handler = lambda r: httpx.Response(
        404, json={"message": "no pet 9"}, headers={"X-Request-Id": "req-77"}
    )
    with pytest.raises(errors.NotFoundError) as caught:
        pets.pets.get("9")
    error = caught.value
    assert error.status_code == 404 and error.request_id == "req-77"
    assert "no pet 9" in str(error) and "GET https://pets.example/v1/pets/9" in str(error)
    assert "[pets.get]" in str(error)


def test_rate_limit_error_after_retries_carries_retry_after(pets_spec, recorder):
    import specclient

    recorder.handler = lambda r: httpx.Response(429, headers={"Retry-After": "7"})
    client = specclient.Client.from_spec(
        pets_spec, http=recorder.transport, cache=False, max_retries=0
    )
    with pytest.raises(errors.RateLimitError) as caught:
        client.pets.get("1")
    assert caught.value.retry_after == 7.0


def test_rate_limit_error_reads_an_http_date_retry_after_against_the_client_clock(
    pets_spec, recorder
):
    # RFC 9110 section 10.2.3: Retry-After is an HTTP-date or delay-seconds; its example
    # "Fri, 31 Dec 1999 23:59:59 GMT" two minutes after the client's "now" means 120 s.
    import specclient
    from specclient._clock import FakeClock

    when = "Fri, 31 Dec 1999 23:59:59 GMT"
    clock = FakeClock(start=946684799.0 - 120)
    recorder.handler = lambda r: httpx.Response(429, headers={"Retry-After": when})
    client = specclient.Client.from_spec(
        pets_spec, http=recorder.transport, cache=False, max_retries=0, clock=clock
    )
    with pytest.raises(errors.RateLimitError) as caught:
        client.pets.get("1")
    assert caught.value.retry_after == 120.0
    assert len(recorder.requests) == 1


async def test_async_rate_limit_error_reads_an_http_date_retry_after(pets_spec, recorder):
    import specclient
    from specclient._clock import FakeClock

    clock = FakeClock(start=946684799.0 - 30)
    recorder.handler = lambda r: httpx.Response(
        429, headers={"Retry-After": "Fri, 31 Dec 1999 23:59:59 GMT"}
    )
    client = specclient.AsyncClient.from_spec(
        pets_spec, http=recorder.transport, cache=False, max_retries=0, clock=clock
    )
    with pytest.raises(errors.RateLimitError) as caught:
        await client.pets.get("1")
    assert caught.value.retry_after == 30.0


def test_malformed_json_reply_is_a_decode_error_naming_the_operation(pets, recorder):
    recorder.handler = lambda r: httpx.Response(
        200, content=b"{not json", headers={"content-type": "application/json"}
    )
    with pytest.raises(errors.ResponseDecodeError, match=r"pets.get: the server's reply"):
        pets.pets.get("1")


def test_secret_fields_are_hidden_in_repr(pets, recorder):
    recorder.handler = lambda r: httpx.Response(
        200, json={"id": "1", "apiKey": "k-123", "accessToken": "t-456"}
    )
    shown = repr(pets.pets.get("1"))
    assert "k-123" not in shown and "t-456" not in shown and "'id': '1'" in shown


def test_error_excerpt_does_not_leak_tokens(pets, recorder):
    recorder.handler = lambda r: httpx.Response(
        400, json={"message": "bad", "accessToken": "t-999"}
    )
    with pytest.raises(errors.BadRequestError) as caught:
        pets.pets.get("1")
    assert "t-999" not in str(caught.value)
