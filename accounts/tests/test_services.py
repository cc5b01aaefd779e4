"""user_get_or_create_from_sub: lazy users from a verified token's claims, and later tokens'
profile changes."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from accounts.models import User
from accounts.services import user_get_or_create_from_sub

pytestmark = pytest.mark.django_db


def test_creates_the_user_with_the_tokens_id_email_and_name(new_user_id):
    user = user_get_or_create_from_sub(user_id=new_user_id, email="Ada@Example.com", name="Ada")

    stored = User.objects.get()
    assert stored == user
    assert (stored.pk, stored.email, stored.name) == (new_user_id, "ada@example.com", "Ada")
    assert stored.is_active is True
    assert (stored.is_staff, stored.is_superuser) == (False, False)


def test_a_created_user_has_no_usable_password(new_user_id):
    user = user_get_or_create_from_sub(user_id=new_user_id)

    user.refresh_from_db()
    assert user.has_usable_password() is False


def test_without_claims_the_user_has_no_email_and_an_empty_name(new_user_id):
    user = user_get_or_create_from_sub(user_id=new_user_id)

    assert (user.email, user.name) == (None, "")


def test_a_token_without_email_or_name_changes_nothing(user):
    before = (user.email, user.name, user.password)

    found = user_get_or_create_from_sub(user_id=user.pk)

    assert found == user
    user.refresh_from_db()
    assert (user.email, user.name, user.password) == before
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "claims",
    [{}, {"email": "SAME@example.com", "name": "Same"}, {"email": "same@example.com"}],
    ids=["none", "email-in-another-case", "email-only"],
)
def test_an_existing_user_whose_claims_match_costs_one_query_and_no_write(claims):
    user = UserFactory(email="same@example.com", name="Same")

    with CaptureQueriesContext(connection) as queries:
        found = user_get_or_create_from_sub(user_id=user.pk, **claims)

    assert [q["sql"].split()[0] for q in queries] == ["SELECT"]
    assert (found.email, found.name) == ("same@example.com", "Same")


def test_a_later_token_with_another_email_and_name_updates_them_in_one_write(user):
    with CaptureQueriesContext(connection) as queries:
        found = user_get_or_create_from_sub(user_id=user.pk, email="New@Example.com", name="New")

    statements = [q["sql"].split()[0] for q in queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["SELECT", "UPDATE"]
    assert (found.email, found.name) == ("new@example.com", "New")
    user.refresh_from_db()
    assert (user.email, user.name) == ("new@example.com", "New")


def test_a_second_call_finds_the_first_ones_user_and_takes_its_new_email(new_user_id):
    first = user_get_or_create_from_sub(user_id=new_user_id, email="a@example.com")
    second = user_get_or_create_from_sub(user_id=new_user_id, email="b@example.com")

    assert first.pk == second.pk
    assert User.objects.get().email == "b@example.com"


@pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@example.com"])
def test_a_later_email_another_user_has_is_never_taken_but_the_name_changes(user, taken):
    owner = UserFactory(email=taken)
    before = user.email

    found = user_get_or_create_from_sub(user_id=user.pk, email="Taken@Example.com", name="Renamed")

    assert (found.email, found.name) == (before, "Renamed")
    user.refresh_from_db()
    owner.refresh_from_db()
    assert (user.email, user.name) == (before, "Renamed")
    assert owner.email == taken


@pytest.mark.parametrize(
    ("email", "name"),
    [("not-an-email", None), (42, 42), (None, ["x"]), ("nul\x00@example.com", "nul\x00"),
     ("a" * 250 + "@example.com", None), (None, "lone \ud800")],
    ids=["not-an-email", "numbers", "list", "nul", "too-long", "lone-surrogate"],
)  # fmt: skip
def test_an_unusable_email_or_name_claim_changes_nothing(user, email, name):
    before = (user.email, user.name)

    user_get_or_create_from_sub(user_id=user.pk, email=email, name=name)

    user.refresh_from_db()
    assert (user.email, user.name) == before


def test_an_empty_name_claim_clears_the_name(user):
    user_get_or_create_from_sub(user_id=user.pk, name="")

    user.refresh_from_db()
    assert user.name == ""


def test_a_later_name_is_cut_to_the_field_length(user):
    user_get_or_create_from_sub(user_id=user.pk, name="m" * 500)

    user.refresh_from_db()
    assert user.name == "m" * 150


@pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@example.com"])
def test_an_email_taken_in_any_case_is_left_off(new_user_id, taken):
    owner = UserFactory(email=taken)

    user = user_get_or_create_from_sub(user_id=new_user_id, email="Taken@Example.com", name="Two")

    assert (user.pk, user.email, user.name) == (new_user_id, None, "Two")
    owner.refresh_from_db()
    assert owner.email == taken
    assert User.objects.count() == 2


@pytest.mark.parametrize(
    "email", ["not-an-email", "", "  ", 42, ["a@example.com"], "a" * 250 + "@example.com"]
)
def test_an_unusable_email_claim_is_left_off(new_user_id, email):
    user = user_get_or_create_from_sub(user_id=new_user_id, email=email)

    assert User.objects.get(pk=new_user_id).email is None
    assert user.email is None


def test_a_long_name_is_cut_to_the_field_length(new_user_id):
    user = user_get_or_create_from_sub(user_id=new_user_id, name="n" * 500)

    assert user.name == "n" * 150


@pytest.mark.parametrize("name", [42, None, ["x"], {"first": "x"}])
def test_a_name_that_is_not_a_string_is_left_empty(new_user_id, name):
    assert user_get_or_create_from_sub(user_id=new_user_id, name=name).name == ""


def test_an_inactive_user_is_returned_as_is(user):
    User.objects.filter(pk=user.pk).update(is_active=False)

    found = user_get_or_create_from_sub(user_id=user.pk)

    assert found.is_active is False
    assert User.objects.count() == 1


def test_lazy_users_without_email_do_not_collide():
    ids = [str(uuid.uuid4()) for _ in range(3)]

    for user_id in ids:
        user_get_or_create_from_sub(user_id=user_id)

    assert User.objects.filter(email__isnull=True).count() == 3
