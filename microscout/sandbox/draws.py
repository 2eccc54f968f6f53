"""Cheap seeded draws for the sandbox's words: every caption, comment and bio has a
generator of its own, ~80 per profile.

``random.Random(key)`` costs ~5 µs to seed (SHA-512, then the Mersenne Twister's 624-word
state); ``Draws(key)`` hashes the key with BLAKE2b instead, ~1.7 µs: each 64-byte digest
gives 8 uniform numbers, and further digests come from the key and a block counter. It is
a pure function of the key, so any text can be regenerated alone.

The methods are those of ``random.Random`` the text code uses, so it reads the same with
either; ``Rng`` is what both provide.
"""
from __future__ import annotations

import math
from hashlib import blake2b
from itertools import count
from struct import Struct
from typing import Iterator, Protocol, Sequence, TypeVar

T = TypeVar("T")
_WORDS = Struct("<8Q").unpack
_TWO_PI = 2 * math.pi


class Rng(Protocol):
    def random(self) -> float: ...

    def uniform(self, a: float, b: float) -> float: ...

    def randint(self, a: int, b: int) -> int: ...

    def randrange(self, start: int, stop: int | None = None) -> int: ...

    def choice(self, seq: Sequence[T]) -> T: ...

    def gauss(self, mu: float, sigma: float) -> float: ...


def _uniforms(key: bytes) -> Iterator[float]:
    for block in count():
        digest = blake2b(key, digest_size=64, salt=block.to_bytes(8, "little")).digest()
        for word in _WORDS(digest):
            yield (word >> 11) * 2.0 ** -53  # 53 bits: every value in [0, 1) a float can hold


class Draws:
    """Uniform draws from BLAKE2b(key, block); see the module's docstring."""

    __slots__ = ("random",)

    def __init__(self, key: str):
        self.random = _uniforms(key.encode()).__next__

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None) -> int:
        if stop is None:
            start, stop = 0, start
        if stop <= start:
            raise ValueError(f"empty range for randrange({start}, {stop})")
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        """k distinct items, in the order drawn (a partial Fisher-Yates shuffle)."""
        pool = list(population)
        n = len(pool)
        if not 0 <= k <= n:
            raise ValueError(f"sample of {k} from {n} items")
        for j in range(k):
            pick = j + int(self.random() * (n - j))
            pool[j], pool[pick] = pool[pick], pool[j]
        return pool[:k]

    def gauss(self, mu: float, sigma: float) -> float:
        # Box-Muller; 1 - u is in (0, 1], so the logarithm is finite.
        return mu + sigma * math.sqrt(-2.0 * math.log(1.0 - self.random())) * math.cos(_TWO_PI * self.random())

    def expovariate(self, lambd: float) -> float:
        return -math.log(1.0 - self.random()) / lambd
