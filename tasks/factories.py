"""Test and seed data: tasks."""

import factory
from factory.django import DjangoModelFactory

from accounts.factories import UserFactory

from .models import Task


class TaskFactory(DjangoModelFactory):
    """A task with Faker text, owned by a new user unless one is given."""

    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=4)
    description = factory.Faker("paragraph")
    completed = False
