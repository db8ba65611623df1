"""Canonical URLs: one spelling per story, so that a story is fetched once.

courlan (brought by trafilatura) lower-cases scheme and host, drops default
ports and the common tracking parameters (utm_*, fbclid, gclid ...). We add
what it keeps but news sites use for tracking (spm, share tokens, ...), drop
fragments and trailing junk, and unwrap aggregator redirect links whose target
is in the query string.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan

# Query keys that never select content on the news sites we follow.
TRACKING_KEYS = frozenset(
    {
        "spm", "from", "ref", "ref_src", "ref_url", "referer", "source", "src", "cmpid", "cmp",
        "mod", "share", "share_token", "sharetype", "share_from", "scene", "srcid", "mc_cid",
        "mc_eid", "ocid", "ito", "taid", "guccounter", "guce_referrer", "guce_referrer_sig",
        "rss", "feed", "amp", "outputtype", "xtor", "ns_mchannel", "ns_source", "ns_campaign",
        "wt_mc", "tracking", "cid", "isappinstalled", "timestamp", "_ga", "igshid", "s_cid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")

# Aggregators whose links carry the publisher's URL in a query parameter.
WRAPPER_KEYS = ("url", "u", "q", "target", "dest", "destination", "redirect", "to", "link")

# Aggregators whose article links carry only an opaque id: since mid-2024 a Google News item link
# (news.google.com/rss/articles/CBMi...) neither contains the publisher's URL nor answers with an HTTP
# redirect, and its pages are Google's own. Resolving one takes an undocumented request to Google.
OPAQUE_AGGREGATOR_HOSTS = frozenset({"news.google.com"})
_OPAQUE_ARTICLE_PATH = re.compile(r"/(?:rss/)?(?:articles|read)/[A-Za-z0-9_-]+/?")


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in TRACKING_KEYS or low.startswith(TRACKING_PREFIXES)


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """Return the one spelling of `url` used as a dedupe key and stored in `articles.url`.

    Remembered (it is a pure function): a worker spells the same two or three URLs of a page five times
    (its keys, its id, its stored URL), courlan's normalisation costing 0.03 ms each."""
    url = url.strip()
    try:
        normalised = courlan.normalize_url(url, strict=False, trailing_slash=True)
    except (ValueError, AttributeError):
        normalised = url
    parts = urlsplit(normalised)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    for suffix in ("/index.html", "/index.htm", "/index.shtml", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)] or "/"
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(sorted(query)), ""))


def without_userinfo(url: str) -> str:
    """`url` without user:password@: a feed URL's credentials must not leak into the links resolved against it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def unwrap_redirect(url: str) -> str:
    """Return the publisher URL wrapped in an aggregator link, or `url` unchanged.

    Only wrappers that carry the target in their own query string are undone
    here; wrappers that hide it (opaque ids) are resolved by following the
    HTTP redirect when the page is fetched.
    """
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    for key in WRAPPER_KEYS:
        target = params.get(key, "")
        if target.startswith(("http://", "https://")):
            inner = urlsplit(target)
            if (inner.hostname, inner.path) != (parts.hostname, parts.path):
                return unwrap_redirect(target)
    return url


def aggregator_page(url: str) -> bool:
    """Whether `url` is an opaque aggregator's own page (Google News), never the publisher's article."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host in OPAQUE_AGGREGATOR_HOSTS


def opaque_aggregator_link(url: str) -> bool:
    """Whether `url` is an aggregator's article link that does not say where the article is
    (news.google.com/rss/articles/CBMi...): its page is the aggregator's, so it is not worth fetching."""
    return aggregator_page(url) and _OPAQUE_ARTICLE_PATH.fullmatch(urlsplit(url).path) is not None
