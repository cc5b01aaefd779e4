"""A queryset's SQL compiled once per process, then run with new parameters: for the hottest
reads, where Django building the same SQL for every request was over a third of the CPU time
(bench/RESULTS.md).

`CompiledQuery(build, user_id=..., task_id=...)`: `build(**sentinels)` returns the queryset with
a distinctive value in each parameter's place; its SQL and the positions of those values are
found once (per database alias), and `rows(user_id=..., task_id=...)` executes that SQL with
the real values, converting columns exactly as the queryset would (Django's converters), through
Django's cursor (so query logging and counting see it). The queryset's own filters are the SQL:
nothing of its scoping is re-written by hand.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **sentinels):
        self._build = build
        self._sentinels = sentinels
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> tuple:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            query = self._build(**self._sentinels).query
            compiler = query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = []
            for name, sentinel in self._sentinels.items():
                found = [
                    i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel
                ]
                if len(found) != 1:
                    raise RuntimeError(f"{name}: its value appears {len(found)} times in the SQL")
                slots.append((found[0], name))
            fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
            converters = [
                (position, converters, expression)
                for position, (converters, expression) in compiler.get_converters(fields).items()
            ]
            if query.selected:  # as Django's ValuesIterable names the columns
                names = list(query.selected)
            else:
                names = [*query.extra_select, *query.values_select, *query.annotation_select]
            compiled = (sql, tuple(params), slots, names, converters)
            self._compiled[using] = compiled
            return compiled

    def rows(self, using: str = "default", **values) -> list[dict]:
        """The queryset's rows (as `.values()` gives them) for these parameter values."""
        sql, template, slots, names, converters = self._compiled.get(using) or self._compile(using)
        params = list(template)
        for index, name in slots:
            params[index] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result = []
        for row in rows:
            if converters:
                row = list(row)
                for position, functions, expression in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            result.append(dict(zip(names, row, strict=True)))
        return result
