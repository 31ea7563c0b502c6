"""gunicorn settings for production serving (the Procfile's ``web`` line).

Threads matter more than processes here: Bolt acknowledges in one thread and
finishes the work (database, outbox delivery) in another.
"""

from __future__ import annotations

from bot.settings import Settings

_settings = Settings.from_env()  # PORT, WEB_CONCURRENCY, NRC_THREADS, NRC_LOG_LEVEL

bind = f"0.0.0.0:{_settings.port}"
workers = _settings.web_concurrency
worker_class = "gthread"
threads = _settings.threads
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level or "info"
# Each worker builds its own engine and runtime; migrations take a lock, so any
# number of workers and processes may start at once.
preload_app = False
