"""The `regwatch` command line.

Commands that only read the database (`feeds`, `query`) do not import Prefect,
so they answer in a fraction of a second. Every expected failure ends with a
one-line reason on stderr and exit status 1.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from flows.cli.output import OutputFormat, console, print_rows
from tasks.common.errors import RegwatchError

app = typer.Typer(
    help="Monitor China's tech regulation: poll feeds, extract, dedupe, classify, alert.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: the README embeds it verbatim (checked by a test)
)
err_console = Console(stderr=True, soft_wrap=True)

# Prefect logs its temporary server, docs links and every flow and task run to the console at INFO; the
# UI and the API still get them all. The user's own setting wins.
PREFECT_CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
# Prefect's background services warn "Still processing items: 1 items remaining..." while they drain at exit,
# after a failed run too, where regwatch's one line must be the last word.
PREFECT_SHUTDOWN_CHATTER = ("EventsWorker", "APILogWorker")

F = TypeVar("F", bound=Callable[..., Any])

ConfigDirOption = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        help="Directory with feeds.yaml and companies.yaml [default: repo config/, or REGWATCH_CONFIG_DIR].",
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file [default: data/regwatch.duckdb, or REGWATCH_DB]."),
]


# What Prefect raises when its temporary server (no PREFECT_API_URL) misses its start-up deadline.
PREFECT_SERVER_LATE = "Timed out while attempting to connect to ephemeral Prefect API server"
PREFECT_SERVER_LATE_HELP = (
    "Prefect's temporary server did not start in time (a busy machine?): run again, allow it longer with "
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run `prefect server start` and set PREFECT_API_URL "
    "(README, Deploy)"
)


def one_line_errors(func: F) -> F:
    """Turn RegwatchError into `regwatch: <reason>` (a line per reason) and exit 1, without a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RegwatchError as exc:
            reasons = str(exc).splitlines()
        except RuntimeError as exc:
            if PREFECT_SERVER_LATE not in str(exc):
                raise
            reasons = [PREFECT_SERVER_LATE_HELP]
        for reason in reasons:
            err_console.print(f"regwatch: {reason}", markup=False, highlight=False)
        raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def quiet_prefect(
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Also show Prefect's own log lines (server, flow and task runs).")
    ] = False,
) -> None:
    """Keep the console to regwatch's own lines and Prefect's warnings unless asked for more."""
    if not verbose:
        os.environ.setdefault(PREFECT_CONSOLE_LEVEL, "WARNING")
        for service in PREFECT_SHUTDOWN_CHATTER:
            logging.getLogger(service).setLevel(logging.ERROR)


def quarantined_note(pages: int) -> str:
    """What the summary line of a run or backfill adds when pages killed their worker: they are not lost."""
    if not pages:
        return ""
    return f", {pages} quarantined (stored from the feed summary; `regwatch quarantine` lists them)"


@app.command()
@one_line_errors
def run(
    config_dir: ConfigDirOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cycle's counts as one JSON object.")] = False,
    always_flow: Annotated[bool, typer.Option(
        "--always-flow", help="Run the cycle as a Prefect flow run even when no feed has anything new (by default "
        "such a quiet cycle is recorded without starting Prefect, in about a second).",
    )] = False,
    all_feeds: Annotated[bool, typer.Option(
        "--all-feeds", help="Poll every feed this cycle, also the quiet or failing ones adaptive polling would "
        "leave for a later cycle (`regwatch feeds` shows when each is due).",
    )] = False,
) -> None:
    """Run one monitoring cycle (poll, fetch, extract, store), then exit."""
    from flows.runner import run_monitor

    if all_feeds:
        from tasks.common.settings import load_settings
        from tasks.store.feed_health import poll_every_feed

        poll_every_feed(load_settings(config_dir=config_dir, db=db))
    summary = run_monitor(config_dir=config_dir, db=db, always_flow=always_flow)
    if as_json:
        print(json.dumps(summary))
        return
    quiet = " (quiet: nothing new, no flow run started)" if summary["quiet"] else ""
    console.print(
        f"[bold]done{quiet}[/]: {summary['feeds_polled']} feeds polled ({summary['feeds_failed']} failed, "
        f"{summary['feeds_not_modified']} unchanged), {summary['pages_fetched']} pages fetched, "
        f"{summary['articles_added']} articles added, {summary['duplicates']} duplicates"
        f"{quarantined_note(summary['pages_quarantined'])}"
    )


@app.command()
@one_line_errors
def demo(
    db: Annotated[Path, typer.Option(
        "--db", help="DuckDB file the demo writes (recreated); with --serve, the one its printed commands use."
    )] = Path("data/demo.duckdb"),
    serve: Annotated[bool, typer.Option(
        "--serve", help="Only serve the corpus, until Ctrl-C: write a config dir for it (demo-config, next to "
        "--db) and print the run, backfill and serve commands to try against it.",
    )] = False,
) -> None:
    """Serve the bundled sample corpus on 127.0.0.1 and run the real flow against it."""
    from flows.demo.run import run_demo, serve_demo

    if serve:
        serve_demo(db)
    else:
        run_demo(db)


@app.command()
@one_line_errors
def feeds(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show each feed's URL and health: last poll, poll interval and next poll (adaptive polling), last success,
    last error, consecutive failures, items seen, and how its last 50 stories were read (in full, from the feed's
    summary, or from the headline only)."""
    from tasks.common.settings import load_settings
    from tasks.store.database import Database
    from tasks.store.feed_health import HEALTH_COLUMNS, feed_health

    rows = feed_health(Database.for_settings(load_settings(db=db)).reader())
    print_rows(HEALTH_COLUMNS, rows, fmt, title="Feed health")


@app.command()
@one_line_errors
def quarantine(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the pages that killed their extraction worker: stored from the feed summary, never extracted again."""
    from tasks.common.settings import load_settings
    from tasks.store.database import Database
    from tasks.store.quarantine import QUARANTINE_COLUMNS, quarantined_pages

    rows = quarantined_pages(Database.for_settings(load_settings(db=db)).reader())
    print_rows(QUARANTINE_COLUMNS, rows, fmt, title="Quarantined pages")


@app.command()
@one_line_errors
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the database (read-only).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    live: Annotated[bool, typer.Option(help="Query the live file instead of the snapshot (waits for the writer).")]
    = False,
) -> None:
    """Run an ad hoc SQL query read-only (on the snapshot refreshed after each run) and print the result.

    Any SQL that reads this database is allowed (SELECT, WITH, DESCRIBE, SHOW TABLES, PRAGMA). Nothing else is
    touched: no writes, no reading or writing other files (COPY ... TO, read_csv), no ATTACH, no extensions.
    To export, use --format csv and redirect the output."""
    from tasks.common.settings import load_settings
    from tasks.store.queries import run_query

    settings = load_settings(db=db)
    columns, rows = run_query(settings.db, sql, live=live, lock_timeout=settings.db_lock_timeout_seconds)
    print_rows(columns, rows, fmt)


@app.command()
@one_line_errors
def restore(
    db: DbOption = None,
    source: Annotated[Path | None, typer.Option(
        "--from", help="The copy to put back: a backup made before an upgrade (regwatch.v1-backup.duckdb) "
        "[default: the snapshot beside --db]."
    )] = None,
) -> None:
    """Put the last snapshot (or another copy) in place of a damaged database; the file it replaces is kept aside.

    For a database regwatch reports as damaged (a disk that filled during a checkpoint, a copy cut short). The
    copy is read in full before anything moves; the replaced file and its write-ahead log are renamed, not
    deleted. The next run fetches again what the feeds still list from after the copy was made."""
    from tasks.common.settings import load_settings
    from tasks.store.database import Database
    from tasks.store.restore import restore as restore_copy

    restored = restore_copy(Database.for_settings(load_settings(db=db)), source)
    console.print(str(restored), markup=False, highlight=False, soft_wrap=True)


@app.command()
@one_line_errors
def alerts(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(
        help="Only alerts with this status: pending, sending, sent, shown (on the console, owed to Slack), failed, "
        "suppressed."
    )] = None,
    resend: Annotated[str | None, typer.Option("--resend", help="Queue alert ID again and deliver it now.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the alert outbox (pending, sent, shown, failed...), or resend one alert.

    With a bot token each alert reaches Slack exactly once, even when a run is killed while sending: an alert left
    sending is looked up in the channel's history before it goes again (the token needs the channels:history and
    groups:history scopes; `regwatch slack test` says whether it has them). An incoming webhook cannot be read back:
    after such a crash the alert is sent again and may show twice (at least once)."""
    from tasks.alert.admin import ALERT_COLUMNS, list_alerts, resend_alert
    from tasks.common.settings import load_settings
    from tasks.store.database import Database

    settings = load_settings(db=db)
    if resend:
        outcome = resend_alert(settings, resend)
        console.print(f"alert {resend}: {outcome}", markup=False, highlight=False, soft_wrap=True)
        return
    print_rows(ALERT_COLUMNS, list_alerts(Database.for_settings(settings), status), fmt, title="Alerts")


@app.command()
@one_line_errors
def history(
    company: Annotated[str, typer.Argument(
        help="Any of its names, a ticker or its Chinese name (Alibaba, BABA, 9988.HK, 阿里巴巴)."
    )],
    config_dir: ConfigDirOption = None,
    db: DbOption = None,
    fmt: Annotated[OutputFormat, typer.Option(
        "--format", help="Output format; csv and json give the actions only, the table adds totals."
    )] = OutputFormat.table,
) -> None:
    """Show a company's regulatory actions over time, known (reference data) and observed, with totals."""
    from tasks.alert.company_history import HISTORY_COLUMNS, TOTAL_COLUMNS, company_history
    from tasks.common.settings import load_settings
    from tasks.store.database import Database

    settings = load_settings(config_dir=config_dir, db=db)
    found = company_history(company, settings.config_dir, Database.for_settings(settings))
    if fmt is not OutputFormat.table:
        print_rows(HISTORY_COLUMNS, found.rows(), fmt)
        return
    for line in (found.summary(), "", *found.lines()):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if found.actions:
        for by in ("regulator", "year"):
            print_rows((by, *TOTAL_COLUMNS), found.totals(by), fmt, title=f"Totals by {by}")


@app.command()
@one_line_errors
def classify(
    files: Annotated[list[str], typer.Argument(help="HTML or text files, or - for stdin.")],
    config_dir: ConfigDirOption = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) for recap detection.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file per line.")] = False,
) -> None:
    """Show the companies and events found in each file, with their evidence."""
    from flows.cli.classify import classify_files

    classify_files(files, config_dir, published, as_json, console)


@app.command("eval")
@one_line_errors
def eval_(
    data: Annotated[
        Path | None, typer.Option(help="Directory of labelled files [default: tests/data/labelled].")
    ] = None,
    real: Annotated[
        Path | None,
        typer.Option(help="Score the real-text corpus instead: the directory of its cached texts "
                          "(tests/data/real/README.md says how to fill it). Where a second person labelled an "
                          "article too, their labels are scored beside regwatch's: how far two people agree."),
    ] = None,
    config_dir: ConfigDirOption = None,
    failures: Annotated[bool, typer.Option(help="List every item the classifier got wrong.")] = False,
    headline_only: Annotated[
        bool, typer.Option(help="With --real: classify each headline alone, as when a feed item's page "
                                "cannot be read.")
    ] = False,
) -> None:
    """Print precision, recall and F1 of classification on the labelled set (or real text), per language."""
    from flows.cli.classify import run_eval, run_real_eval
    from tasks.common.errors import ConfigError

    if headline_only and real is None:
        raise ConfigError("--headline-only scores the real-text corpus: give it with --real DIR")
    if real is not None:
        run_real_eval(real, config_dir, failures, console, headline_only)
    else:
        run_eval(data, config_dir, failures, console)


@app.command("fetch-corpus")
@one_line_errors
def fetch_corpus(
    texts: Annotated[
        Path | None,
        typer.Argument(help="Directory of the cached texts [default: ~/.cache/regwatch/real-corpus/texts].",
                       show_default=False),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(help="Labels file, one JSON line per article [default: tests/data/real/articles.jsonl]."),
    ] = None,
    whole: Annotated[
        bool, typer.Option(help="Keep each page whole: by default it is cut to its first 2,000 bytes of text, "
                                "about as much as the labels were made from.")
    ] = False,
    config_dir: ConfigDirOption = None,
) -> None:
    """Fill the real-text corpus's cache from the publishers' own pages (for `regwatch eval --real`): fetch
    each labelled URL, extract it as a monitoring run does, and write its headline and text; texts already
    there are kept, so a second run retries only what failed."""
    from evaluation.real_corpus import DEFAULT_CACHE, REAL_LABELS, load_labels
    from evaluation.real_fetch import LABELLED_BYTES
    from evaluation.real_fetch import fetch_corpus as run_fetch
    from tasks.common.settings import load_settings
    from tasks.fetch.feeds_config import load_feeds

    settings = load_settings(config_dir=config_dir)
    rows = load_labels(labels or REAL_LABELS)
    with console.status(f"fetching the pages of {len(rows)} labelled articles"):
        fetched = run_fetch(
            rows, texts or DEFAULT_CACHE, load_feeds(settings.config_dir).fetch, settings.config_dir,
            allow_private=settings.allow_private_networks, exempt=settings.private_exceptions,
            page_cpu_seconds=settings.page_cpu_seconds, max_bytes=None if whole else LABELLED_BYTES,
        )
    for left_out in fetched.failed:
        err_console.print(f"regwatch: {left_out}", markup=False, highlight=False)
    console.print(f"fetch-corpus: {len(rows)} labelled articles: {len(fetched.written)} texts written, "
                  f"{fetched.kept} already there, {len(fetched.failed)} could not be fetched or read "
                  f"(in {texts or DEFAULT_CACHE})", markup=False, highlight=False, soft_wrap=True)
    if shortfall := fetched.shortfall():
        raise shortfall


@app.command()
@one_line_errors
def digest(
    since: Annotated[str, typer.Option(help="Period to summarise: 24h, 7d, 2w.")] = "24h",
    db: DbOption = None,
) -> None:
    """Post a summary of the period's events to Slack (or the console), with a chart of events per day by kind
    in its thread."""
    from tasks.alert.digest import parse_span
    from tasks.common.settings import load_settings
    from tasks.store.database import Database

    span = parse_span(since)
    Database.for_settings(load_settings(db=db)).require_existing()
    from flows.digest import digest as digest_flow

    result = digest_flow(since_hours=span.total_seconds() / 3600, db=str(db) if db else None)
    console.print(f"digest: {result['events']} events, Slack: {result['slack']}, chart: {result['chart']}",
                  markup=False, highlight=False)


@app.command()
@one_line_errors
def report(
    since: Annotated[str, typer.Option(help="Period to report on: 24h, 7d, 2w, 90d.")] = "90d",
    out: Annotated[Path, typer.Option(help="HTML file to write (replaced).")] = Path("report.html"),
    config_dir: ConfigDirOption = None,
    db: DbOption = None,
) -> None:
    """Write one self-contained HTML report (charts inline, opens offline): fines over time by regulator and
    company, policy shifts, the latest events with evidence and links, feed health, and the known major
    actions since 2020 for reference."""
    from datetime import UTC, datetime

    from tasks.alert.digest import parse_span
    from tasks.alert.report import load_report, render_report, write_report
    from tasks.common.settings import load_settings
    from tasks.store.database import Database

    span = parse_span(since)
    settings = load_settings(db=db, config_dir=config_dir)
    until = datetime.now(UTC)
    data = load_report(Database.for_settings(settings).reader(), settings.config_dir, until - span, until)
    written = write_report(render_report(data, until), out)
    console.print(f"report: {len(data.events)} events since {data.since:%Y-%m-%d %H:%M} UTC, "
                  f"{len(data.feeds)} feeds, {len(data.known)} known actions for reference: {written}",
                  markup=False, highlight=False, soft_wrap=True)


class BackfillSource(StrEnum):
    urls = "urls"
    sitemap = "sitemap"
    feed = "feed"


@app.command()
@one_line_errors
def backfill(
    source: Annotated[str, typer.Argument(help="A file of URLs (one a line), a sitemap URL, or a feed URL.")],
    kind: Annotated[BackfillSource, typer.Option("--from", help="What SOURCE is.")] = BackfillSource.urls,
    config_dir: ConfigDirOption = None,
    db: DbOption = None,
) -> None:
    """Load past articles without alerting; resumable (stored URLs are skipped)."""
    from rich.progress import Progress

    from flows.runner import check_config
    from tasks.common.settings import load_settings
    from tasks.fetch.feeds_config import load_feeds
    from tasks.pipeline.backfill import backfill as run_backfill
    from tasks.store.database import Database

    settings = load_settings(config_dir=config_dir, db=db)
    check_config(settings)
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("backfill", total=None)
        report = run_backfill(
            Database.for_settings(settings), source, kind.value, load_feeds(settings.config_dir), settings.config_dir,
            settings.allow_private_networks, settings.page_cpu_seconds,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            exempt=settings.private_exceptions,
        )
    for left_out in report.bad_entries + report.failed_pages:
        err_console.print(f"regwatch: {left_out}", markup=False, highlight=False)
    stats = report.stats
    console.print(f"backfill: {stats.items_seen} URLs listed, {stats.items_known} already stored, "
                  f"{stats.articles_added} articles added, {stats.duplicates} duplicates, "
                  f"{len(report.failed_pages)} could not be fetched (not stored)"
                  f"{quarantined_note(len(stats.quarantined))}; no alerts sent", soft_wrap=True)
    if shortfall := report.shortfall():
        raise shortfall


@app.command()
@one_line_errors
def serve(config_dir: ConfigDirOption = None, db: DbOption = None) -> None:
    """Serve the monitor and digest on their schedules from this process (no work pool needed)."""
    from flows.serve import serve_flows

    serve_flows(config_dir, db)


@app.command("extraction-f1")
@one_line_errors
def extraction_f1(
    corpus: Annotated[Path, typer.Option(help="article-extraction-benchmark directory.")] = Path(
        "../shared/corpora/article-extraction-benchmark"
    ),
) -> None:
    """Score text extraction: mean token F1 against the benchmark's ground truth."""
    from evaluation.extraction_quality import score_corpus
    from tasks.common.errors import ConfigError

    if not (corpus / "ground-truth.json").is_file():
        raise ConfigError(
            f"{corpus}: no ground-truth.json; extraction-f1 needs the article-extraction-benchmark corpus "
            "(html/*.html.gz and ground-truth.json, from github.com/scrapinghub/article-extraction-benchmark), "
            "which CI keeps at ../shared/corpora/article-extraction-benchmark: clone it and pass --corpus DIR"
        )
    score = score_corpus(corpus)
    console.print(f"pages: {score.pages}  mean token F1: {score.mean_f1:.4f}  empty extractions: {score.empty}")


slack_app = typer.Typer(help="Check the Slack settings alerts are delivered with.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")


@slack_app.command("test")
@one_line_errors
def slack_test() -> None:
    """Post a test message where alerts go, or say exactly what is wrong; then whether alerts arrive exactly once."""
    from tasks.alert.slack_check import post_test_message
    from tasks.common.settings import load_settings

    console.print(post_test_message(load_settings()), markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    app()
