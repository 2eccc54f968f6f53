"""compile_on_use: a pattern compiled on first use behaves as re.compile's."""
import copy
import pickle
import re

from microscout.heuristics import comments, sponsored, text
from microscout.heuristics.lazy_regex import _compiled, _OnUse, compile_on_use


def test_it_matches_and_reports_as_the_compiled_pattern():
    lazy, eager = compile_on_use(r"\bsub(scribe)?\b", re.IGNORECASE), re.compile(r"\bsub(scribe)?\b", re.IGNORECASE)
    for line in ("Please SUBSCRIBE now", "sub 4 sub", "nothing here"):
        assert bool(lazy.search(line)) == bool(eager.search(line))
        assert [m.span() for m in lazy.finditer(line)] == [m.span() for m in eager.finditer(line)]
        assert lazy.sub("x", line) == eager.sub("x", line)
    assert (lazy.pattern, lazy.flags, lazy.groups) == (eager.pattern, eager.flags, eager.groups)
    assert lazy == eager and eager == lazy and hash(lazy) == hash(eager) and repr(lazy) == repr(eager)


def test_it_compiles_once_and_then_is_a_plain_attribute():
    lazy = compile_on_use(r"lazy-regex-test-\d+")
    assert "search" not in vars(lazy)
    assert lazy.search("a lazy-regex-test-42 b")
    assert vars(lazy)["search"] == _compiled(r"lazy-regex-test-\d+", 0).search


def test_it_survives_pickle_and_copy():
    lazy = compile_on_use(r"a+b", re.IGNORECASE)
    for other in (pickle.loads(pickle.dumps(lazy)), copy.copy(lazy), copy.deepcopy(lazy)):
        assert other.fullmatch("AAB") and other == lazy


def test_the_heuristics_patterns_are_compiled_on_use():
    assert isinstance(sponsored.DISCOUNT_RE, _OnUse) and isinstance(text.URL_RE, _OnUse)
    assert all(isinstance(p.pattern, _OnUse) for p in comments.PHRASES)
    assert comments.DETECTOR is comments.default_detector()
