"""`regwatch demo`: the real pipeline against a bundled corpus served on 127.0.0.1.

The corpus (`flows/demo/corpus/`) has feeds in RSS 2.0, RSS 1.0 and Atom,
English and Chinese pages (one outlet in GB18030) with real-world
boilerplate, tracking parameters, aggregator redirects and syndicated copies.
Its dates are relative to now, so its stories are always fresh.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console

from flows.cli.output import OutputFormat, print_rows
from flows.demo.corpus_server import CorpusServer
from flows.runner import run_monitor
from tasks.classify.history import HISTORY_FILE
from tasks.common.errors import ConfigError
from tasks.common.settings import DEFAULT_CONFIG_DIR, load_settings
from tasks.store.queries import run_query

CORPUS = Path(__file__).resolve().parent / "corpus"

EXAMPLE_QUERIES = (
    (
        "Real-world events found, each once however many outlets reported it",
        """SELECT kind, array_to_string(companies, ', ') AS companies, regulator,
                  CASE WHEN amount_usd IS NOT NULL THEN printf('$%.2fbn', amount_usd / 1e9) END AS usd,
                  stories, left(title, 60) AS title
           FROM recent_events ORDER BY published_at DESC""",
    ),
    (
        "Fines by company and month",
        """SELECT company, strftime(month, '%Y-%m') AS month, fines, printf('%.0f', total_cny) AS total_cny
           FROM fines_by_company""",
    ),
)


# The demo replays stories of 2021 as today's news; the known enforcement history would rightly call their
# fines recaps, so the demo's config leaves it out (with its own feeds instead of the repo's).
REPLAYED = ("feeds.yaml", HISTORY_FILE)


def write_demo_config(target: Path, base: str) -> None:
    """A config dir whose feeds point at the local server; other files from the repo's config."""
    corpus_feeds = yaml.safe_load((CORPUS / "feeds.yaml").read_text(encoding="utf-8"))["feeds"]
    feeds = [{"url": base + feed["path"], "name": feed["name"]} for feed in corpus_feeds]
    target.mkdir(parents=True, exist_ok=True)
    (target / "feeds.yaml").write_text(
        yaml.safe_dump({"feeds": feeds}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for extra in DEFAULT_CONFIG_DIR.glob("*.yaml"):
        if extra.name not in REPLAYED:
            shutil.copy(extra, target / extra.name)


def slack_configured() -> bool:
    settings = load_settings()
    return bool(settings.slack_bot_token or settings.slack_webhook_url)


def run_demo(db: Path, console: Console | None = None) -> dict[str, object]:
    console = console or Console(width=max(Console().width, 140))
    if not (CORPUS / "feeds.yaml").is_file():
        raise ConfigError(f"{CORPUS}: demo corpus missing")
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with CorpusServer(CORPUS / "site") as server, tempfile.TemporaryDirectory() as tmp:
        console.print(f"[bold]regwatch demo[/]: serving the sample corpus at {server.base}")
        config_dir = Path(tmp) / "config"
        write_demo_config(config_dir, server.base)
        summary = run_monitor(config_dir=config_dir, db=db, allow_private_networks=True)
    sink = "Slack" if slack_configured() else "the console (no Slack configured)"
    console.print(
        f"\n[bold]Found[/]: {summary['articles_added']} articles from {summary['feeds_polled']} feeds "
        f"({summary['duplicates']} duplicates folded), {summary['events_clustered']} events; "
        f"{summary['alerts_sent']} alerts sent to {sink}, "
        f"{summary['alerts_suppressed']} older events stored without alerting; "
        f"{time.monotonic() - started:.1f}s, stored in {db}"
    )
    for title, sql in EXAMPLE_QUERIES:
        console.print(f"\n[bold]Ad hoc query[/]: {title}\n  regwatch query --db {db} \"{' '.join(sql.split())}\"",
                      soft_wrap=True, highlight=False)
        columns, rows = run_query(db, sql)
        print_rows(columns, rows, OutputFormat.table, out=console)
    return summary
