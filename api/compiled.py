"""A queryset's SQL compiled once per process, then run with new parameters: for the hottest
reads, where Django building the same SQL for every request was a third to a half of the CPU
time (bench/RESULTS.md).

- `CompiledQuery(build, user_id=..., task_id=...)`: `build(**sentinels)` returns the queryset
  with a distinctive value in each parameter's place; its SQL and the positions of those values
  are found once (per database alias), and `rows(user_id=..., task_id=...)` executes that SQL
  with the real values.
- `CompiledPages`: pages of a list (its rows and its total, `COUNT(*) OVER ()`) whose query is
  built from the request's parameters: the SQL is kept per *shape* (the parameters that decide
  it, e.g. the filters and the ordering), compiled from the first request of that shape, and
  later requests of the same shape substitute their owner, limit and offset.

Both convert columns exactly as the queryset would (Django's converters) and execute through
Django's cursor (so query logging and counting see them). The queryset's own filters are the
SQL: nothing of its scoping is re-written by hand.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import NamedTuple

from django.db import connections
from django.db.models import Count, Field, QuerySet, Window

TOTAL = "_total"  # the window column CompiledPages adds (COUNT(*) OVER ())


class Statement(NamedTuple):
    """A compiled `.values()` query: SQL, its parameters, where the variable ones sit."""

    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (index in params, name)
    names: tuple[str, ...]  # the row's keys, in column order
    converters: tuple  # (column, converter functions, expression), Django's


def compile_values(queryset: QuerySet, using: str, values: dict) -> tuple[Statement, bool]:
    """`queryset`'s SQL, with each of `values` marked as a slot where it is a parameter.

    Returns the statement and whether every value was found exactly once (only then can the
    statement run with other values: a value found twice or not at all cannot be told apart)."""
    query = queryset.query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots, unique = [], True
    for name, value in values.items():
        found = [i for i, p in enumerate(params) if type(p) is type(value) and p == value]
        if len(found) == 1:
            slots.append((found[0], name))
        else:
            unique = False
    fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    if query.selected:  # as Django's ValuesIterable names the columns
        names = tuple(query.selected)
    else:
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return Statement(sql, tuple(params), tuple(slots), names, converters), unique


def run(statement: Statement, using: str, values: dict, extra_sql: str = "", extra=()) -> list:
    """The statement's rows (tuples, columns converted) for these slot values; `extra_sql` and
    `extra` are appended to the SQL and the parameters (a LIMIT, say)."""
    params = list(statement.params)
    for index, name in statement.slots:
        params[index] = values[name]
    params.extend(extra)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql + extra_sql, params)
        rows = cursor.fetchall()
    if not statement.converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, functions, expression in statement.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        converted.append(row)
    return converted


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **sentinels):
        self._build = build
        self._sentinels = sentinels
        self._compiled: dict[str, Statement] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> Statement:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            queryset = self._build(**self._sentinels)
            statement, unique = compile_values(queryset, using, self._sentinels)
            if not unique:
                counts = {name: statement.params.count(v) for name, v in self._sentinels.items()}
                name, count = next((n, c) for n, c in counts.items() if c != 1)
                raise RuntimeError(f"{name}: its value appears {count} times in the SQL")
            self._compiled[using] = statement
            return statement

    def rows(self, using: str = "default", **values) -> list[dict]:
        """The queryset's rows (as `.values()` gives them) for these parameter values."""
        statement = self._compiled.get(using) or self._compile(using)
        names = statement.names
        return [dict(zip(names, row, strict=True)) for row in run(statement, using, values)]


class CompiledPages:
    """Pages of lists whose SQL depends only on a shape key and the owner: at most `size` shapes
    are kept (the least recently used goes first).

    `page(key, build, owner=..., limit=..., offset=...)`: `build()` returns the list's `.values()`
    queryset for this request (its owner, its parameters), and is called only when the shape is
    not yet known (or `key` is None: a query that depends on more than its parameters, such as
    the time of the request). Its parameters must then be valid: `build()` raising (a 422) keeps
    nothing. The key must name everything that shapes the SQL except the owner, whose value is
    found among the parameters and substituted; a shape whose owner cannot be found exactly once
    is run but not kept.
    """

    def __init__(self, size: int = 256):
        self._size = size
        self._shapes: OrderedDict[Hashable, Statement] = OrderedDict()
        self._lock = threading.Lock()

    def page(
        self,
        key: Hashable | None,
        build: Callable[[], QuerySet],
        *,
        owner,
        limit: int,
        offset: int,
        using: str = "default",
    ) -> tuple[list[dict], int | None]:
        """The page's rows and the list's total (None when the page is empty)."""
        statement = None
        if key is not None:
            with self._lock:
                statement = self._shapes.get((using, key))
                if statement is not None:
                    self._shapes.move_to_end((using, key))
        if statement is None:
            queryset = build()
            window = queryset.annotate(**{TOTAL: Window(Count("pk"), output_field=Field())})
            statement, unique = compile_values(window, using, {"owner": owner})
            assert statement.names[-1] == TOTAL, statement.names
            if key is not None and unique and queryset.db == using:
                with self._lock:
                    self._shapes[(using, key)] = statement
                    while len(self._shapes) > self._size:
                        self._shapes.popitem(last=False)
        rows = run(statement, using, {"owner": owner}, " LIMIT %s OFFSET %s", (limit, offset))
        if not rows:
            return [], None
        names = statement.names[:-1]  # the total is the last column: zip leaves it out
        return [dict(zip(names, row, strict=False)) for row in rows], rows[0][-1]

    def __len__(self) -> int:
        return len(self._shapes)

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()
