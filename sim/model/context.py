"""What every mechanism shares: random streams by purpose, the event log, the daily record, the calendar.

Mechanisms take one `Context` instead of a long list of shared services. Random numbers come
from a stream named by purpose (purity, purchases, overdose, ...), so that scenarios compared
with the same seed share the town's luck where they do not differ.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaincinv

from sim.model.events import EventLog
from sim.model.outcomes import Recorder
from sim.model.rows import Calendar

#: The purposes random numbers are drawn for; each has its own stream.
PURPOSES = (
    "town",
    "purity",
    "purchases",
    "overdose",
    "offending",
    "careers",
    "dealers",
    "arrests",
    "officers",
    "deterrence",
    "custody",
    "justice",
    "prison",
    "treatment",
    "staff_turnover",
)


_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_U_GOLDEN, _U_M1, _U_M2 = np.uint64(_GOLDEN), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_U30, _U27, _U31, _U11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / (1 << 53)
#: Up to this many ids are hashed with Python integers rather than numpy (quicker for a few).
_FEW = 8
_TRIALS = 1 << 20  # room for this many trials per id in `Luck.binomial`
#: The "day" a fixed trait is drawn for: never a simulated day.
_TRAIT_DAY = -(1 << 40)


def _mix(x: int) -> int:
    """SplitMix64's finaliser on one Python integer: a well-spread 64-bit hash."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK
    return x ^ (x >> 31)


def _hash(ids: np.ndarray, offset: int) -> np.ndarray:
    """SplitMix64 of (id * golden ratio + offset) for each id, as a uniform number in [0, 1).

    A handful of ids (a day's few arrests or court hearings) are hashed with Python integers,
    which is several times quicker than a numpy pass there and gives the same numbers.
    """
    ids = np.asarray(ids)
    if ids.size <= _FEW:
        if ids.size == 0:
            return np.empty(0)
        few = [(_mix((i * _GOLDEN + offset) & _MASK) >> 11) * _TO_UNIT for i in ids.ravel().tolist()]
        return np.array(few).reshape(ids.shape)
    x = np.multiply(ids, _U_GOLDEN, dtype=np.uint64, casting="unsafe")
    x += np.uint64(offset)
    return _finish(x)


def _hash_rows(ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """`_hash` of the same ids under several offsets: one row per offset."""
    x = np.multiply(ids[None, :], _U_GOLDEN, dtype=np.uint64, casting="unsafe") + offsets[:, None]
    return _finish(x)


def _finish(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser in place on an array, then its top 53 bits as a number in [0, 1)."""
    x ^= x >> _U30
    x *= _U_M1
    x ^= x >> _U27
    x *= _U_M2
    x ^= x >> _U31
    x >>= _U11
    return x * _TO_UNIT


class Luck:
    """Counter-based uniform numbers keyed by individual: one purpose's luck of each person or seller.

    The number drawn for an individual depends only on the run's seed, the purpose, the day, the
    draw's label and the individual's id, never on how many other draws were made before, so a
    policy that changes who is drawn for leaves everyone else's luck as it was (common random
    numbers that pair). A vectorised SplitMix64 hash of (key, id) stands in for a counter-based
    generator such as Philox (Salmon et al. 2011), which numpy cannot evaluate per id quickly.
    """

    def __init__(self, key: int, streams: Streams) -> None:
        self._key = key
        self._streams = streams
        self._labels: dict[str, int] = {}

    def _offset(self, label: str, day: int) -> int:
        """The hash offset of this draw's label on `day`."""
        salt = self._labels.get(label)
        if salt is None:
            salt = self._labels[label] = _mix(zlib.crc32(label.encode()) ^ self._key)
        return _mix((salt + day * _GOLDEN) & _MASK)

    def uniform(self, ids: np.ndarray, label: str) -> np.ndarray:
        """One uniform number in [0, 1) per id, for today and this draw's label."""
        return _hash(ids, self._offset(label, self._streams.day))

    def trait(self, ids: np.ndarray, label: str) -> np.ndarray:
        """One uniform number in [0, 1) per id for the whole run: a fixed trait of the individual."""
        return _hash(ids, self._offset(label, _TRAIT_DAY))

    def uniforms(self, ids: np.ndarray, *labels: str) -> np.ndarray:
        """One row of uniform numbers per label (each row as `uniform` gives it), hashed in one pass."""
        ids = np.asarray(ids)
        if ids.size == 0:
            return np.empty((len(labels), 0))
        offsets = np.array([self._offset(label, self._streams.day) for label in labels], dtype=np.uint64)
        return _hash_rows(ids, offsets)

    def chance(self, ids: np.ndarray, probability: float | np.ndarray, label: str) -> np.ndarray:
        """The subset of `ids` for whom an event with this probability happens today."""
        return ids[self.uniform(ids, label) < probability]

    def poisson(self, ids: np.ndarray, rate: np.ndarray, label: str) -> np.ndarray:
        """A Poisson count per id (by inverting its distribution at the id's uniform number)."""
        u = self.uniform(ids, label)
        rate = np.broadcast_to(np.asarray(rate, dtype=float), u.shape)
        term = np.exp(-rate)
        cumulative = term.copy()
        count = np.zeros(u.shape, dtype=np.int64)
        more = u >= cumulative
        k = 0
        while more.any() and k < 200:
            k += 1
            term *= rate
            term /= k
            cumulative += term
            count += more
            more = u >= cumulative  # the sum never falls, so a settled count stays settled
        return count

    def gamma(self, ids: np.ndarray, shape: float, mean: np.ndarray | float, label: str) -> np.ndarray:
        """A gamma-distributed number per id with this shape and mean (by inverting its distribution)."""
        u = self.uniform(ids, label)
        return gammaincinv(shape, u) * (np.asarray(mean, dtype=float) / shape)

    def geometric(self, ids: np.ndarray, probability: float, label: str) -> np.ndarray:
        """Trials up to and including the first success (1, 2, ...) per id, each with `probability`."""
        u = self.uniform(ids, label)
        if probability >= 1.0:
            return np.ones(ids.size, dtype=np.int64)
        return np.floor(np.log1p(-u) / np.log1p(-probability)).astype(np.int64) + 1

    def binomial(self, ids: np.ndarray, trials: np.ndarray | int, probability: float, label: str) -> np.ndarray:
        """A binomial count per id: its trials are keyed by (id, trial number), so one more trial
        for an id leaves the others' outcomes as they were."""
        trials = np.broadcast_to(np.asarray(trials, dtype=np.int64), ids.shape)
        owner = np.repeat(np.arange(ids.size), trials)
        trial = np.arange(owner.size) - np.repeat(np.cumsum(trials) - trials, trials)
        hits = self.uniform(ids[owner].astype(np.int64) * _TRIALS + trial, label) < probability
        return np.bincount(owner, weights=hits, minlength=ids.size).astype(np.int64)

    def first(self, ids: np.ndarray, count: int, label: str) -> np.ndarray:
        """`count` of `ids` picked at random without replacement, the same individuals whenever possible."""
        if count >= ids.size:
            return ids
        return ids[np.argpartition(self.uniform(ids, label), count)[:count]]


class Streams:
    """Random streams by purpose, each spawned from the run's SeedSequence.

    `rng(purpose)` is a numpy generator for draws that belong to no individual (purity, a count
    of new initiates, staff leaving a service); `luck(purpose)` gives each individual its own
    number (see `Luck`). `day` is the day being simulated (-1 while the town is built).
    """

    def __init__(self, seed: int | np.random.SeedSequence | None) -> None:
        self.seed = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.day = -1
        self._rngs: dict[str, np.random.Generator] = {}
        self._lucks: dict[str, Luck] = {}

    def _child(self, purpose: str) -> np.random.SeedSequence:
        if purpose not in PURPOSES:
            raise KeyError(f"unknown random stream purpose {purpose!r}; known: {', '.join(PURPOSES)}")
        spawn_key = (*self.seed.spawn_key, zlib.crc32(purpose.encode()))
        return np.random.SeedSequence(self.seed.entropy, spawn_key=spawn_key, pool_size=self.seed.pool_size)

    def rng(self, purpose: str) -> np.random.Generator:
        if purpose not in self._rngs:
            self._rngs[purpose] = np.random.default_rng(self._child(purpose))
        return self._rngs[purpose]

    def luck(self, purpose: str) -> Luck:
        if purpose not in self._lucks:
            key = int(self._child(purpose).generate_state(1, np.uint64)[0])
            self._lucks[purpose] = Luck(key ^ 0x5851F42D4C957F2D, self)
        return self._lucks[purpose]


@dataclass
class Context:
    """The services shared by the town's mechanisms during one run."""

    streams: Streams
    calendar: Calendar
    log: EventLog = field(default_factory=EventLog)
    record: Recorder = field(default_factory=lambda: Recorder(1))

    @classmethod
    def start(cls, seed: int | np.random.SeedSequence, n_days: int = 1, first_day: dt.date | None = None) -> Context:
        """A fresh context for a run (or a test) of `n_days` from a seed."""
        calendar = Calendar(first_day or dt.date(2024, 1, 1))
        return cls(Streams(seed), calendar, EventLog(), Recorder(n_days))

    def rng(self, purpose: str) -> np.random.Generator:
        """The random stream for one purpose (see `PURPOSES`)."""
        return self.streams.rng(purpose)

    def luck(self, purpose: str) -> Luck:
        """Each individual's own random numbers for one purpose (see `Luck`)."""
        return self.streams.luck(purpose)

    def start_day(self, day: int) -> None:
        """Key today's individual draws to `day`."""
        self.streams.day = day
