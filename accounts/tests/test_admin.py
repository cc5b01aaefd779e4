"""The user admin: email-based, task counts, password states, deactivation that the API honours."""

import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from accounts.factories import UserFactory
from accounts.models import User
from tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


def lazy_user(user_id: str | None = None, **fields) -> User:
    """A user as the API creates one from a token: no password, maybe no email."""
    user_id = user_id or str(uuid.uuid4())
    return User.objects.create(id=user_id, password=make_password(None), **fields)


def test_user_changelist_shows_email_name_flags_and_task_count(admin_client):
    alice = UserFactory(email="alice@example.com", name="Alice Liddell")
    TaskFactory.create_batch(3, user=alice)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == alice.pk)
    assert row.task_count == 3
    html = response.content.decode()
    assert "alice@example.com" in html
    assert "Alice Liddell" in html
    assert f"?user__id__exact={alice.pk}" in html
    assert "username" not in html.lower()


def test_user_changelist_search_by_email_and_name(admin_client):
    UserFactory(email="alice@example.com", name="Alice")
    UserFactory(email="bob@example.com", name="Robert")

    by_email = admin_client.get(CHANGELIST, {"q": "alice@"})
    by_name = admin_client.get(CHANGELIST, {"q": "robert"})

    assert [u.email for u in by_email.context["cl"].result_list] == ["alice@example.com"]
    assert [u.email for u in by_name.context["cl"].result_list] == ["bob@example.com"]


def test_user_changelist_search_by_the_users_id(admin_client):
    ba = lazy_user("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", name="Better Auth")
    uuid_user = lazy_user(name="Uuid")
    lazy_user("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aGx", name="Longer id")  # not a prefix search

    by_id = admin_client.get(CHANGELIST, {"q": ba.pk})
    by_uuid = admin_client.get(CHANGELIST, {"q": uuid_user.pk.upper()})

    assert [u.pk for u in by_id.context["cl"].result_list] == [ba.pk]
    assert [u.pk for u in by_uuid.context["cl"].result_list] == [uuid_user.pk]


def test_a_user_with_any_id_has_a_working_change_page_and_tasks_link(admin_client):
    user = lazy_user("auth0|5f7c8ec7c33c6c004bbafe82", email="auth0@example.com")
    TaskFactory(user=user, title="From Auth0")

    changelist = admin_client.get(CHANGELIST).content.decode()
    change = admin_client.get(f"{CHANGELIST}auth0|5f7c8ec7c33c6c004bbafe82/change/")
    tasks = admin_client.get("/admin/tasks/task/", {"user__id__exact": user.pk})

    assert "?user__id__exact=auth0%7C5f7c8ec7c33c6c004bbafe82" in changelist
    assert change.status_code == 200 and "auth0|5f7c8ec7c33c6c004bbafe82" in change.text
    assert [t.title for t in tasks.context["cl"].result_list] == ["From Auth0"]


def test_user_changelist_filters_users_without_password(admin_client):
    UserFactory(email="withpw@example.com")
    lazy = lazy_user(name="Token Only")

    response = admin_client.get(CHANGELIST, {"has_password": "no"})

    assert [u.pk for u in response.context["cl"].result_list] == [lazy.pk]
    assert "(none)" in response.content.decode()  # no email


def test_lazy_user_change_page_says_no_password(admin_client):
    lazy = lazy_user(email="lazy@example.com")

    response = admin_client.get(f"{CHANGELIST}{lazy.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "No password set." in html
    assert "Set password" in html


def test_user_change_page_links_to_the_users_tasks(admin_client):
    alice = UserFactory(email="alice@example.com")
    TaskFactory.create_batch(2, user=alice, title="Alice's task")
    TaskFactory(title="Someone else's task")

    page = admin_client.get(f"{CHANGELIST}{alice.pk}/change/").content.decode()
    link = f"/admin/tasks/task/?user__id__exact={alice.pk}"
    tasks = admin_client.get(link)

    assert "View this user’s 2 task(s)" in page
    assert f'href="{link}"' in page
    assert [t.title for t in tasks.context["cl"].result_list] == ["Alice's task"] * 2


def test_admin_adds_a_user_by_email_with_a_password(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "New.Person@Example.com",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-Long-enough-passw0rd",
            "password2": "a-Long-enough-passw0rd",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.name == "New Person"
    assert user.check_password("a-Long-enough-passw0rd")


def test_admin_adds_a_user_without_a_password(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/", {"email": "nopw@example.com", "usable_password": "false"}
    )

    assert response.status_code == 302
    assert User.objects.get(email="nopw@example.com").has_usable_password() is False


def test_admin_refuses_an_email_taken_in_another_case(admin_client):
    UserFactory(email="taken@example.com")

    response = admin_client.post(
        f"{CHANGELIST}add/", {"email": "TAKEN@example.com", "usable_password": "false"}
    )

    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_admin_password_change_form_sets_a_password(admin_client):
    lazy = lazy_user(email="lazy@example.com")
    url = f"{CHANGELIST}{lazy.pk}/password/"

    form = admin_client.get(url)
    response = admin_client.post(
        url,
        {"password1": "Brand-new-passw0rd", "password2": "Brand-new-passw0rd"},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    lazy.refresh_from_db()
    assert lazy.check_password("Brand-new-passw0rd")


def test_deactivating_in_the_admin_disables_the_users_next_api_request(admin_client, client_for):
    lazy = lazy_user(email="lazy@example.com", name="Lazy")
    api = client_for(lazy)
    assert api.get("/api/tasks").status_code == 200

    response = admin_client.post(
        f"{CHANGELIST}{lazy.pk}/change/", {"email": "lazy@example.com", "name": "Lazy"}
    )  # is_active unchecked

    assert response.status_code == 302
    lazy.refresh_from_db()
    assert lazy.is_active is False
    denied = api.get("/api/tasks")
    assert denied.status_code == 401
    assert denied.json()["error"]["code"] == "ACCOUNT_DISABLED"


def test_deactivate_action_spares_the_acting_admin(admin_client, admin_user):
    others = UserFactory.create_batch(2)
    ids = [u.pk for u in others] + [admin_user.pk]

    admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": ids})

    inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))
    assert inactive == {u.pk for u in others}
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_activate_action_reactivates_users(admin_client):
    gone = UserFactory(is_active=False)

    admin_client.post(CHANGELIST, {"action": "activate", "_selected_action": [gone.pk]})

    gone.refresh_from_db()
    assert gone.is_active is True


def test_admin_is_for_staff_only(client: Client):
    member = UserFactory(is_staff=False)
    client.force_login(member)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_signs_in_to_the_admin_with_email_and_password(client: Client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)

    client.post(
        "/admin/login/?next=/admin/",
        {"username": "Staff@Example.com", "password": "password"},
    )

    assert client.get(CHANGELIST).status_code == 200
