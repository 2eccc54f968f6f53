"""The store the shortlist run tests judge again and again: a generated population, made
once per module and copied for each test, so a test may change it freely."""
import shutil

import pytest

from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.sandbox.storewriter import generate
from microscout.store import open_store


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "store.db"
    generate(path, 60, 5, posts=8, posts_with_replies=3, followers=40)
    return path


@pytest.fixture(scope="module")
def rules():
    return collect_rules(make_plugin_manager())


@pytest.fixture
def db(population, tmp_path):
    shutil.copy(population, tmp_path / "store.db")
    store = open_store(str(tmp_path / "store.db"))
    yield store
    store.close()
