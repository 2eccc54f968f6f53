"""Schedules: cron expressions from config drive crawl → shortlist → export.

- :mod:`~microscout.schedule.cron`: cron times in a schedule's time zone (cronsim).
- :mod:`~microscout.schedule.lock`: the lock row that keeps runs from overlapping.
- :mod:`~microscout.schedule.runner`: one run, its steps retried and recorded.
- :mod:`~microscout.schedule.scheduler`: the foreground scheduler (`microscout schedule run`).
- :mod:`~microscout.schedule.history`: the runs recorded in schedule_runs.
"""
