"""The crawl's Request: written to the JOBDIR disk queue without searching the spider.

Every request the scheduler keeps on disk (so that --resume finds it) goes through
``Request.to_dict(spider=...)``, which names the callback and the errback by listing all of
the spider's attributes (``inspect.getmembers``, ~140) once for each: ~115 µs a request,
of the ~7 ms of CPU a crawled request costs. A spider's methods keep their names for the
whole crawl, so each is named by that same search once, and by a dict look-up after (~15 µs
a request). The dict is Scrapy's own (the copy without the two methods is serialised by
``Request.to_dict``); its ``_class`` names this class, so ``request_from_dict`` reads it
back as one.
"""
from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, Spider

# spider -> {a method's function (or None): the name the spider has it under}
_names: WeakKeyDictionary[Spider, dict[Any, Any]] = WeakKeyDictionary()


class SpiderRequest(Request):
    def to_dict(self, *, spider: Spider | None = None) -> dict[str, Any]:
        if spider is None:
            return super().to_dict()
        names = _names.setdefault(spider, {})
        callback, errback = _function(self.callback), _function(self.errback)
        if callback not in names or errback not in names:
            # Scrapy's search (or its ValueError: a callback that is no method of the spider)
            found = super().to_dict(spider=spider)
            names[callback], names[errback] = found["callback"], found["errback"]
            return found
        found = Request.to_dict(self.replace(cls=Request, callback=None, errback=None))
        found.update(callback=names[callback], errback=names[errback],
                     _class=f"{type(self).__module__}.{type(self).__name__}")
        return found


def _function(method) -> Any:
    """What Scrapy matches a callback by: a bound method's function (a fresh bound method is
    made at every attribute read); None, or a callable Scrapy refuses, as it is."""
    return getattr(method, "__func__", method)
