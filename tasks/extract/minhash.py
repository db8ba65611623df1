"""Near-duplicate articles: MinHash signatures, LSH banding, the band index kept in DuckDB.

Exact content hashes (`tasks.extract.keys`) miss the copies that matter most: a wire
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

Choices, measured with `python -m evaluation.near_dupes` (labelled texts plus
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

import re
import unicodedata
import zlib
from collections.abc import Collection, Sequence

import numpy as np

from tasks.common.text import CJK_CHARS

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
_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\W_{CJK_CHARS}]+")

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
    return set(_shingle_list(tokens(text)))


def _shingle_list(stream: list[str]) -> list[str]:
    """Every run of NGRAM tokens of `stream` (repeats included), or none under MIN_TOKENS tokens."""
    if len(stream) < MIN_TOKENS:
        return []
    # Each shingle is NGRAM tokens in a row: the stream zipped with itself shifted by 1..NGRAM-1 (zip stops at the
    # shortest), the same shingles as slicing at every position, in half the time.
    return list(map(" ".join, zip(*(stream[shift:] for shift in range(NGRAM)), strict=False)))


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 in which every input bit flips about half the output bits."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _minhash(items: Collection[str]) -> np.ndarray:
    """MinHash of non-empty shingles: int64 vector of NUM_PERM values in [0, 2^32).

    A shingle that repeats changes no minimum, so `items` need not be a set
    (building one cost more than hashing the few repeats twice).

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
    return signature_of_tokens(tokens(text))


def signature_of_tokens(stream: list[str]) -> list[int] | None:
    """`signature` of the text whose `tokens` are `stream`: a worker folds each text once for this and its
    content hash (`tasks.extract.keys.content_key_of_tokens`)."""
    items = _shingle_list(stream)
    return _minhash(items).tolist() if items else None


def as_matrix(sigs: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
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
    values = as_matrix(sigs).astype(np.uint64).reshape(-1, BANDS, ROWS)
    bands = np.arange(BANDS, dtype=np.uint64)
    state = np.broadcast_to(_mix64(bands + np.uint64(_SEED)), values.shape[:2])
    for row in range(ROWS):
        state = _mix64(state ^ values[:, :, row])
    return ((state >> np.uint64(_BAND_BITS)) | (bands << np.uint64(64 - _BAND_BITS))).view(np.int64)


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (see band_key_matrix)."""
    return band_key_matrix(as_matrix([sig]))[0].tolist()


def estimated_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of positions where two signatures agree: an unbiased estimate of their shingle sets' Jaccard."""
    if len(a) != len(b) or not len(a):
        raise ValueError(f"signatures of lengths {len(a)} and {len(b)} cannot be compared")
    return float(np.mean(np.asarray(a, dtype=np.int64) == np.asarray(b, dtype=np.int64)))
