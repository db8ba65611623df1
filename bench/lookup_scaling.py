"""Does a cycle's per-article lookup cost stay flat from 10k to 1M stored articles?

A run looks up, per new article: its URL and GUID keys (is it stored
already?), its MinHash bands (is it a near-copy?), and per event the clusters
of the time window (is it an action already known?). This fills one DuckDB
file with synthetic rows in steps up to each size (4 keys and a random MinHash
signature per article, one event cluster per 10 articles spread over five
years, newest last as in a real database), reopens it as each pipeline stage
does, and times each lookup on batches of 200 new articles: half the keys and
half the signatures (edited copies, 70% of positions kept) belong to stored
articles and must be found. DuckDB loads indexes from disk lazily, so the
first batch after opening pays for reading; the table shows the steady cost
(median of REPEATS batches after WARMUP) and its ratio to the smallest size.
Random signatures share no bands by chance, so this measures the index, not
the false-candidate load of a real corpus (see `tasks.store.near_dupes`).

    python -m bench.lookup_scaling [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np

from tasks.alert.clustering import ClusterCandidate, assign_clusters
from tasks.extract import minhash
from tasks.store import near_dupes
from tasks.store.articles import known_keys
from tasks.store.database import Database

BATCH = 200
EVENTS_PER_BATCH = 20  # about one story in ten carries an event
REPEATS = 5
WARMUP = 20
CHUNK = 100_000  # articles per bulk insert: ~100 MB of signatures at a time
KEPT = 0.7  # share of positions an edited copy keeps from its original
CLUSTER_EVERY = 10
KINDS = ("fine", "investigation", "policy_shift", "ipo_block", "rectification")
NEWEST = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)


def _random_signatures(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 1 << 32, (n, minhash.NUM_PERM), dtype=np.int64)


def _fill(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, start: int, stop: int, pool: list[np.ndarray],
          total: int) -> None:
    """Add articles start..stop-1 (keys, signatures, clusters); keep a few signatures for the batches' copies."""
    for first in range(start, stop, CHUNK):
        n = min(CHUNK, stop - first)
        sigs = _random_signatures(rng, n)
        ids = np.array([f"art{i:09d}" for i in range(first, first + n)], dtype=object)
        near_dupes.add_signature_matrix(con, ids, sigs)
        pool.append(sigs[rng.choice(n, min(n, 200), replace=False)])
        con.execute(
            """INSERT INTO article_keys SELECT k || printf('%09d', i), printf('art%09d', i)
               FROM range(?, ?) t(i), (VALUES ('url:https://news.example/a/'), ('url:https://cdn.example/a/'),
                                              ('guid:f1:'), ('hash:')) k(k)""", [first, first + n])
        # Clusters in time order: the newest rows are the ones a new event's window reaches.
        con.execute(
            """INSERT INTO event_clusters SELECT printf('c%09d', i), (?::VARCHAR[])[1 + i % 5],
                      [printf('co%03d', i % 300)], 'SAMR', CASE WHEN i % 5 = 0 THEN 1e6 + i END, NULL,
                      stamp, stamp, printf('e%09d', i)
               FROM (SELECT i, ?::TIMESTAMPTZ - to_seconds((? - i) * ?) AS stamp FROM range(?, ?) t(i))""",
            [list(KINDS), NEWEST, total // CLUSTER_EVERY, SPAN.total_seconds() * CLUSTER_EVERY / total,
             first // CLUSTER_EVERY, (first + n) // CLUSTER_EVERY])
        print(f"  stored {first + n:>9,} articles", flush=True)


def _key_batch(rng: np.random.Generator, stored: int) -> list[str]:
    """Two keys (URL, GUID) for each of BATCH articles, half of them stored."""
    known = rng.choice(stored, BATCH // 2, replace=False)
    new = rng.integers(10**8, 10**9, BATCH - len(known))
    return [f"{k}{i:09d}" for i in [*known, *new] for k in ("url:https://news.example/a/", "guid:f1:")]


def _sig_batch(rng: np.random.Generator, pool: np.ndarray) -> dict[str, list[int]]:
    """Half edited copies of stored signatures, half new ones."""
    copies = pool[rng.choice(len(pool), BATCH // 2, replace=False)].copy()
    edited = rng.random(copies.shape) > KEPT
    copies[edited] = _random_signatures(rng, len(copies))[edited]
    sigs = np.vstack([copies, _random_signatures(rng, BATCH - len(copies))])
    return {f"new{i:03d}": row.tolist() for i, row in enumerate(sigs)}


def _event_batch(rng: np.random.Generator) -> list[tuple[str, ClusterCandidate]]:
    """New events of the last days, some the same action as a stored cluster, some not."""
    return [(f"new-event-{i}", ClusterCandidate(
        str(rng.choice(KINDS)), [f"co{rng.integers(300):03d}"], "SAMR", None, None,
        NEWEST - timedelta(hours=int(rng.integers(0, 72))))) for i in range(EVENTS_PER_BATCH)]


def _steady(times: list[float]) -> float:
    return statistics.median(times[-REPEATS:])


def _time(lookup: Callable[[], int], per: int, expect: int) -> float:
    """Steady ms per item of `lookup`, which returns how many stored items it found (checked)."""
    times = []
    for _ in range(1 + WARMUP + REPEATS):
        started = time.perf_counter()
        found = lookup()
        times.append((time.perf_counter() - started) * 1000 / per)
        if found < expect:
            raise RuntimeError(f"lookup found {found}, expected at least {expect}")
    return _steady(times)


def _time_lookups(db: Path, rng: np.random.Generator, pool: np.ndarray, stored: int) -> dict[str, float]:
    with duckdb.connect(str(db)) as con:
        keys = _time(lambda: len(known_keys(con, _key_batch(rng, stored))), BATCH, BATCH)
        dupes = _time(lambda: sum(1 for m in list(near_dupes.find_many(con, _sig_batch(rng, pool)).values())
                                  [: BATCH // 2] if m), BATCH, BATCH // 2)

        def cluster() -> int:
            con.execute("BEGIN TRANSACTION")
            try:
                return len(assign_clusters(con, _event_batch(rng)))
            finally:
                con.execute("ROLLBACK")

        events = _time(cluster, EVENTS_PER_BATCH, EVENTS_PER_BATCH)
    return {"stored?": keys, "near-copy?": dupes, "event cluster?": events}


@dataclass
class Scaling:
    table: str  # Markdown
    growth: dict[str, float]  # lookup -> cost at the largest size / cost at the smallest


def run(sizes: list[int], db: Path) -> Scaling:
    """Fill `db` (a new file) up to each size in turn and time the lookups."""
    rng = np.random.default_rng(0)
    Database(db).init()
    pool: list[np.ndarray] = []
    stored, results = 0, {}
    for size in sorted(sizes):
        started = time.perf_counter()
        with duckdb.connect(str(db)) as con:
            _fill(con, rng, stored, size, pool, max(sizes))
        print(f"  filled to {size:,} in {time.perf_counter() - started:.1f} s", flush=True)
        stored = size
        results[size] = _time_lookups(db, rng, np.vstack(pool), stored)
    smallest = results[min(sizes)]
    header = "| stored articles | " + " | ".join(f"{name} ms/item (ratio)" for name in smallest) + " |"
    lines = [header, "|" + "---|" * (1 + len(smallest))]
    for size, costs in results.items():
        cells = [f"{ms:.3f} ({ms / smallest[name]:.2f}x)" for name, ms in costs.items()]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    note = (f"Per item: `stored?` per new article (2 keys), `near-copy?` per new article, `event cluster?` per new "
            f"event; steady median of {REPEATS} batches after {WARMUP} warm-up batches of {BATCH} articles.")
    largest = results[max(sizes)]
    return Scaling("\n".join([*lines, "", note]), {name: largest[name] / smallest[name] for name in smallest})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated stored-article counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(run([int(s) for s in args.sizes.split(",")], Path(tmp) / "lookups.duckdb").table)


if __name__ == "__main__":
    main()
