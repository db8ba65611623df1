"""pyproject.toml declares exactly the third-party distributions the product imports.

A package that arrives only because another one depends on it can vanish in that one's next
release; a declared package nothing imports is weight every install carries. The imports
of tasks/, flows/ and evaluation/ (lazy ones too) are mapped to distributions with
importlib.metadata.packages_distributions() and compared to [project].dependencies.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from tests.architecture.test_layers import imported_modules

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("tasks", "flows", "evaluation")
FIRST_PARTY = {*PRODUCT, "tests", "bench", "fakes"}
# Declared although never imported, and why.
NOT_IMPORTED = {
    "lxml-html-clean": "trafilatura -> jusText imports it; pip does not pull it in",
}


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return {normalise(re.split(r"[\s<>=!~;\[(]", spec, maxsplit=1)[0]) for spec in dependencies}


def imported() -> dict[str, str]:
    """Each third-party distribution the product imports, with one place that imports it."""
    distributions = importlib.metadata.packages_distributions()
    found: dict[str, str] = {}
    for top in PRODUCT:
        for path in sorted((REPO / top).rglob("*.py")):
            for line, module in imported_modules(path):
                name = module.split(".")[0]
                if name in sys.stdlib_module_names or name in FIRST_PARTY:
                    continue
                for dist in distributions.get(name, [f"<no distribution installs {name!r}>"]):
                    found.setdefault(normalise(dist), f"{path.relative_to(REPO)}:{line}")
    return found


def test_every_imported_distribution_is_declared() -> None:
    missing = {dist: where for dist, where in imported().items() if dist not in declared()}
    assert missing == {}, "imported but not in [project].dependencies"


def test_every_declared_distribution_is_imported() -> None:
    unused = declared() - set(imported()) - set(NOT_IMPORTED)
    assert unused == set(), "in [project].dependencies but imported nowhere"


def test_the_check_sees_lazy_imports_and_maps_import_names_to_distributions() -> None:
    found = imported()
    assert "prefect-dask" in found  # imported inside a function only
    assert "pyyaml" in found and "pyahocorasick" in found  # import yaml, import ahocorasick
