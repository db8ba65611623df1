"""The near-duplicate index in DuckDB: each article's MinHash signature and its LSH band keys.

The signatures and band keys themselves are computed in `tasks.extract.minhash`
(pure code, run in the extraction workers); this module stores them and finds,
through an index on the band keys, the stored articles a new one nearly copies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence

import duckdb
import numpy as np

from tasks.extract.minhash import BANDS, DEFAULT_THRESHOLD, NUM_PERM, as_matrix, band_key_matrix
from tasks.store.migrations import NEAR_DUPES_SCHEMA as SCHEMA  # the tables, kept with the schema's history

__all__ = ["SCHEMA", "add_signature_matrix", "add_signatures", "find_many", "find_near_duplicates"]

# Numpy arrays reach DuckDB as a registered view over a dict of columns: no pandas or pyarrow, no per-value
# Python conversion, nothing written (a temp table would copy them first).
_STAGE = "_near_dupes_stage"
_PROBE = "_near_dupes_probe"
_SIG_COLUMNS = ", ".join(f"s{j}" for j in range(NUM_PERM))
# Index probes cost about 5 us per band key; a full scan of the bands of 1M articles about 150 ms. Past this
# many keys (about 600 articles) a batch is cheaper served by the scan, so find_many leaves DuckDB to it.
_MAX_INDEX_PROBES = 25_000


def add_signature_matrix(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str] | np.ndarray, sigs: np.ndarray
) -> int:
    """Store signatures given as an (n, NUM_PERM) array; return how many articles were new.

    Two bulk INSERT ... SELECTs: 19k articles a second into an empty table,
    8k a second by 1M stored (the band index upkeep grows). An article already stored keeps its first signature and
    bands, so adding again after a retry is harmless. Runs in the caller's
    transaction.
    """
    matrix = as_matrix(sigs)
    if len(article_ids) != len(matrix):
        raise ValueError(f"{len(article_ids)} article ids for {len(matrix)} signatures")
    if not len(matrix):
        return 0
    ids, first = np.unique(np.asarray(article_ids, dtype=object), return_index=True)  # keep an id's first row
    matrix = matrix[first]
    columns = {"article_id": ids} | {f"s{j}": np.ascontiguousarray(matrix[:, j]) for j in range(NUM_PERM)}
    con.register(_STAGE, columns)
    try:
        inserted = con.execute(
            f"INSERT OR IGNORE INTO article_minhash SELECT article_id, [{_SIG_COLUMNS}] FROM {_STAGE} "
            "RETURNING article_id"
        ).fetchnumpy()["article_id"]
    finally:
        con.unregister(_STAGE)
    if len(inserted) < len(ids):
        new = np.isin(ids, inserted)
        ids, matrix = ids[new], matrix[new]
    con.register(_STAGE, {"band_key": band_key_matrix(matrix).ravel(), "article_id": np.repeat(ids, BANDS)})
    try:
        con.execute(f"INSERT INTO minhash_bands SELECT band_key, article_id FROM {_STAGE}")
    finally:
        con.unregister(_STAGE)
    return len(ids)


def add_signatures(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, list[int]]]) -> None:
    """Store (article_id, signature) pairs with one bulk insert per table (see add_signature_matrix)."""
    add_signature_matrix(con, [article_id for article_id, _ in rows], as_matrix([sig for _, sig in rows]))


@contextlib.contextmanager
def _index_probes(con: duckdb.DuckDBPyConnection, probes: int) -> Iterator[None]:
    """Let DuckDB answer a hash join whose build side has `probes` rows with ART index lookups.

    A hash join reads its whole probe side: every stored band row. When the
    build side has at most `dynamic_or_filter_threshold` rows (default 50),
    DuckDB pushes the build keys into the probe side's scan as an IN filter,
    which the scan answers from the ART index. The limit is raised for one
    query and the connection's own setting restored afterwards.
    """
    ((current,),) = con.execute("SELECT current_setting('dynamic_or_filter_threshold')").fetchall()
    if probes > _MAX_INDEX_PROBES or int(current) >= probes:
        yield
        return
    con.execute(f"SET dynamic_or_filter_threshold = {probes:d}")
    try:
        yield
    finally:
        con.execute(f"SET dynamic_or_filter_threshold = {int(current):d}")


def _lookup(con: duckdb.DuckDBPyConnection, query: np.ndarray, threshold: float) -> list[list[tuple[str, float]]]:
    """Per row of an (n, NUM_PERM) query matrix: stored articles with estimated similarity >= threshold, best first.

    One query for the whole batch: the band keys join the index, the distinct
    candidates join article_minhash on its primary key (also index lookups, as
    the candidate list is short), and numpy compares the signatures.
    """
    results: list[list[tuple[str, float]]] = [[] for _ in range(len(query))]
    if not len(query):
        return results
    keys = band_key_matrix(query)
    con.register(_PROBE, {"qid": np.repeat(np.arange(len(query)), BANDS), "band_key": keys.ravel()})
    try:
        with _index_probes(con, keys.size):
            found = con.execute(
                f"""
                WITH candidates AS (
                    SELECT DISTINCT p.qid, b.article_id
                    FROM {_PROBE} p JOIN minhash_bands b ON b.band_key = p.band_key
                )
                SELECT c.qid, c.article_id, m.signature
                FROM candidates c JOIN article_minhash m ON m.article_id = c.article_id
                """
            ).fetchnumpy()
    finally:
        con.unregister(_PROBE)
    if not len(found["qid"]):
        return results
    qids = found["qid"].astype(np.int64)
    similarity = (np.stack(list(found["signature"])) == query[qids]).mean(axis=1)
    for qid, article_id, sim in zip(qids.tolist(), found["article_id"].tolist(), similarity.tolist(), strict=True):
        if sim >= threshold:
            results[qid].append((article_id, sim))
    for matches in results:
        matches.sort(key=lambda match: (-match[1], match[0]))
    return results


def find_near_duplicates(
    con: duckdb.DuckDBPyConnection, sig: list[int], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, float]]:
    """Stored articles sharing a band with `sig` and estimated similarity >= threshold, best first."""
    return _lookup(con, as_matrix([sig]), threshold)[0]


def find_many(
    con: duckdb.DuckDBPyConnection, sigs: Mapping[str, list[int]], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, list[tuple[str, float]]]:
    """find_near_duplicates for a batch in one query; an article never matches itself (same article_id).

    Per-article cost is then a fixed amount per band key: about 0.2 ms an
    article with 10k stored, 0.35 ms with 1M (bench/lookup_scaling.py),
    where a query per article would add DuckDB's per-query overhead each time.
    DuckDB reads the band index from disk lazily, so the first batches after
    opening a large file cost more (about 1 s for 200 articles at 1M stored).
    """
    names = list(sigs)
    found = _lookup(con, as_matrix([sigs[name] for name in names]), threshold)
    return {name: [m for m in matches if m[0] != name] for name, matches in zip(names, found, strict=True)}
