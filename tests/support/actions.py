"""Real-world actions written straight into a real DuckDB file: a story, its event and the event's cluster,
as the store and the clustering write them, so that the `recent_events` view reads them back.

For tests of what reads that view (the digest, the report) without running the flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tasks.store.database import Database


@dataclass(frozen=True)
class Action:
    """What one real-world action looks like in the views; `also_in` are other outlets' copies of the story."""

    key: str
    published: datetime
    kind: str = "fine"
    companies: tuple[str, ...] = ("Alibaba Group",)
    regulator: str | None = "SAMR"
    amount: float | None = None  # as stated, in `currency`
    currency: str | None = None
    amount_text: str | None = None
    amount_usd: float | None = None
    direction: str | None = None
    title: str = "A story"
    url: str = ""
    evidence: str = "The regulator acted."
    also_in: tuple[str, ...] = field(default=())

    @property
    def link(self) -> str:
        return self.url or f"https://news.example/{self.key}"


def store_actions(db: Database, *actions: Action) -> None:
    """Write each action's story (and its copies), event and cluster in one transaction."""
    with db.write() as con:
        for action in actions:
            for n, url in enumerate((action.link, *action.also_in)):
                article, event = f"a-{action.key}-{n}", f"e-{action.key}-{n}"
                con.execute(
                    """INSERT INTO articles (article_id, url, title, published_at, extraction, fetched_at)
                       VALUES (?, ?, ?, ?, 'trafilatura', ?)""",
                    [article, url, action.title, action.published, action.published],
                )
                con.execute(
                    """INSERT INTO events (event_id, article_id, kind, companies, company_ids, regulator, amount,
                                           currency, amount_text, amount_usd, direction, evidence, published_at,
                                           cluster_id)
                       VALUES (?, ?, ?, ?, [], ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [event, article, action.kind, list(action.companies), action.regulator, action.amount,
                     action.currency, action.amount_text, action.amount_usd, action.direction, action.evidence,
                     action.published, action.key],
                )
            con.execute(
                """INSERT INTO event_clusters (cluster_id, kind, company_keys, regulator, amount_usd,
                                               first_published, last_published, primary_event_id)
                   VALUES (?, ?, [], ?, ?, ?, ?, ?)""",
                [action.key, action.kind, action.regulator, action.amount_usd, action.published, action.published,
                 f"e-{action.key}-0"],
            )
