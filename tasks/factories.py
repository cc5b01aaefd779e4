"""Test and seed data: tasks."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.factories import UserFactory

from .changes import take_change_numbers
from .models import Task, derived_columns
from .rules import Priority


class TaskFactory(DjangoModelFactory):
    """A task with Faker text, owned by a new user unless one is given; the columns the services
    derive (folded text, tag keys, `completed_at`) are derived here the same way."""

    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=4)
    description = factory.Faker("paragraph")
    completed = False
    priority = Priority.MEDIUM
    tags = factory.LazyFunction(list)
    completed_at = factory.LazyAttribute(lambda task: timezone.now() if task.completed else None)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return super()._build(model_class, *args, **_with_derived(kwargs))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Numbered like a service's write (tasks.changes): the sync feed lists it."""
        kwargs = _with_derived(kwargs)
        if "change_seq" not in kwargs:
            kwargs["change_seq"] = take_change_numbers(kwargs["user"].pk)
        return super()._create(model_class, *args, **kwargs)


def _with_derived(fields: dict) -> dict:
    sources = {name: fields.get(name) for name in ("title", "description", "tags")}
    return {**derived_columns(**{**sources, "tags": sources["tags"] or []}), **fields}
