"""`microscout schedule`: campaigns crawled, shortlisted and exported on cron schedules."""
from __future__ import annotations

import contextlib
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from microscout.cli.common import Env, UsageProblem, with_env
from microscout.config import ConfigError


@click.group("schedule")
def command() -> None:
    """Run campaigns on cron schedules: list, run, run-once."""


def _stamped(err: bool = False):
    def say(text: str) -> None:
        click.echo(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z} {text}", err=err)
        (sys.stderr if err else sys.stdout).flush()
    return say


def check_formats(env: Env, names: list[str], default_format: bool = False, rules: bool = True) -> None:
    """Every format the schedules name (and exports.default_format, which schedules do not
    use, when ``default_format``) has an exporter: a typo is found before the first run.
    ``rules`` False: not the rules' options, which are no one schedule's."""
    from microscout.engine.plugins import collect_exporters

    exporters = collect_exporters(env.pm)
    named = [(f"schedules.{name}.formats", env.config.schedule(name).formats) for name in names]
    if default_format:
        named.insert(0, ("exports.default_format", [env.config.exports.default_format]))
    for key, formats in named:
        unknown = [f for f in formats if f not in exporters]
        if unknown:
            raise UsageProblem(f"{env.config.source}: {key}: no exporter {', '.join(map(repr, unknown))}; "
                               f"available: {', '.join(sorted(exporters))}")
    for name in names:
        check_crawl_args(env, name)
    if rules:
        env.rules  # noqa: B018 - every rule option checked before the first run, too


def schedule_problem(env: Env, name: str) -> str | None:
    """What run and run-once would stop on in schedule ``name`` (a format no exporter writes,
    its crawl_args, its campaign's hashtags), for `schedule list`: it lists the schedule still,
    as it is how a user looks at them, but does not show it as one that runs."""
    try:
        check_formats(env, [name], rules=False)
    except UsageProblem as exc:
        return exc.format_message()
    return None


def check_campaign_tags(env: Env, campaign: str) -> None:
    """A campaign's hashtags as `microscout crawl CAMPAIGN` checks them: 'plant based' passed
    config check and failed only at the crawl (or a schedule's cron time)."""
    from microscout.cli.crawl import checked_tag

    for tag in env.config.campaign(campaign).hashtags:
        checked_tag(tag, f"{env.config.source}: campaigns.{campaign}.hashtags")


def check_crawl_args(env: Env, name: str) -> None:
    """A schedule's crawl_args as `microscout crawl` parses them: '--knwon' passed config
    check and failed only at the cron time, naming neither file nor key."""
    from microscout.cli.crawl import PLATFORMS
    from microscout.cli.crawl import command as crawl

    schedule = env.config.schedule(name)
    if "crawl" not in schedule.steps:
        return
    check_campaign_tags(env, schedule.campaign)
    where = f"{env.config.source}: schedules.{name}.crawl_args"
    params: dict[str, Any] = {}
    if schedule.crawl_args:
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # --help would print the crawl's help here
                params = crawl.make_context("crawl", [schedule.campaign, *schedule.crawl_args],
                                            resilient_parsing=False).params
        except click.ClickException as exc:
            raise UsageProblem(f"{where}: {exc.format_message()}") from None
        except click.exceptions.Exit:  # --help (printed its text, and would make the crawl a no-op)
            raise UsageProblem(f"{where}: {' '.join(schedule.crawl_args)!r} asks for the crawl's help, which runs "
                               "no crawl; give the options the crawl should run with") from None
    # What `microscout crawl CAMPAIGN` refuses whatever the day: said now, not at each cron time
    # (with the crawl's "or pass --hashtag", an option a schedule has no place for).
    campaign, spec = schedule.campaign, env.config.campaign(schedule.campaign)
    step = f"{env.config.source}: schedules.{name}.steps: its crawl step crawls campaign {campaign!r}, which"
    if not [p for p in spec.platforms if p in PLATFORMS]:
        raise UsageProblem(f"{step} names no crawlable platform (crawlable: {', '.join(PLATFORMS)}); add one to "
                           f"campaigns.{campaign}.platforms, or take crawl out of schedules.{name}.steps")
    if not spec.hashtags and not any(params.get(k) for k in ("hashtags", "handles", "handles_file", "known")):
        raise UsageProblem(f"{step} has no hashtags; add campaigns.{campaign}.hashtags, or \"--known\" (re-crawl "
                           f"the stored creators) or \"--handles\", FILE to schedules.{name}.crawl_args")


def _read_db(env: Env):
    """The database for reading, or None when there is none yet (schedules list without one).
    A file that is not microscout's is refused as every command refuses it: listing it as
    "no run recorded" would hide a wrong --db."""
    path = env.database_path
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return None
    return env.db(readonly=True)


def _when(moment: str | datetime | None, zone) -> str:
    from microscout.schedule.history import parse

    value = parse(moment) if isinstance(moment, str) else moment
    return value.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") if value else "?"


def _duration(run: dict) -> str:
    from microscout.schedule.history import parse

    start, end = parse(run.get("started_at")), parse(run.get("finished_at"))
    if not (start and end):
        return ""
    seconds = int((end - start).total_seconds())
    return f" in {seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f" in {seconds}s"


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: each schedule, its next runs and its last run.")
@click.option("--count", type=click.IntRange(1, 50), default=3, show_default=True, help="Next run times per schedule.")
@with_env
def list_schedules(env: Env, as_json: bool, count: int) -> None:
    """Each schedule: when it runs next, and how its last run went."""
    from microscout.schedule import cron, history
    from microscout.schedule.lock import WATCH_HEARTBEATS, gone, holder_of, stale_reason, utcnow

    config = env.config
    db = _read_db(env)
    now = utcnow()
    holder = holder_of(db) if db is not None else None
    if holder is not None and gone(holder):
        holder = None  # its process is gone (killed): nothing runs now
    # An expired lock whose process lives (a machine that slept, a paused process, or one on
    # another host) still has its run going: a new run watches it before taking it over.
    expired = stale_reason(holder, now) if holder is not None else None
    out: list[dict[str, Any]] = []
    for name, schedule in config.schedules.items():
        last, skipped = history.last_worked(db, name) if db is not None else (None, None)
        running_now = bool(holder and (holder.get("holder") or "").startswith(f"schedule {name},"))
        item: dict[str, Any] = {
            "name": name, "enabled": schedule.enabled, "cron": schedule.cron, "timezone": schedule.timezone,
            "when": cron.describe(schedule), "campaign": schedule.campaign, "steps": schedule.steps,
            "formats": schedule.formats,
            "destination": str(config.path(_fill(schedule.destination, schedule=name, campaign=schedule.campaign))),
            "filename": schedule.filename, "retries": schedule.retries, "catch_up": schedule.catch_up,
            "next_runs": [t.isoformat() for t in cron.next_runs(schedule, now, count)],
            "last_run": last, "skipped_since": skipped, "running_now": running_now,
            "lock_expired": holder.get("expires_at") if running_now and expired and holder else None,
            # recorded running, but no live process holds the lock: killed (the next run marks it
            # interrupted and catches it up)
            "left_running": bool(last and last["status"] == "running" and not running_now),
            "problem": schedule_problem(env, name)}
        if item["problem"]:
            stoppers = "schedule run, run-once" if schedule.enabled else "run-once"
            click.echo(f"warning: {item['problem']} ({stoppers} and config check stop on it)", err=True)
        out.append(item)
    if as_json:
        click.echo(json.dumps({"database": str(env.database_path), "schedules": out}, indent=2, ensure_ascii=False))
        return
    if not out:
        click.echo(f"{config.source}: no schedules; add a [schedules.NAME] table (see config.toml's example)")
        return
    for item in out:
        schedule = config.schedule(item["name"])
        zone = cron.zone(schedule)
        click.echo(f"{item['name']}" + ("" if item["enabled"] else "  (disabled: `schedule run` skips it)")
                   + (f"  (running now, its lock expired at {item['lock_expired']} without renewal: its process may "
                      f"still work, asleep, paused or on another host; a new run waits {WATCH_HEARTBEATS} heartbeats "
                      "for a renewal before taking over)" if item["lock_expired"]
                      else "  (running now)" if item["running_now"] else ""))
        click.echo(f"  when      {schedule.cron} ({schedule.timezone}): {item['when']}")
        click.echo(f"  does      {' → '.join(schedule.steps)} of campaign {schedule.campaign}"
                   + (f"; {', '.join(schedule.formats)} into {item['destination']}" if "export" in schedule.steps
                      else ""))
        nexts = ", ".join(_when(t, zone) for t in item["next_runs"]) or "none in the next 50 years"
        click.echo(f"  next      {nexts}")
        last = item["last_run"]
        if last is None:
            click.echo("  last run  none yet")
            continue
        status = ("left running by a process that is gone (killed); the next run marks it interrupted"
                  if item["left_running"] else last["status"])
        line = (f"  last run  #{last['id']} for {_when(last['scheduled_for'], zone)} ({last['trigger']}): "
                f"{status}")
        line += "" if item["left_running"] else _duration(last)
        if last.get("error"):
            line += f": {last['error']}"
        click.echo(line)
        for path in last.get("exports") or []:
            click.echo(f"            wrote {path}")
        skipped = item["skipped_since"]
        if skipped:
            click.echo(f"  skipped   #{skipped['id']} for {_when(skipped['scheduled_for'], zone)} "
                       f"({skipped['trigger']}): {skipped.get('error') or 'skipped'}")
    if db is None:
        click.echo(f"(no database at {env.database_path} yet: no run recorded)")


def _fill(template: str, **known: str) -> str:
    """``template`` with the fields known before a run filled in ({schedule}, {campaign});
    the others ({date:%Y-%m-%d}, {run}) left as written."""
    import string

    out = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        if field in known and not spec and not conversion:
            out.append(known[field])
        else:
            out.append("{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def _validated(env: Env, names: tuple[str, ...]) -> list[str]:
    config = env.config
    for name in names:
        config.schedule(name)
    chosen = list(names) or [n for n, s in config.schedules.items() if s.enabled]
    if not chosen:
        raise UsageProblem(f"{config.source}: no enabled schedule; add a [schedules.NAME] table or set enabled = true "
                           f"in one (`microscout schedule list` shows them)")
    check_formats(env, chosen)
    return chosen


@command.command("run")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@with_env
def run(env: Env, names: tuple[str, ...]) -> None:
    """Run the enabled (or named) schedules in the foreground.

    Runs never overlap (a lock in the database, taken over when its process is gone, or when
    it expired and went unrenewed while watched); a missed run runs once on start (catch_up = "once"); SIGTERM or Ctrl-C
    finishes the current step, then exits.
    """
    from microscout.schedule.runner import Stop
    from microscout.schedule.scheduler import Scheduler, install_stop_signals

    chosen = _validated(env, names)
    disabled = [name for name in chosen if not env.config.schedules[name].enabled]
    if disabled:
        raise UsageProblem(f"{env.config.source}: schedule {disabled[0]!r} is disabled (enabled = false), and "
                           f"`schedule run` skips a disabled schedule; set enabled = true, or run it once with "
                           f"`microscout schedule run-once {disabled[0]}`")
    db = env.db(create=True)
    say = _stamped()
    stop = Stop()
    restore = install_stop_signals(stop, say)
    config_file = Path(env.config.source) if env.config.from_file else None
    try:
        say(f"scheduler started: {', '.join(chosen)}; database {env.database_path}")
        Scheduler(env.config, db, env.database_path, chosen, say=say, stop=stop, config_file=config_file,
                  reread=lambda: _reread(env, names)).run()
    finally:
        restore()
    say(f"scheduler stopped ({stop.reason or 'done'})")


def _reread(env: Env, names: tuple[str, ...]):
    """The config file read again with every check `schedule run` made at its start, and the
    schedules to run now (the named ones still enabled, else every enabled one); or, in one
    line, why the scheduler cannot use it."""
    from microscout.cli.common import PLUGINS_KEY
    from microscout.engine.plugins import PluginError

    # The command's plugins were kept for its config file's name (plugins_for): an edited
    # plugins_dir, or a plugin file added or removed, would be checked against the old ones
    # while each run loads them afresh. They are loaded again with the file.
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.pop(PLUGINS_KEY, None)
    fresh = Env(env.config_path, env.db_path)
    try:
        # A named schedule removed from the file is dropped, as a disabled one is (the README's
        # promise); refusing the whole file for it kept every other edit from taking effect.
        present = tuple(name for name in names if name in fresh.config.schedules)
        if names and not present:
            return (f"{fresh.config.source}: none of the schedules it was started with ({', '.join(names)}) is "
                    f"in [schedules] now")
        chosen = [name for name in _validated(fresh, present) if fresh.config.schedules[name].enabled]
    except UsageProblem as exc:
        return exc.format_message()
    except (ConfigError, PluginError) as exc:
        return str(exc)
    if not chosen:
        return f"{fresh.config.source}: every schedule it was started with is disabled now (enabled = false)"
    if fresh.database_path != env.database_path:
        # the scheduler holds its database open (and its runs' lock in it): another one needs a new start
        return (f"{fresh.config.source}: database is {fresh.database_path} now, but the scheduler writes to "
                f"{env.database_path}; restart `microscout schedule run` to use the other database")
    return fresh.config, chosen


@command.command("run-once")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the run's record as JSON (messages go to stderr).")
@with_env
def run_once(env: Env, name: str, as_json: bool) -> None:
    """Run schedule NAME once, now (for cron or CI).

    Exit 0 when the run succeeded, 1 when it failed, was stopped or found another run going.
    """
    from microscout.schedule import history
    from microscout.schedule.lock import utcnow
    from microscout.schedule.runner import Stop, run_schedule
    from microscout.schedule.scheduler import install_stop_signals

    _validated(env, (name,))
    db = env.db(create=True)
    say = _stamped(err=as_json)
    stale = history.interrupt_stale_runs(db, utcnow())
    if stale:  # as `schedule run` says it: the run before this one did not finish
        say(history.stale_said(stale))
    stop = Stop()
    restore = install_stop_signals(stop, say)
    try:
        record = run_schedule(env.config, db, env.database_path, name, scheduled_for=utcnow(), trigger="run-once",
                              stop=stop, say=say, pm=env.pm)
    finally:
        restore()
    if as_json:
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    if record["status"] != "succeeded":
        sys.exit(1)
