"""The naive peer: the cron script a user would write instead of regwatch.

feedparser on each feed, a plain GET per new link, trafilatura, one DuckDB
insert (and commit) per row, one thing at a time. It is the baseline the
benchmark compares regwatch's cold run against; it has none of regwatch's
safety limits, dedupe, classification or alerts.

    python -m bench.naive DB FEED_URL...
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import duckdb
import feedparser
import trafilatura


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as response:
        body: bytes = response.read()
        return body


def run(db: str, feed_urls: list[str]) -> int:
    con = duckdb.connect(db)
    con.execute("CREATE TABLE IF NOT EXISTS articles (url VARCHAR PRIMARY KEY, title VARCHAR, text VARCHAR, "
                "published VARCHAR)")
    added = 0
    for feed_url in feed_urls:
        for entry in feedparser.parse(fetch(feed_url)).entries:
            if con.execute("SELECT 1 FROM articles WHERE url = ?", [entry.link]).fetchone():
                continue
            text = trafilatura.extract(fetch(entry.link))
            con.execute("INSERT INTO articles VALUES (?, ?, ?, ?)",
                        [entry.link, entry.get("title"), text, entry.get("published")])
            added += 1
    con.close()
    return added


if __name__ == "__main__":
    started = time.perf_counter()
    count = run(sys.argv[1], sys.argv[2:])
    print(json.dumps({"articles": count, "wall": time.perf_counter() - started}))
