"""gunicorn's settings for ``make run`` and the container: ``gunicorn -c config/gunicorn.py
config.wsgi``. ``HOST`` (default 127.0.0.1: only this machine) and ``PORT`` (8000) say where it
listens; ``WEB_CONCURRENCY`` overrides the number of worker processes.

Sync workers, one request each at a time: the product's requests are short, and a process per
request keeps django-tenants' per-connection schema switching simple. Two per core plus one
(gunicorn's own rule): while one worker waits for PostgreSQL another renders. SIGTERM (what
``make run`` sends on Ctrl+C) stops gracefully: no new connections, requests under way finish
within ``graceful_timeout``.
"""

import os
import sys
from importlib import import_module

from django.core.exceptions import ImproperlyConfigured
from django.db import connections


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def address(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# A settings problem (no usable secret key) stops the start here, said in one line.
try:
    import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.prod"))
except ImproperlyConfigured as error:
    sys.exit(f"Clientele cannot start: {error}")

bind = [address(os.environ.get("HOST") or "127.0.0.1", os.environ.get("PORT") or "8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * cores() + 1)
worker_class = "sync"
# Django is imported once and the workers are forked from it: they start in a fraction of a
# second, share its memory, and a configuration error (no secret key) stops the start at once
# with its message instead of failing every worker in turn.
preload_app = True
timeout = 60  # a worker silent this long is killed and replaced
graceful_timeout = 20
proc_name = "clientele"
accesslog = "-"
# Who, which host (the tenant), what, status, size, time taken.
access_log_format = '%(h)s %({host}i)s "%(r)s" %(s)s %({content-length}o)s %(M)sms "%(a)s"'
errorlog = "-"
# No gunicornc control socket: it would sit at one path for every server on the machine.
control_socket_disable = True


def pre_fork(server, worker):
    """A database connection opened while loading the app must not be shared by the workers."""
    connections.close_all()
