"""What the fork server loads once, before it forks extraction workers.

Workers are forked from a server process that has already imported the
extraction and classification code and built jieba's dictionary (half a
second and 60 MB), so a worker starts in milliseconds, its siblings share
those pages instead of each building its own copy, and a cycle with a
handful of new articles does not pay a second of start-up per worker.
Importing this module is the warm-up; it has no API.
"""

from __future__ import annotations

import logging

import cn2an  # noqa: F401  (tasks.classify.money imports it on first use; once here, for every worker)
import jieba
import trafilatura  # noqa: F401  (tasks.extract.pages imports it on first use; once here, for every worker)

import tasks.pipeline.page_work  # noqa: F401  (the code every worker runs)

jieba.setLogLevel(logging.WARNING)
jieba.initialize()
