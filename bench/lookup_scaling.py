"""Does a near-duplicate lookup stay as cheap with 1M stored articles as with 10k?

Fills one DuckDB file with random MinHash signatures (uniform 32-bit values,
as real ones are) through `add_signature_matrix`, in steps up to each size.
After each step it reopens the file, as each pipeline stage does, and times
`find_many` on batches of 200 new articles: half of them edited copies of
stored articles (70% of positions kept, so they share bands and must be
found), half unrelated. DuckDB loads the band index from disk lazily, node by
node, so the first batches after opening pay for reading it; the table shows
that first batch and the steady cost (median of REPEATS batches after WARMUP
batches), per article, and the steady cost's ratio to the smallest size.
Random signatures share no bands by chance, so this measures the index, not
the false-candidate load of a real corpus (see `tasks.near_dupes`).

    python -m bench.near_dupes_scaling [--sizes 10000,100000,1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from tasks import near_dupes

BATCH = 200
REPEATS = 5
WARMUP = 20
CHUNK = 100_000  # articles per bulk insert: ~100 MB of signatures at a time
KEPT = 0.7  # share of positions an edited copy keeps from its original


def _random_signatures(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 1 << 32, (n, near_dupes.NUM_PERM), dtype=np.int64)


def _batch(rng: np.random.Generator, pool: np.ndarray) -> dict[str, list[int]]:
    """Half edited copies of stored signatures, half new ones."""
    copies = pool[rng.choice(len(pool), BATCH // 2, replace=False)].copy()
    edited = rng.random(copies.shape) > KEPT
    copies[edited] = _random_signatures(rng, len(copies))[edited]
    sigs = np.vstack([copies, _random_signatures(rng, BATCH - len(copies))])
    return {f"new{i:03d}": row.tolist() for i, row in enumerate(sigs)}


def _fill(
    con: duckdb.DuckDBPyConnection, rng: np.random.Generator, start: int, stop: int, pool: list[np.ndarray]
) -> None:
    """Add articles start..stop-1 and keep a few of their signatures for the batches' copies."""
    for first in range(start, stop, CHUNK):
        n = min(CHUNK, stop - first)
        sigs = _random_signatures(rng, n)
        ids = np.array([f"art{i:09d}" for i in range(first, first + n)], dtype=object)
        near_dupes.add_signature_matrix(con, ids, sigs)
        pool.append(sigs[rng.choice(n, min(n, 200), replace=False)])
        print(f"  stored {first + n:>9,} articles", flush=True)


def _time_lookups(db: Path, rng: np.random.Generator, pool: np.ndarray) -> tuple[float, float]:
    """ms per article of the first batch after opening the file, and the steady median; checks every copy is found."""
    times = []
    with duckdb.connect(str(db)) as con:
        for _ in range(1 + WARMUP + REPEATS):
            batch = _batch(rng, pool)
            started = time.perf_counter()
            result = near_dupes.find_many(con, batch)
            times.append((time.perf_counter() - started) * 1000 / BATCH)
            found = sum(1 for matches in list(result.values())[: BATCH // 2] if matches)
            if found < BATCH // 2:
                raise RuntimeError(f"only {found} of {BATCH // 2} edited copies found")
    return times[0], statistics.median(times[-REPEATS:])


def run(sizes: list[int], db: Path) -> list[tuple[int, float, float]]:
    """(size, first-batch ms/article, steady ms/article) per size."""
    rng = np.random.default_rng(0)
    rows: list[tuple[int, float, float]] = []
    pool: list[np.ndarray] = []
    stored = 0
    for size in sorted(sizes):
        started, previous = time.perf_counter(), stored
        with duckdb.connect(str(db)) as con:
            con.execute(near_dupes.SCHEMA)
            _fill(con, rng, stored, size, pool)
        stored = size
        elapsed = time.perf_counter() - started
        print(f"  filled to {size:,} in {elapsed:.1f} s ({(size - previous) / elapsed:,.0f} articles/s)", flush=True)
        first, steady = _time_lookups(db, rng, np.vstack(pool))
        print(f"  {size:,}: first batch {first:.3f} ms/article, then {steady:.3f} ms/article", flush=True)
        rows.append((size, first, steady))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated stored-article counts")
    parser.add_argument("--db", type=Path, help="new DuckDB file to fill and keep (default: a temporary one)")
    args = parser.parse_args()
    if args.db and args.db.exists():
        parser.error(f"{args.db} exists: the benchmark needs a new file")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"find_many, batches of {BATCH}, {near_dupes.NUM_PERM} permutations in {near_dupes.BANDS} bands "
        f"of {near_dupes.ROWS}; steady cost = median of {REPEATS} batches after {WARMUP} warm-up batches",
        flush=True,
    )
    started = time.perf_counter()
    if args.db:
        rows = run(sizes, args.db)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run(sizes, Path(tmp) / "near_dupes_bench.duckdb")
    base = rows[0][2]
    print(f"\n{'stored articles':>16} {'first batch':>12} {'ms/article':>11} {'ratio':>7}")
    for size, first, steady in rows:
        print(f"{size:>16,} {first:>12.3f} {steady:>11.3f} {steady / base:>6.2f}x")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
