"""generate → store, and score() on a store filled by hand with a known shortlist run."""
import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.sandbox.population import Population
from microscout.sandbox.score import ScoreError, format_report, score
from microscout.sandbox.storewriter import generate
from microscout.store import open_store

SIZE, SEED = 100, 7


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "sandbox.db"
    stats = generate(path, SIZE, SEED, posts=10, posts_with_replies=2, followers=20, batch=30)
    return path, stats


def test_generate_writes_profiles_snapshots_posts_replies_followers(generated):
    path, stats = generated
    db = open_store(path)
    pop = Population(SIZE, SEED)
    opted = [p for p in pop if p.opt_out]
    assert db["profiles"].count == SIZE
    assert stats.opted_out == len(opted) and stats.profiles == SIZE - len(opted)
    assert db["profile_snapshots"].count == 2 * stats.profiles
    assert db["posts"].count == stats.posts == 10 * stats.profiles
    assert stats.comments > 0 and db["follower_samples"].count == stats.followers > 0
    # Platform-flagged bots and dormant readers among the sampled followers.
    assert db["follower_samples"].count_where("bot = 1") > 0
    assert db["follower_samples"].count_where("posts_count = 0 AND has_avatar = 1") > 0
    # Opted-out accounts: an id and the reason, nothing else.
    for row in db.query("SELECT * FROM profiles WHERE opted_out = 1"):
        assert row["opt_out_reason"] and row["bio"] is None and row["followers"] is None
        assert not db.execute("SELECT 1 FROM posts WHERE profile_id = ?", [row["id"]]).fetchone()
    assert db["profiles"].count_where("opted_out = 1") == len(opted)
    # The bought-followers jump shows between the two snapshots.
    bought = next(p for p in pop if p.archetype == "bought_followers")
    pid = db.execute("SELECT id FROM profiles WHERE platform_id = ?", [bought.platform_id]).fetchone()[0]
    snaps = [r[0] for r in db.execute("SELECT followers FROM profile_snapshots WHERE profile_id = ? ORDER BY observed_at", [pid])]
    assert snaps[1] > snaps[0] * 1.25


def test_generate_stores_an_opt_out_as_the_crawl_stores_it(generated):
    # A review: generate wrote an opted-out account's handle (a Bluesky DID in its place) and
    # "noindex=true" where a crawl of the same account stores no handle and "noindex".
    from microscout.crawlers import parse_bluesky, parse_mastodon
    from microscout.sandbox import bluesky_wire, mastodon_wire
    from microscout.sandbox.clock import Clock

    path, _ = generated
    db = open_store(path)
    pop, clock = Population(SIZE, SEED), Clock()
    stored = {r["platform_id"]: r for r in db.query("SELECT * FROM profiles WHERE opted_out = 1")}
    checked = 0
    for p in pop:
        if not p.opt_out:
            continue
        if p.platform == "mastodon":
            wire = mastodon_wire.account(pop, p, clock, "http://127.0.0.1:1")
            wire["noindex"] = p.opt_out.get("noindex", False)  # a remote account's is its server's
            crawled = parse_mastodon.parse_account(wire, "sandbox.example")
        else:
            crawled = parse_bluesky.parse_profile(bluesky_wire.profile_detailed(pop, p, clock, "http://127.0.0.1:1"))
        row = stored[p.platform_id]
        assert {k: row[k] for k in ("handle", "opt_out_reason")} == {
            k: crawled.row()[k] for k in ("handle", "opt_out_reason")}, p.platform_id
        checked += 1
    assert checked == len(stored) > 0


def test_generate_is_idempotent(generated, tmp_path):
    path, _ = generated
    before = open_store(path)["posts"].count
    generate(path, SIZE, SEED, posts=10, posts_with_replies=2, followers=20)
    assert open_store(path)["posts"].count == before


def _fill_run(db, outcomes):
    """A shortlist run by hand: outcomes maps archetype -> (excluded_by, {rule: outcome})."""
    pop = Population(SIZE, SEED)
    run = db.execute("INSERT INTO shortlist_runs (campaign, status) VALUES ('demo', 'finished')").lastrowid
    ids = {r["platform_id"]: r["id"] for r in db.query("SELECT id, platform_id FROM profiles")}
    for p in pop:
        if p.opt_out or p.archetype not in outcomes:
            continue
        excluded_by, verdicts = outcomes[p.archetype]
        pid = ids[p.platform_id]
        db.execute("INSERT INTO shortlist_entries (run_id, profile_id, excluded_by) VALUES (?, ?, ?)",
                   [run, pid, excluded_by])
        for rule, outcome in verdicts.items():
            db.execute("INSERT INTO verdicts (run_id, profile_id, rule, outcome) VALUES (?, ?, ?, ?)",
                       [run, pid, rule, outcome])
    db.conn.commit()
    return run


def test_score_counts_catches_misses_and_precision(generated):
    path, _ = generated
    db = open_store(path)
    with pytest.raises(ScoreError):
        score(db, "demo", SIZE, SEED)
    _fill_run(db, {
        "genuine_micro": ("comment_quality", {"comment_quality": "fail", "audience_authenticity": "pass"}),
        "bought_followers": ("audience_authenticity", {"audience_authenticity": "fail"}),
        "pods": (None, {"comment_quality": "warn", "audience_authenticity": "pass"}),
        "ad_heavy": (None, {"ad_frequency": "pass"}),
        "celebrity": ("tier_bounds", {"tier_bounds": "fail"}),
    })
    report = score(db, "demo", SIZE, SEED)
    a = report.archetypes
    assert a["genuine_micro"].judged == 10 and a["genuine_micro"].wrongly_excluded == 10
    assert a["bought_followers"].caught == a["bought_followers"].judged == 3
    assert a["bought_followers"].wrongly_excluded == 0
    assert a["pods"].caught == 3 and a["pods"].caught_by_rule == 3 and a["pods"].excluded == 0
    assert a["ad_heavy"].caught == 0 and a["ad_heavy"].judged == 3
    cq = report.rules["comment_quality"]
    assert cq.flagged_fail == 10 and cq.true_fail == 0 and cq.precision_fail == 0
    assert cq.flagged_warn == 13 and cq.true_warn == 3 and cq.recall_warn == 1.0
    auth = report.rules["audience_authenticity"]
    assert auth.precision_fail == 1.0 and auth.recall_fail == 1.0
    assert report.opted_out.generated == report.opted_out.stored and report.opted_out.leaked == 0
    assert report.unmatched == 0
    text = format_report(report)
    assert "genuine_micro" in text and "comment_quality" in text and "opted_out" in text


def test_score_cli_prints_report_and_json(generated):
    path, _ = generated
    runner = CliRunner()
    result = runner.invoke(cli, ["sandbox", "score", "demo", "--size", str(SIZE), "--seed", str(SEED), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "bought_followers" in result.output
    result = runner.invoke(cli, ["sandbox", "score", "demo", "--size", str(SIZE), "--seed", str(SEED),
                                 "--db", str(path), "--json"])
    assert json.loads(result.output)["archetypes"]["pods"]["judged"] == 3
    result = runner.invoke(cli, ["sandbox", "score", "nope", "--db", str(path)])
    assert result.exit_code == 2 and "no campaign 'nope' in [campaigns]; known: demo" in result.output


def test_score_reads_the_population_a_generated_store_records(generated):
    # A review: on a store generated at another size, `sandbox score` scored against the
    # config's size 400, every figure wrong, and said so only in a closing hint, exit 0.
    path, _ = generated
    runner = CliRunner()
    given = runner.invoke(cli, ["sandbox", "score", "demo", "--size", str(SIZE), "--seed", str(SEED), "--db",
                                str(path), "--json"])
    recorded = runner.invoke(cli, ["sandbox", "score", "demo", "--db", str(path), "--json"])
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.output) == json.loads(given.output)
    assert "vs sandbox truth (size 100, seed 7)" in runner.invoke(cli, ["sandbox", "score", "demo", "--db",
                                                                      str(path)]).output


def test_generate_cli(tmp_path):
    out = tmp_path / "g.db"
    result = CliRunner().invoke(cli, ["sandbox", "generate", "--size", "30", "--seed", "3", "--posts", "5",
                                      "--followers", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    db = open_store(out)
    assert db["profiles"].count == 30 and db["follower_samples"].count == 0


def test_bots_excluded_by_automated_are_caught_not_wrongly_excluded(tmp_path):
    path = tmp_path / "bots.db"
    generate(path, SIZE, SEED, posts=0, posts_with_replies=0, followers=0)
    db = open_store(path)
    pop = Population(SIZE, SEED)
    bots = [p for p in pop if p.bot]
    assert {p.archetype for p in bots} == {"automated", "background"}  # the background's 1% too
    run = db.execute("INSERT INTO shortlist_runs (campaign, status) VALUES ('demo', 'finished')").lastrowid
    ids = {r["platform_id"]: r["id"] for r in db.query("SELECT id, platform_id FROM profiles")}
    for p in bots:
        db.execute("INSERT INTO shortlist_entries (run_id, profile_id, excluded_by) VALUES (?, ?, 'automated')",
                   [run, ids[p.platform_id]])
        db.execute("INSERT INTO verdicts (run_id, profile_id, rule, outcome) VALUES (?, ?, 'automated', 'fail')",
                   [run, ids[p.platform_id]])
    db.conn.commit()
    report = score(db, "demo", SIZE, SEED)
    automated = report.archetypes["automated"]
    assert automated.rule == "automated" and automated.caught == automated.judged == automated.generated > 0
    assert report.archetypes["background"].excluded > 0 and report.archetypes["background"].wrongly_excluded == 0
    rule = report.rules["automated"]
    assert rule.positives == len(bots) and rule.precision_fail == rule.recall_fail == 1.0


GENERATE_SMALL = ["sandbox", "generate", "--size", "5", "--posts", "2", "--followers", "0"]


def _store_with_a_crawl(path, demo: bool = False) -> None:
    """A store holding one Mastodon crawl run (the demo's, when ``demo``)."""
    from microscout.cli.demo import _mark
    from microscout.store import open_store
    from microscout.store.transaction import transaction

    db = open_store(path)
    with transaction(db):
        db.execute("INSERT INTO crawl_runs (platform, arguments, started_at, status) VALUES "
                   "('mastodon', '{}', '2026-11-01T00:00:00+00:00', 'finished')")
    if demo:
        _mark(db, 50, 7, 1)
    db.conn.close()


def test_generate_refuses_a_store_of_crawled_data(tmp_path):
    from microscout.store import open_store

    path = tmp_path / "real.db"
    _store_with_a_crawl(path)
    before = path.read_bytes()
    args = [*GENERATE_SMALL, "--db", str(path)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "holds 1 crawl or import runs of real data" in refused.output
    assert path.read_bytes() == before
    assert CliRunner().invoke(cli, [*args, "--into-crawled"]).exit_code == 0
    assert open_store(path).execute("SELECT count(*) FROM profiles").fetchone()[0] == 5


def test_generate_writes_into_the_demos_store(tmp_path):
    path = tmp_path / "demo.db"
    _store_with_a_crawl(path, demo=True)
    # the demo's crawls were of the sandbox: no real data to keep apart
    assert CliRunner().invoke(cli, [*GENERATE_SMALL, "--db", str(path)]).exit_code == 0


def test_generate_out_a_file_that_is_no_database_names_out(tmp_path):
    # A review: `--out notes.txt` was answered "pass --db with the path …", an option the
    # user had not given, under the progress bar's label.
    notes = tmp_path / "notes.txt"
    notes.write_text("call Anna about rates\n")
    result = CliRunner().invoke(cli, [*GENERATE_SMALL, "--out", str(notes)])
    assert (result.exit_code, result.output) == (2, f"Error: {notes}: not an SQLite database (the file holds "
                                                    "something else; it was left untouched); pass --out with the "
                                                    "path of a microscout database\n")
    assert notes.read_text() == "call Anna about rates\n"
    # given as --db, the store's own words stand
    given = CliRunner().invoke(cli, [*GENERATE_SMALL, "--db", str(notes)])
    assert given.exit_code == 2 and "; pass --db with the path of a microscout database\n" in given.output


def test_a_run_scored_on_the_wrong_platform_says_to_change_platform_not_size_and_seed(tmp_path):
    # After `demo --platform youtube`, `sandbox score demo` without --platform (and a
    # Mastodon/Bluesky run scored with --platform youtube) found every profile unmatched and
    # said "check --size and --seed match the sandbox that was crawled": they did.
    path = tmp_path / "sandbox.db"
    generate(path, SIZE, SEED, posts=2, posts_with_replies=0, followers=0)
    db = open_store(path)
    _fill_run(db, {"genuine_micro": (None, {"engagement": "pass"})})
    fediverse = score(db, "demo", SIZE, SEED, "youtube")
    assert fediverse.unmatched == 10
    assert format_report(fediverse).endswith("score them without --platform")
    with db.conn:
        db.execute("UPDATE profiles SET platform = 'youtube'")
    youtube = score(db, "demo", SIZE, SEED)
    assert youtube.unmatched == 10 and youtube.unmatched_on == {"youtube": 10}
    assert format_report(youtube).endswith("they are youtube profiles: score them with --platform youtube")
    # The command printed a table of zeros ("opted_out: … (OK)"), exit 0, with the hint last, under
    # it: when no judged profile is in the population, the hint is the whole answer, exit 2.
    said = CliRunner().invoke(cli, ["sandbox", "score", "demo", "--size", str(SIZE), "--seed", str(SEED),
                                    "--db", str(path)])
    assert (said.exit_code, said.output) == (2, "Error: none of the 10 profiles judged in shortlist run 1 is in "
                                                "this population: they are youtube profiles: score them with "
                                                "--platform youtube\n")


def test_the_stored_website_is_what_a_crawl_of_the_same_mastodon_account_stores(generated):
    # The sandbox links a celebrity's profile to its website in a field its server verified,
    # as Mastodon serializes one; other fields (a shop link anyone can claim) are no website.
    from microscout.crawlers import parse_mastodon
    from microscout.sandbox import mastodon_wire
    from microscout.sandbox.clock import Clock

    path, _ = generated
    db = open_store(path)
    pop, clock = Population(SIZE, SEED), Clock()
    stored = {r["platform_id"]: r["website"] for r in db.query(
        "SELECT platform_id, website FROM profiles WHERE platform = 'mastodon' AND opted_out = 0")}
    with_site = 0
    for p in pop:
        if p.platform != "mastodon" or p.opt_out or p.platform_id not in stored:
            continue
        crawled = parse_mastodon.parse_account(mastodon_wire.account(pop, p, clock, "http://127.0.0.1:1"),
                                               "sandbox.example")
        assert stored[p.platform_id] == crawled.website, p.platform_id
        with_site += crawled.website is not None
    assert with_site > 0


def test_a_bluesky_posts_links_are_crawled_whole_as_sandbox_generate_stores_them():
    # The sandbox's Bluesky posts show their links as Bluesky's app does (no scheme, a long one
    # cut with "..." and its affiliate tag with it); the crawler writes each out whole from its
    # facet, so a crawl of the sandbox stores the links `sandbox generate` stores, in the text.
    from microscout.crawlers import parse_bluesky
    from microscout.sandbox import bluesky_wire
    from microscout.sandbox.clock import Clock

    pop, clock = Population(SIZE, SEED), Clock()
    cut = 0
    for p in pop:
        if p.platform != "bluesky" or p.opt_out:
            continue
        for post in pop.posts(p.i):
            links = [value for kind, value in post.segments if kind == "link"]
            if not links:
                continue
            view = bluesky_wire.post_view(pop, post, clock, "http://127.0.0.1:1")
            crawled = parse_bluesky.parse_post(view, p.did)
            for link in links:
                assert link in crawled.text and link not in view["record"]["text"], view["record"]["text"]
                cut += parse_bluesky.app_short_url(link).endswith("...")
            assert crawled.links == links
    assert cut > 0  # some links were shown cut, and written out whole again
