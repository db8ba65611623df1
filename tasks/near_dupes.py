"""Near-duplicate articles: MinHash signatures, LSH banding, the band index kept in DuckDB.

Exact content hashes (`tasks.dedupe`) miss the copies that matter most: a wire
story republished by an aggregator under another URL with its own navigation,
"Related stories" and copyright lines, a copy-edited rewrite with a new
headline, or a copy cut off after a few paragraphs. Those keep most of the
original's word (or, in Chinese, character) n-grams, so the Jaccard similarity
of the n-gram sets stays high while different outlets writing up the same event
share only names and stock phrases.

MinHash turns each article into NUM_PERM integers whose agreement rate
estimates that Jaccard similarity; LSH banding hashes BANDS slices of ROWS
integers each into keys, and two articles become candidates when they share
any key: probability 1 - (1 - J^ROWS)^BANDS, an S-curve whose midpoint is about
(1/BANDS)^(1/ROWS). Candidates are verified on the full signature, so the
banding only has to let true duplicates through; verification drops the rest.

Choices, measured with `python -m tasks.near_dupes_eval` (labelled texts plus
the 181 benchmark articles, three copies of each; exact shingle-set Jaccard):
- NGRAM = 4 tokens (a token is a word, or one CJK character). Light rewrites
  (5-10% of words changed, a sentence dropped, new headline) keep J >= 0.40 in
  97% of cases with 4-grams but only 85% with 5-grams; the closest negatives
  (two outlets on the same event, formulaic Chinese regulator notices) reach
  J = 0.19 with 4-grams, 0.16 with 5-grams. 3-grams help rewrites a little
  more but lift same-event pairs to 0.22.
- DEFAULT_THRESHOLD = 0.3 sits between the two groups; with NUM_PERM = 126 the
  estimate's standard error is at most sqrt(0.3 * 0.7 / 126) = 0.04 there.
  The eval's threshold sweep: 0.25 finds 1 in 1000 more copies, 0.4 misses 3%
  more of the rewrites, 0.5 over a quarter more.
- BANDS = 42, ROWS = 3: midpoint (1/42)^(1/3) = 0.29, candidates at J = 0.3 /
  0.4 / 0.5 with probability 0.68 / 0.94 / 0.996: 99% of rewrites get through.
  32 x 4 (midpoint 0.42) lets only 89% through. 64 x 2 would let all through
  but, from the Jaccard spread of unrelated pairs in the eval corpus, makes
  about 350 false candidates per lookup per million stored articles against
  about 20 for 42 x 3: ROWS = 3 keeps verification work small as the table
  grows.

Signatures are computed with numpy rather than datasketch: 0.7 ms against
1.1 ms per benchmark article, and no dependence on a library's hashing scheme,
whose change would invalidate every stored signature (datasketch 2.0 changed
its default).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import zlib
from collections.abc import Iterator, Mapping, Sequence

import duckdb
import numpy as np

BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS  # 126
NGRAM = 4  # tokens per shingle: words in Latin-script text, characters in CJK text
MIN_TOKENS = 40  # shorter texts (headlines, teasers, error pages) are not judged: too few shingles to tell
DEFAULT_THRESHOLD = 0.3

_SEED = 20240611
_BAND_BITS = 6  # the band index fills the key's top bits, so keys of different bands never collide
assert BANDS * ROWS == NUM_PERM and BANDS <= 1 << _BAND_BITS

# Ideographs and kana are written without spaces, so each character is a token;
# every other run of letters or digits is a word. Punctuation and spaces fall away.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")

# One hash per permutation: h(x) = ((a*x + b) mod 2^64) >> 32 with random 64-bit a (odd) and b. For 32-bit keys
# x this multiply-add-shift scheme is strongly universal (Dietzfelbinger 1996); all NUM_PERM are one broadcast.
_A, _B = np.random.default_rng(_SEED).integers(0, 1 << 64, (2, NUM_PERM), dtype=np.uint64, endpoint=False)
_A |= np.uint64(1)


def tokens(text: str) -> list[str]:
    """The normalised token stream shingles are cut from: words, and single CJK characters.

    NFKC folds full-width forms, casefold folds case; the regex drops punctuation and whitespace.
    """
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str) -> set[str]:
    """Overlapping NGRAM-token shingles; empty for texts under MIN_TOKENS tokens.

    Words and CJK characters share one token stream, so English text yields word
    n-grams, Chinese text character n-grams, and mixed text (Latin names and
    numbers inside Chinese, Chinese names inside English) both, in reading order.
    """
    stream = tokens(text)
    if len(stream) < MIN_TOKENS:
        return set()
    return {" ".join(stream[i : i + NGRAM]) for i in range(len(stream) - NGRAM + 1)}


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 in which every input bit flips about half the output bits."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _minhash(items: set[str]) -> np.ndarray:
    """MinHash of a non-empty shingle set: int64 vector of NUM_PERM values in [0, 2^32).

    CRC-32 is the fastest stable string hash in the standard library (3x faster
    than blake2b here), but linear: similar shingles get related hashes, and
    affine hashing is known to behave badly on structured keys. So each CRC
    goes through _mix64 first, keeping the top 32 bits as the key. The
    smallest 64-bit value also has the smallest top 32 bits, so the final
    shift is applied to NUM_PERM minima instead of the whole matrix.
    """
    crcs = np.fromiter(map(zlib.crc32, map(str.encode, items)), dtype=np.uint64, count=len(items))
    hashes = _mix64(crcs) >> np.uint64(32)
    values = np.multiply.outer(hashes, _A)
    values += _B
    return (values.min(axis=0) >> np.uint64(32)).astype(np.int64)


def signature(text: str) -> list[int] | None:
    """MinHash signature of the text's shingles, or None when the text is too short to judge."""
    items = shingles(text)
    return _minhash(items).tolist() if items else None


def _matrix(sigs: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
    """Signatures as an (n, NUM_PERM) int64 array; a wrong length is a caller's bug, so it raises."""
    matrix = np.asarray(sigs, dtype=np.int64)
    if matrix.shape == (0,):
        return matrix.reshape(0, NUM_PERM)
    if matrix.ndim != 2 or matrix.shape[1] != NUM_PERM:
        raise ValueError(f"signatures must have {NUM_PERM} values each, got an array of shape {matrix.shape}")
    return matrix


def band_key_matrix(sigs: np.ndarray) -> np.ndarray:
    """(n, NUM_PERM) signatures to (n, BANDS) signed 64-bit band keys, vectorised for bulk loads.

    Each band's ROWS values are chained through the mixer, starting from a
    state derived from the band index; the band index also fills the top
    _BAND_BITS bits, so equal values in different bands never share a key.
    """
    values = _matrix(sigs).astype(np.uint64).reshape(-1, BANDS, ROWS)
    bands = np.arange(BANDS, dtype=np.uint64)
    state = np.broadcast_to(_mix64(bands + np.uint64(_SEED)), values.shape[:2])
    for row in range(ROWS):
        state = _mix64(state ^ values[:, :, row])
    return ((state >> np.uint64(_BAND_BITS)) | (bands << np.uint64(64 - _BAND_BITS))).view(np.int64)


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (see band_key_matrix)."""
    return band_key_matrix(_matrix([sig]))[0].tolist()


def estimated_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of positions where two signatures agree: an unbiased estimate of their shingle sets' Jaccard."""
    if len(a) != len(b) or not len(a):
        raise ValueError(f"signatures of lengths {len(a)} and {len(b)} cannot be compared")
    return float(np.mean(np.asarray(a, dtype=np.int64) == np.asarray(b, dtype=np.int64)))


SCHEMA = """
CREATE TABLE IF NOT EXISTS article_minhash (article_id VARCHAR PRIMARY KEY, signature BIGINT[] NOT NULL);
-- One row per (band, article). The ART index lets a lookup probe only its own keys: without it every
-- lookup scans all BANDS rows of every stored article (about 60x slower at 1M articles than at 10k).
CREATE TABLE IF NOT EXISTS minhash_bands (band_key BIGINT NOT NULL, article_id VARCHAR NOT NULL);
CREATE INDEX IF NOT EXISTS minhash_bands_key ON minhash_bands (band_key);
"""

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
    matrix = _matrix(sigs)
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
    add_signature_matrix(con, [article_id for article_id, _ in rows], _matrix([sig for _, sig in rows]))


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
    return _lookup(con, _matrix([sig]), threshold)[0]


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
    found = _lookup(con, _matrix([sigs[name] for name in names]), threshold)
    return {name: [m for m in matches if m[0] != name] for name, matches in zip(names, found, strict=True)}
