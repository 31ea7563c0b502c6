"""gunicorn settings for production serving (the Procfile's ``web`` line).

Threads matter more than processes here: Bolt acknowledges in one thread and
finishes the work (database, outbox delivery) in another.
"""

from __future__ import annotations

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("NRC_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("NRC_LOG_LEVEL", "info")
# Each worker builds its own engine and runtime; migrations take a lock, so any
# number of workers and processes may start at once.
preload_app = False
