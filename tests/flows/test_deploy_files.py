"""The container files refer to what exists (no Docker engine here to build them)."""

from __future__ import annotations

import ipaddress
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tasks.common.settings import load_settings
from tasks.fetch.feeds_config import load_feeds
from tasks.fetch.safe_http import AddressGuard, BlockedAddress, is_public_address

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RSSHUB_FEEDS = DEPLOY.parent / "config" / "feeds.rsshub.yaml"

# The RSSHub routes config/feeds.rsshub.yaml may use: each one's path pattern as read in DIYgod/RSSHub (the file
# named), and the regulator it follows. A route not here was not looked up, and a guessed one is a dead feed.
KNOWN_ROUTES = {
    r"/gov/cac/.+": ("lib/routes/gov/cac/index.ts", "CAC"),
    r"/gov/miit/zcwj": ("lib/routes/gov/miit/zcwj.ts", "MIIT"),
    r"/gov/miit/wjfb/[^/]+": ("lib/routes/gov/miit/wjfb.ts", "MIIT"),
    r"/gov/csrc/zfxxgk_zdgk(/c\d+)?": ("lib/routes/gov/csrc/csrc.ts", "CSRC"),
    r"/gov/csrc/news(/.+)?": ("lib/routes/gov/csrc/news.tsx", "CSRC"),
    r"/gov/pbc/goutongjiaoliu": ("lib/routes/gov/pbc/goutongjiaoliu.ts", "PBOC"),
    r"/gov/nfra(/\d+)?": ("lib/routes/gov/nfra/index.ts", "NFRA"),
    r"/gov/zhengce/zuixin": ("lib/routes/gov/zhengce/zuixin.ts", "State Council"),
    r"/gov/zhengce/wenjian(/[^/]+)?": ("lib/routes/gov/zhengce/wenjian.ts", "State Council"),
    r"/gov/zhengce/zhengceku/[^/]+": ("lib/routes/gov/zhengce/zhengceku.ts", "State Council"),
}


def test_dockerfile_copies_existing_paths_and_serves() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for path in source.split():
            assert (DEPLOY.parent / path).exists(), path
    assert 'CMD ["regwatch", "serve"]' in text and "USER regwatch" in text


def test_compose_runs_server_worker_and_deployer_on_one_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"prefect-server", "worker", "deployer"} <= set(services)
    assert "deploy --all --prefect-file deploy/prefect.yaml" in services["deployer"]["command"]
    assert "regwatch-data:/data" in services["worker"]["volumes"]
    assert services["worker"]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"


def test_every_prefect_server_the_readme_starts_has_telemetry_off() -> None:
    """Offline, Prefect's server logs `Failed to send telemetry` unless told not to send it."""
    readme = (DEPLOY.parent / "README.md").read_text()
    starts = [line for line in readme.splitlines() if "bin/prefect server start" in line]
    assert starts and all("PREFECT_SERVER_ANALYTICS_ENABLED=false" in line for line in starts)
    assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in (DEPLOY / "Dockerfile").read_text()


def _known_route(path: str) -> tuple[str, str] | None:
    """The (RSSHub file, regulator) of the one known route `path` is an instance of."""
    found = [known for pattern, known in KNOWN_ROUTES.items() if re.fullmatch(pattern, path)]
    return found[0] if len(found) == 1 else None


def test_the_rsshub_feeds_load_with_the_feeds_loader(tmp_path: Path) -> None:
    """The file is meant to be used as (or merged into) a config dir's feeds.yaml: the real loader must take it."""
    shutil.copy(RSSHUB_FEEDS, tmp_path / "feeds.yaml")
    feeds = load_feeds(tmp_path).feeds
    assert len(feeds) >= 7 and all(f.enabled and f.language == "zh" and f.name for f in feeds)
    assert len({f.url for f in feeds}) == len(feeds)


def test_every_rsshub_feed_is_a_route_read_in_rsshub_and_says_where() -> None:
    text = RSSHUB_FEEDS.read_text(encoding="utf-8")
    covered = set()
    for feed in yaml.safe_load(text)["feeds"]:
        url = urlsplit(feed["url"])
        assert (url.scheme, url.netloc) == ("http", "rsshub:1200"), feed["url"]
        known = _known_route(url.path)
        assert known, f"{url.path}: not a route recorded from the RSSHub repository"
        assert known[0] in text, f"{url.path}: the comment should name {known[0]}"
        covered.add(known[1])
    assert covered == {"CAC", "MIIT", "CSRC", "PBOC", "NFRA", "State Council"}
    assert "SAMR (State Administration for Market Regulation) has NO notices route" in text


@pytest.mark.parametrize("guessed", ["/gov/samr/notice", "/gov/cac", "/gov/miit/wjfb", "/gov/pbc/xzcf"])
def test_a_guessed_route_is_not_taken_for_a_known_one(guessed: str) -> None:
    assert _known_route(guessed) is None


def test_compose_runs_rsshub_where_the_worker_may_reach_it_and_nothing_else_private(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """REGWATCH_ALLOW_PRIVATE_ADDRESSES takes addresses, not names: rsshub needs a fixed one, on the subnet, allowed."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    rsshub, worker = compose["services"]["rsshub"], compose["services"]["worker"]
    assert rsshub["image"].startswith("diygod/rsshub")
    assert all(str(p).startswith("127.0.0.1:") for p in rsshub.get("ports", []))
    assert "rsshub" in worker["depends_on"] and "prefect-server" in worker["depends_on"]
    address = rsshub["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)

    for key, value in worker["environment"].items():
        if key.startswith("REGWATCH_"):
            monkeypatch.setenv(key, str(value))
    guard = AddressGuard(is_public_address, load_settings().private_exceptions)
    ports = {urlsplit(feed["url"]).port for feed in yaml.safe_load(RSSHUB_FEEDS.read_text())["feeds"]}
    assert ports == {1200}
    guard.check("rsshub", address, 1200)  # the feeds' host:port gets through
    with pytest.raises(BlockedAddress):
        guard.check("rsshub", address, 6379)  # another port on it does not
    with pytest.raises(BlockedAddress):
        guard.check("prefect-server", str(ipaddress.ip_address(address) + 1), 1200)  # nor another container
