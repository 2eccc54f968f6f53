"""Bad config gives one clear message naming the file, the key and what would be right."""
import json
import textwrap

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import ConfigError, load_config


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.platforms.mastodon.tiers["micro"].min == 1_000
    assert config.platforms.instagram.tiers["micro"].min == 10_000
    assert config.platforms.tiktok.tiers["micro"].max == 50_000


@pytest.mark.parametrize("text, expected", [
    ("databse = 'x.db'\n", "databse: unknown key; did you mean 'database'? remove it or check its spelling"),
    # a typo said only "unknown key", where a rule's or a campaign's name was told the one meant
    ("[campaigns.c]\nhashtag = ['vegan']\n", "campaigns.c.hashtag: unknown key; did you mean 'hashtags'?"),
    ("[platforms.mastodn]\nenabled = true\n", "platforms.mastodn: unknown key; did you mean 'mastodon'?"),
    ("[platforms.mastodon.tiers.micro]\nmin = 1\nmx = 5\n", "tiers.micro.mx: unknown key; did you mean 'max'?"),
    ("[crawl]\nmax_profile = 3\n", "crawl.max_profile: unknown key; did you mean 'max_profiles'?"),
    ("sourc = 'x'\n", "sourc: unknown key; remove it or check its spelling"),  # no key load_config sets
    ("[crawl]\nmax_profiles = 'many'\n", "crawl.max_profiles: Input should be a valid integer"),
    ("[platforms.mastodon.tiers.micro]\nmin = 5000\nmax = 1000\n",
     "platforms.mastodon.tiers.micro: min (5000) must be below max (1000)"),
    ("[platforms.mastodon.tiers.huge]\nmin = 5\n", "unknown tier ['huge']"),
    ("[campaigns.c]\ntarget_tier = 'giant'\n", "campaigns.c.target_tier: unknown tier 'giant'"),
    ("[campaigns.c]\nplatforms = ['myspace']\n", ".toml: campaigns.c.platforms: unknown platform 'myspace'"),
    ("[campaigns.c]\nprice_per_post = [300, 50]\n", "price range [300.0, 50.0]"),
    # a blank keyword matched nothing, so a niche_relevance gate excluded 169 of 243 demo creators
    ("[campaigns.c]\nkeywords = ['vegan', ' ']\n", "campaigns.c.keywords: ' ' is no keyword; remove it"),
    # no target tier: config check said OK and tier_bounds excluded every creator ("the campaign wants none")
    ("[campaigns.c]\ntarget_tier = []\n", "campaigns.c.target_tier: names no tier; give the tier the campaign "
                                          "targets, e.g. \"micro\""),
    # a '/' made the export's name a folder; a platform's name can never be crawled as a campaign
    ('[campaigns."sp ring/x"]\n', "campaigns.'sp ring/x': a campaign's name names its export files, so it may not "
                                  "hold '/'"),
    ('[campaigns."spring\\n"]\n', "campaigns.'spring\\n': a campaign's name names its export files"),
    ("[campaigns.mastodon]\n", "campaigns.mastodon: 'mastodon' is a platform's name, so `microscout crawl mastodon` "
                               "crawls the platform"),
    # a negative weight would reward failing; it used to be taken as 0 without a word
    ("[campaigns.c]\nweights = {engagement = -3}\n",
     "campaigns.c.weights.engagement: Input should be greater than or equal to 0 (got -3)"),
    ("[campaigns.c]\nweights = {engagement = inf}\n", "campaigns.c.weights.engagement: Input should be a finite number"),
    ("[campaigns.c]\nweights = {engagement = nan}\n", "campaigns.c.weights.engagement: Input should be a finite number"),
    ("this is = not toml = \n", "not valid TOML"),
    ("[sandbox]\nhost = '0.0.0.0'\n", "sandbox.host: the sandbox binds only the loopback interface"),
    ("database = {'$env' = 'MS_TEST_UNSET_VAR'}\n",
     "database refers to environment variable $MS_TEST_UNSET_VAR, which is not set"),
])
def test_bad_config_names_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_an_unset_secret_stops_only_what_reads_it(tmp_path, monkeypatch):
    # A cron job that shortlists and exports needs no Bluesky password: the config loads,
    # and only reading the secret (a crawl's login) says which variable to export.
    from microscout.config import ConfigError

    monkeypatch.delenv("MS_TEST_UNSET_PW", raising=False)
    path = write(tmp_path, "[platforms.bluesky]\napp_password = {'$env' = 'MS_TEST_UNSET_PW'}\n")
    secret = load_config(path).platforms.bluesky.app_password
    assert secret and str(secret) == "($MS_TEST_UNSET_PW is not set)"
    again = load_config(path)
    assert again == load_config(path) and hash(secret) == hash(again.platforms.bluesky.app_password)
    with pytest.raises(ConfigError, match=r"platforms.bluesky.app_password refers to environment variable "
                                          r"\$MS_TEST_UNSET_PW, which is not set; export MS_TEST_UNSET_PW="):
        secret.get_secret_value()


def test_env_reference_is_resolved_and_kept_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("MS_TEST_PW", "hunter2-secret")
    config = load_config(write(tmp_path, "[platforms.bluesky]\napp_password = {'$env' = 'MS_TEST_PW'}\n"))
    assert config.platforms.bluesky.app_password.get_secret_value() == "hunter2-secret"
    assert "hunter2-secret" not in config.model_dump_json()
    assert "hunter2-secret" not in repr(config)


@pytest.mark.parametrize("text, expected", [
    ("[rules.no_such_rule]\nx = 1\n", "rules.no_such_rule: no rule named 'no_such_rule'"),
    ("[rules.min_followers]\nminimun = 3\n", "rules.min_followers.minimun: unknown option; options of min_followers are: minimum"),
    ("[rules.min_followers]\nminimum = 'lots'\n", "rules.min_followers.minimum: Input should be a valid integer"),
    ("[campaigns.c]\ngates = ['nope']\n", "campaigns.c.gates: no rule named 'nope'"),
    ("[campaigns.c]\nweights = {nope = 2}\n", "campaigns.c.weights.nope: no rule named 'nope'"),
    ("[campaigns.c.rules.min_followers]\nenabled = 'yes'\n", "enabled must be true or false"),
])
def test_config_check_reports_rule_problems_with_exit_2(tmp_path, monkeypatch, text, expected):
    from microscout.engine import plugins
    from tests.engine.helpers import RulesForTests

    real = plugins.make_plugin_manager

    def only_test_rules(plugins_dir=None, **kw):
        pm = real(None, entry_points=False, defaults=False)
        pm.register(RulesForTests())
        return pm

    monkeypatch.setattr(plugins, "make_plugin_manager", only_test_rules)
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output
    assert expected in result.output


@pytest.mark.parametrize("database", ["", " ", ".", "data/"])
def test_a_database_path_that_names_no_file_is_refused_naming_the_key(tmp_path, database):
    # "" was the config's folder: config check said OK, then every command said "is a folder"
    path = write(tmp_path, f"database = '{database}'\n")
    for args in (["config", "check"], ["db", "stats"]):
        result = CliRunner().invoke(cli, ["--config", str(path), *args])
        assert result.exit_code == 2, result.output
        assert f"{path}: database: names no file; give the SQLite database file's path" in result.output
        assert "Traceback" not in result.output and "is a folder" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_config_check_ok(tmp_path):
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(write(tmp_path, "database = 'a.db'\n"))])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_config_check_and_shortlist_warn_of_a_gate_switched_off(tmp_path):
    # the gate excluded no one and nothing said so: the shortlist ranked every creator
    path = write(tmp_path, """
        database = "s.db"
        [campaigns.c]
        platforms = ["mastodon", "bluesky"]
        gates = ["tier_bounds", "niche_relevance"]
        keywords = ["vegan"]
        [campaigns.c.rules.tier_bounds]
        enabled = false
        [platforms.mastodon.rules.niche_relevance]
        enabled = false
        """)
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert (f"warning: {path}: campaigns.c.gates names 'tier_bounds', which is switched off for the campaign on "
            f"every platform it judges (enabled = false): it excludes no one there") in result.stderr
    assert "campaigns.c.gates names 'niche_relevance', which is switched off for the campaign on mastodon " \
           in result.stderr
    from microscout.store import open_store

    open_store(tmp_path / "s.db").conn.close()
    judged = CliRunner().invoke(cli, ["shortlist", "c", "--config", str(path), "--json"])
    assert judged.exit_code == 0, judged.output
    assert judged.stderr.count("warning: ") == 2 and "'tier_bounds', which is switched off" in judged.stderr
    # the rules that judged: every loaded one but tier_bounds, off in the campaign (it said all loaded)
    loaded = json.loads(CliRunner().invoke(cli, ["rules", "--json", "--config", str(path)]).stdout)
    assert json.loads(judged.stdout)["rules"] == len(loaded) - 1


@pytest.mark.parametrize("toml, key", [
    ("[exports]\ndefault_format = 'pdf'\n", "exports.default_format: no exporter 'pdf'"),
    ("[campaigns.c]\nhashtags = ['x']\n[schedules.s]\ncron = '0 8 * * *'\ncampaign = 'c'\nformats = ['csv', 'pdf']\n",
     "schedules.s.formats: no exporter 'pdf'"),
])
def test_config_check_names_an_unknown_export_format(tmp_path, toml, key):
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(write(tmp_path, toml))])
    assert result.exit_code == 2 and key in result.output and "available: csv" in result.output, result.output


@pytest.mark.parametrize("value", ["12345678", "['hunter2hunter2']", "true"])
def test_a_secret_of_the_wrong_type_is_never_shown(tmp_path, value):
    path = write(tmp_path, f"[platforms.bluesky]\napp_password = {value}\n")
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 2 and "platforms.bluesky.app_password" in result.output, result.output
    assert "12345678" not in result.output and "hunter2" not in result.output


@pytest.mark.parametrize("reference", ['""', "31337", '"MY SECRET"', '"abcd-efgh-ijkl-mnop"'])
def test_an_env_reference_must_name_a_variable_and_is_not_shown(tmp_path, reference):
    path = write(tmp_path, f'[platforms.bluesky]\napp_password = {{"$env" = {reference}}}\n')
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 2 and "must name an environment variable" in result.output, result.output
    if reference != '""':
        assert reference.strip('"') not in result.output



@pytest.mark.parametrize("key, url", [
    ("platforms.youtube.base_url", "https://www.googleapis.com/youtube/v3?key=SECRET-yt-7f3a9"),
    ("platforms.instagram.base_url", "https://graph.facebook.com/v21.0?access_token=SECRET-yt-7f3a9"),
    ("platforms.bluesky.pds", "https://scout:SECRET-yt-7f3a9@bsky.social"),
])
@pytest.mark.parametrize("command", [["config", "show"], ["config", "check"]])
def test_a_secret_written_into_a_server_address_is_refused_and_never_shown(tmp_path, key, url, command):
    # Before: `config check` said OK and `config show` printed the key, token or password.
    table, _, name = key.rpartition(".")
    path = write(tmp_path, f'[{table}]\n{name} = "{url}"\n')
    result = CliRunner().invoke(cli, [*command, "--config", str(path)])
    assert result.exit_code == 2 and key in result.output and "query string" in result.output, result.output
    assert "SECRET-yt-7f3a9" not in result.output and "scout" not in result.output


def test_config_check_warns_of_a_secret_written_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BSKY_PASSWORD", "from-the-environment")
    path = write(tmp_path, '[platforms.bluesky]\nhandle = "scout.bsky.social"\napp_password = "hunter2hunter2"\n'
                           '[platforms.youtube]\napi_key = {"$env" = "BSKY_PASSWORD"}\n')
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "platforms.bluesky.app_password is written in the file" in result.output
    assert "api_key" not in result.output and "hunter2" not in result.output
    assert "platforms.bluesky.handle" not in result.output  # the login handle is no secret to move


def test_a_crawl_that_needs_an_unset_secret_says_which_variable_exit_2(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from microscout.cli import cli

    monkeypatch.delenv("MS_TEST_UNSET_PW", raising=False)
    monkeypatch.delenv("MICROSCOUT_BSKY_APP_PASSWORD", raising=False)
    path = write(tmp_path, "database = 'scout.db'\n[platforms.bluesky]\nhandle = 'me.bsky.social'\n"
                           "app_password = {'$env' = 'MS_TEST_UNSET_PW'}\n")
    checked = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert checked.exit_code == 0 and checked.stderr == (
        f"warning: {path}: platforms.bluesky.app_password refers to environment variable $MS_TEST_UNSET_PW, which is "
        "not set; export MS_TEST_UNSET_PW=... or remove the key: a command that needs it stops there\n")
    shown = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert json.loads(shown.stdout)["platforms"]["bluesky"]["app_password"] == "($MS_TEST_UNSET_PW is not set)"
    # the database the commands open, resolved (it said "scout.db" whatever the folder or --db)
    assert json.loads(shown.stdout)["database"] == str((path.parent / "scout.db").resolve())
    other = CliRunner().invoke(cli, ["--config", str(path), "--db", str(tmp_path / "x" / "o.db"), "config", "show"])
    assert json.loads(other.stdout)["database"] == str((tmp_path / "x" / "o.db").resolve())
    result = CliRunner().invoke(cli, ["--config", str(path), "crawl", "bluesky", "--hashtag", "x",
                                      "--appview", "http://127.0.0.1:9", "--pds", "http://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: {path}: platforms.bluesky.app_password refers to environment variable $MS_TEST_UNSET_PW, which is "
        "not set; export MS_TEST_UNSET_PW=... or remove the key"]


def test_a_check_across_options_is_one_short_line_naming_the_rule(tmp_path):
    # The model's own validator has no field and gets every option as its input: the line
    # ended in "ad_frequency.:" and printed each option's value, affiliate domains and all.
    from click.testing import CliRunner

    from microscout.cli import cli

    path = write(tmp_path, "plugins_dir = 'none'\n[rules.ad_frequency]\nhealthy_share = 0.5\nmax_share = 0.3\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2
    assert result.output == f"Error: {path}: rules.ad_frequency: healthy_share (0.5) must not exceed max_share (0.3)\n"
