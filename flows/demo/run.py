"""`regwatch demo`: the real pipeline against a bundled corpus served on 127.0.0.1.

The corpus (`flows/demo/corpus/`) has feeds in RSS 2.0, RSS 1.0 and Atom,
English and Chinese pages (one outlet in GB18030) with real-world
boilerplate, tracking parameters, aggregator redirects and syndicated copies.
Its dates are relative to now, so its stories are always fresh.

`regwatch demo --serve` only serves it, with a config dir pointing at it, so
that `run`, `backfill` and `serve` can be tried by hand without a network.
"""

from __future__ import annotations

import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console

from flows.cli.output import OutputFormat, print_rows
from flows.demo.corpus_server import CorpusServer
from flows.runner import run_monitor
from tasks.classify.history import HISTORY_FILE
from tasks.common.endpoints import format_endpoint
from tasks.common.errors import ConfigError
from tasks.common.settings import DEFAULT_CONFIG_DIR, load_settings
from tasks.store.queries import run_query

CORPUS = Path(__file__).resolve().parent / "corpus"

EXAMPLE_QUERIES = (
    (
        "Real-world events found, each once however many outlets reported it",
        """SELECT kind, array_to_string(companies, ', ') AS companies, regulator,
                  CASE WHEN amount_usd >= 1e8 THEN printf('$%.2fbn', amount_usd / 1e9)
                       WHEN amount_usd IS NOT NULL THEN format('${:,.0f}', amount_usd) END AS usd,
                  stories, left(title, 60) AS title
           FROM recent_events ORDER BY published_at DESC""",
    ),
    (
        "Fines by company and month",
        """SELECT company, strftime(month, '%Y-%m') AS month, fines, printf('%.0f', total_cny) AS total_cny
           FROM fines_by_company""",
    ),
)


ALLOW_ADDRESSES = "REGWATCH_ALLOW_PRIVATE_ADDRESSES"  # the setting that lets regwatch reach this server

# The demo replays stories of 2021 as today's news; the known enforcement history would rightly call their
# fines recaps, so the demo's config leaves it out (with its own feeds instead of the repo's).
REPLAYED = ("feeds.yaml", HISTORY_FILE)


def write_demo_config(target: Path, base: str) -> list[str]:
    """A config dir whose feeds point at the local server; other files from the repo's config. The feed URLs."""
    corpus_feeds = yaml.safe_load((CORPUS / "feeds.yaml").read_text(encoding="utf-8"))["feeds"]
    feeds = [{"url": base + feed["path"], "name": feed["name"]} for feed in corpus_feeds]
    target.mkdir(parents=True, exist_ok=True)
    (target / "feeds.yaml").write_text(
        yaml.safe_dump({"feeds": feeds}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for extra in DEFAULT_CONFIG_DIR.glob("*.yaml"):
        if extra.name not in REPLAYED:
            shutil.copy(extra, target / extra.name)
    return [feed["url"] for feed in feeds]


def slack_configured() -> bool:
    settings = load_settings()
    return bool(settings.slack_bot_token or settings.slack_webhook_url)


def _start_afresh(db: Path) -> None:
    """Check the corpus is there and remove the demo's database from last time."""
    if not (CORPUS / "feeds.yaml").is_file():
        raise ConfigError(f"{CORPUS}: demo corpus missing")
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)


def run_demo(db: Path, console: Console | None = None) -> dict[str, object]:
    console = console or Console(width=max(Console().width, 140))
    _start_afresh(db)
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
        f"{summary['alerts_sent'] + summary['alerts_shown']} alerts sent to {sink}, "
        f"{summary['alerts_suppressed']} older events stored without alerting; "
        f"{time.monotonic() - started:.1f}s, stored in {db}"
    )
    for title, sql in EXAMPLE_QUERIES:
        console.print(f"\n[bold]Ad hoc query[/]: {title}\n  regwatch query --db {db} \"{' '.join(sql.split())}\"",
                      soft_wrap=True, highlight=False)
        columns, rows = run_query(db, sql)
        print_rows(columns, rows, OutputFormat.table, out=console)
    return summary


def serve_demo(db: Path, console: Console | None = None) -> None:
    """Serve the corpus until Ctrl-C, write a config dir for it next to `db`, and print the commands to try."""
    console = console or Console()
    _start_afresh(db)
    config_dir = db.with_name("demo-config")
    # Ctrl-C and a plain `kill` both stop it cleanly, also when it was started from a script or in the
    # background, where the shell hands it SIGINT already ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with CorpusServer(CORPUS / "site") as server:
            feed_urls = write_demo_config(config_dir, server.base)
            _print_next_steps(console, server, feed_urls[0], config_dir, db)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        console.print("regwatch demo: stopped", highlight=False)


def _print_next_steps(console: Console, server: CorpusServer, feed_url: str, config_dir: Path, db: Path) -> None:
    """Commands to paste into another terminal, with the one setting that lets regwatch reach this server."""
    allow = f"{ALLOW_ADDRESSES}={format_endpoint(*server.endpoint)}"
    where = f"--config-dir {shlex.quote(str(config_dir))} --db {shlex.quote(str(db))}"
    regwatch = _how_regwatch_was_started()
    lines = [
        f"regwatch demo: serving the sample corpus at {server.base}",
        f"Its config dir (feeds.yaml lists the corpus's feeds): {config_dir}",
        "",
        f"The server is on a private address: {ALLOW_ADDRESSES} lets regwatch reach it and nothing else "
        "private. In another terminal, from this directory:",
        f"  {allow} {regwatch} run {where}",
        f"  {allow} {regwatch} backfill {feed_url} --from feed {where}",
        f"  {allow} {regwatch} serve {where}",
        f"  {regwatch} feeds --db {shlex.quote(str(db))}",
        "",
        "Press Ctrl-C to stop the server.",
    ]
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False, markup=False)


def _how_regwatch_was_started() -> str:
    """The command as the user typed it (`.venv/bin/regwatch`), so that the printed commands paste as they are."""
    started = sys.argv[0]
    return shlex.quote(started) if Path(started).name == "regwatch" else "regwatch"
