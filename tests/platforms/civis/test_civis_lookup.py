"""civis-python's find / find_one / split_schema_tablename, and the helpers' choices."""

from __future__ import annotations

import logging

import pytest

from specclient.platforms.civis import find, find_one, split_schema_tablename
from specclient.platforms.civis.lookup import pick_aws
from specclient.response import Response

ITEMS = [
    Response({"id": 1, "name": "a", "isDefault": True}),
    Response({"id": 2, "name": "b", "isDefault": 1}),
    Response({"id": 3, "name": "a"}),
]


def test_find_matches_values_by_equality_and_booleans_by_identity():
    assert [r.id for r in find(ITEMS, name="a")] == [1, 3]
    assert [r.id for r in find(ITEMS, is_default=True)] == [1]  # 1 is not True
    assert [r.id for r in find(ITEMS, id=lambda v: v > 1)] == [2, 3]
    assert [r.id for r in find(ITEMS, lambda r: r.id == 2)] == [2]


def test_find_one_is_the_first_match_or_none():
    assert find_one(ITEMS, name="a").id == 1
    assert find_one(ITEMS, name="zzz") is None


@pytest.mark.parametrize(
    ("table", "parts"),
    [
        ("public.t", ("public", "t")),
        ("t", (None, "t")),
        ('"schema.has.periods".bar', ("schema.has.periods", "bar")),
        ('s."a ""quoted"" name"', ("s", 'a "quoted" name')),
    ],
)
def test_split_schema_tablename_like_civis_io(table, parts):
    assert split_schema_tablename(table) == parts


def test_split_schema_tablename_refuses_three_parts():
    with pytest.raises(ValueError, match="follow the pattern 'schema.table'"):
        split_schema_tablename("a.b.c")


def test_several_aws_namesakes_of_one_owner_return_the_first_with_a_warning(caplog):
    creds = [Response({"id": 5, "owner": "me"}), Response({"id": 6, "owner": "me"})]
    with caplog.at_level(logging.WARNING):
        assert pick_aws(creds, "shared", None, "me") == 5
    assert "Found 2 AWS credentials with name shared and owner me" in caplog.text
