"""One model of the stored data: the crawlers' items, the schema and the dataclasses the
rules read name the same things the same way, and data flows one way (crawl → store → engine)."""
import ast
import dataclasses
from pathlib import Path

import pytest

from microscout import models
from microscout.crawlers import items
from microscout.store import open_store
from tests.conftest import REPO

TABLES = {models.Profile: "profiles", models.Post: "posts", models.Comment: "comments",
          models.Follower: "follower_samples", models.Snapshot: "profile_snapshots"}
ITEMS = {items.ProfileItem: "profiles", items.PostItem: "posts", items.CommentItem: "comments",
         items.FollowerItem: "follower_samples"}
# names that differ on purpose: the dataclass field -> its column
RENAMED = {(models.Comment, "post_id"): "post_platform_id"}
# item fields that are not columns: the item's kind, and the link the pipeline resolves to profile_id
NOT_COLUMNS = {"kind", "profile_platform_id"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("schema") / "s.db")
    return {table: set(db[table].columns_dict) for table in {*TABLES.values(), *ITEMS.values()}}


@pytest.mark.parametrize("cls", TABLES, ids=lambda c: c.__name__)
def test_every_field_a_rule_reads_is_a_column(cls, schema):
    for field in dataclasses.fields(cls):
        column = RENAMED.get((cls, field.name), field.name)
        assert column in schema[TABLES[cls]], f"{cls.__name__}.{field.name}: no column {column!r} in {TABLES[cls]}"


@pytest.mark.parametrize("item", ITEMS, ids=lambda c: c.__name__)
def test_every_field_a_crawler_writes_is_a_column(item, schema):
    # a follower row belongs to a profile (profile_id), whose platform it shares
    skip = NOT_COLUMNS | ({"platform"} if item is items.FollowerItem else set())
    for name in item.model_fields:
        if name not in skip:
            assert name in schema[ITEMS[item]], f"{item.__name__}.{name}: no column in {ITEMS[item]}"


@pytest.mark.parametrize("item, cls", [(items.ProfileItem, models.Profile), (items.PostItem, models.Post),
                                       (items.FollowerItem, models.Follower)], ids=lambda c: c.__name__)
def test_what_a_crawler_writes_reaches_the_rules_under_the_same_name(item, cls):
    written = set(item.model_fields) - NOT_COLUMNS
    read = {f.name for f in dataclasses.fields(cls)}
    # the store keeps some bookkeeping the rules do not read (opt-out, prefilter, api ids); all
    # the rest is the same field under the same name
    bookkeeping = {"opted_out", "opt_out_reason", "prefilter_reason", "fetched", "api_id", "platform"}
    assert written - read - bookkeeping == set(), f"{item.__name__} writes fields {cls.__name__} lacks"


def _imports(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
    return found


def test_the_store_does_not_reach_into_the_engine_or_the_crawlers():
    imported = _imports(REPO / "microscout" / "store")
    assert not {m for m in imported if m.startswith(("microscout.engine", "microscout.crawlers", "microscout.cli"))}


def test_the_engine_does_not_reach_into_the_crawlers():
    imported = _imports(REPO / "microscout" / "engine")
    assert not {m for m in imported if m.startswith(("microscout.crawlers", "microscout.cli"))}
