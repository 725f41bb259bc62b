"""django-tenants' backend for a pooler in transaction mode (``DATABASE_POOLER=
pgbouncer-transaction``, see config/database.py and docs/scaling.md).

django-tenants sets ``search_path`` once per connection (a session-level ``SET``) and trusts it
until the schema changes. Behind PgBouncer in transaction mode a client's consecutive
transactions run on whichever server connection is free, so that trust breaks: a query for one
tenant can run with the ``search_path`` another client set, i.e. in another tenant's schema.
PgBouncer 1.20+ can carry ``search_path`` with ``track_extra_parameters``; Debian 12's 1.18
cannot. So here the schema travels with every transaction instead:

- the path is set with ``SET LOCAL`` inside the transaction that uses it, and forgotten at
  every commit and rollback (so the next transaction sets it again, on whatever server
  connection it gets); no server connection ever keeps a tenant's path after a transaction;
- a statement outside any transaction (Django's autocommit) is run in a transaction of its own
  that starts with that ``SET LOCAL``;
- server-side cursors are off (config/database.py): they would outlive the transaction.

What still must not cross transactions behind such a pooler: session advisory locks, ``LISTEN``
and raw ``COPY`` outside ``transaction.atomic`` (which bypasses Django's execute wrappers). The
background worker therefore connects to PostgreSQL directly (its own ``DATABASE_URL``, no
``DATABASE_POOLER``).
"""

from __future__ import annotations

import django.db.utils
from django.db import transaction
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import quote_schema_name

DatabaseError = tenants_base.DatabaseError
IntegrityError = tenants_base.IntegrityError


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Outermost (first in the list): wraps whatever other wrappers and the statement do.
        self.execute_wrappers.insert(0, self._with_schema_in_transaction)

    def _with_schema_in_transaction(self, execute, sql, params, many, context):
        if not self.get_autocommit():
            self._handle_search_path()
            return execute(sql, params, many, context)
        with transaction.atomic(using=self.alias):
            self._handle_search_path()
            return execute(sql, params, many, context)

    def _handle_search_path(self, cursor=None):
        """``SET LOCAL search_path`` once per transaction and schema; nothing in autocommit
        (the execute wrapper opens a transaction first)."""
        if self._setting_search_path or self.connection is None or self.autocommit:
            return
        search_paths = self._get_cursor_search_paths()
        if self.search_path_set_schemas == search_paths:
            return
        self._setting_search_path = True
        raw = self.connection.cursor() if cursor is None else cursor
        try:
            raw.execute(
                "SET LOCAL search_path = " + ",".join(quote_schema_name(s) for s in search_paths)
            )
        except (django.db.utils.DatabaseError, tenants_base.psycopg.Error):
            # An aborted transaction (a rollback follows) refuses it; so does every statement
            # after it, which therefore never runs on another schema.
            self.search_path_set_schemas = None
        else:
            self.search_path_set_schemas = search_paths
        finally:
            self._setting_search_path = False
            if cursor is None:
                raw.close()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.search_path_set_schemas = None

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.search_path_set_schemas = None

    def _set_autocommit(self, autocommit):
        self.search_path_set_schemas = None
        return super()._set_autocommit(autocommit)
