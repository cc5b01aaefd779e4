"""The user's id becomes the token's `sub` as text (any issuer's ids, not only UUIDs).

Every user keeps their id, tasks, refresh-token records, admin log entries, groups and
permissions. PostgreSQL casts its native uuid column to text in the canonical form
(lower case, hyphenated), foreign keys included. SQLite stored UUIDs as 32 hex digits without
hyphens, which is not what the users' tokens carry in `sub`: there the ids, and every column
that refers to a user, are rewritten to the hyphenated form after the column change.

Going back is possible only while every id is still a UUID.
"""

import re

from django.db import migrations, models

import accounts.ids

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _user_columns(apps, schema_editor):
    """(table, column) of the user id and of every column that refers to a user."""
    user = apps.get_model("accounts", "User")
    columns = [(user._meta.db_table, user._meta.pk.column)]
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is user:
                columns.append((model._meta.db_table, field.column))
    return [(schema_editor.quote_name(t), schema_editor.quote_name(c)) for t, c in columns]


def hyphenate_compact_uuids(apps, schema_editor):
    """SQLite (no native uuid type): `3f2b6c1e8a4d...` -> `3f2b6c1e-8a4d-...` everywhere."""
    if schema_editor.connection.features.has_native_uuid_field:
        return  # PostgreSQL's uuid -> varchar cast already wrote the canonical form
    for table, column in _user_columns(apps, schema_editor):
        parts = [f"substr({column}, {start}, {length})" for start, length in
                 ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]  # fmt: skip
        hyphenated = " || '-' || ".join(parts)
        schema_editor.execute(
            f"UPDATE {table} SET {column} = {hyphenated} "
            f"WHERE length({column}) = 32 AND instr({column}, '-') = 0"
        )


def compact_uuids(apps, schema_editor):
    """Backwards: only UUID ids fit a uuid column; SQLite stores them without hyphens."""
    user = apps.get_model("accounts", "User")
    others = [pk for pk in user.objects.values_list("pk", flat=True).iterator()
              if not _CANONICAL_UUID.fullmatch(pk)]  # fmt: skip
    if others:
        raise RuntimeError(
            f"Cannot go back to UUID user ids: {len(others)} user(s) have other ids "
            f"(for example {others[0]!r})."
        )
    if schema_editor.connection.features.has_native_uuid_field:
        return
    for table, column in _user_columns(apps, schema_editor):
        schema_editor.execute(f"UPDATE {table} SET {column} = replace({column}, '-', '')")


class Migration(migrations.Migration):
    # After every table that refers to a user exists, so each of their columns is changed too
    # (whichever order a fresh database would otherwise create them in), both ways.
    dependencies = [
        ("accounts", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("tasks", "0001_initial"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="id",
            field=models.CharField(
                default=accounts.ids.new_user_id,
                editable=False,
                max_length=255,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.RunPython(hyphenate_compact_uuids, compact_uuids),
    ]
