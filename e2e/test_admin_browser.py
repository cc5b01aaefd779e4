"""The Django admin in a real browser, served as in production (DEBUG off, WhiteNoise)."""

import re

import pytest

from e2e.conftest import STAFF_EMAIL, STAFF_PASSWORD, TASKS_PER_USER, USERS

CHANGELIST = "/admin/tasks/task/"


@pytest.fixture(scope="module")
def staff_session(browser, e2e_server):
    """Cookies of a staff user who signed in through the admin's login form (once per module)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{e2e_server.base_url}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", STAFF_EMAIL)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def staff_page(browser, staff_session):
    """A page signed in to the admin, with every response it receives recorded."""
    context = browser.new_context(storage_state=staff_session)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.responses = []
    page.on("response", lambda response: page.responses.append(response))
    yield page
    context.close()


def test_staff_signs_in_and_the_admin_css_is_applied(staff_page, e2e_server):
    page = staff_page
    page.goto(f"{e2e_server.base_url}/admin/")

    assert page.inner_text("#site-name") == "Todo API administration"
    header_bg = page.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor")
    assert header_bg not in ("", "rgba(0, 0, 0, 0)", "transparent")
    css = [r for r in page.responses if r.request.resource_type == "stylesheet"]
    assert css and all(r.status == 200 for r in css)
    # Collected and fingerprinted by the manifest storage, served by WhiteNoise.
    assert any(re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css$", r.url) for r in css)
    assert all(r.url.startswith(e2e_server.base_url) for r in page.responses)


def test_task_changelist_shows_the_seeded_tasks(staff_page, e2e_server):
    page = staff_page
    page.goto(f"{e2e_server.base_url}{CHANGELIST}")

    titles = page.locator("#result_list tbody th a").all_inner_texts()
    seeded = {t for (t,) in e2e_server.db.query("SELECT title FROM tasks_task")}
    assert len(titles) >= USERS * TASKS_PER_USER
    assert set(titles) >= seeded
    assert page.locator("#result_list td.field-owner_email", has_text="demo1@example.com").count()


def test_task_search_by_owner_email(staff_page, e2e_server):
    page = staff_page
    page.goto(f"{e2e_server.base_url}{CHANGELIST}")

    page.fill("#searchbar", "demo2@example.com")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"\?q=demo2"))

    owners = page.locator("#result_list td.field-owner_email").all_inner_texts()
    [(expected,)] = e2e_server.db.query(
        "SELECT COUNT(*) FROM tasks_task t JOIN accounts_user u ON u.id = t.user_id "
        "WHERE u.email = %s",
        ("demo2@example.com",),
    )
    assert len(owners) == expected == TASKS_PER_USER
    assert set(owners) == {"demo2@example.com"}


def test_task_completed_filter(staff_page, e2e_server):
    page = staff_page
    page.goto(f"{e2e_server.base_url}{CHANGELIST}")

    page.click("#changelist-filter a[href*='completed__exact=1']")
    page.wait_for_url(re.compile(r"completed__exact=1"))

    icons = page.locator("#result_list td.field-completed img").all()
    [(expected,)] = e2e_server.db.query(
        "SELECT COUNT(*) FROM tasks_task WHERE completed = %s", (True,)
    )
    assert expected > 0
    assert len(icons) == expected
    assert {icon.get_attribute("alt") for icon in icons} == {"True"}


def test_mark_completed_action_changes_the_database(staff_page, e2e_server):
    page = staff_page
    page.goto(f"{e2e_server.base_url}{CHANGELIST}?completed__exact=0")
    boxes = page.locator("#result_list input.action-select").all()[:2]
    ids = [int(box.get_attribute("value")) for box in boxes]

    for box in boxes:
        box.check()
    page.select_option("select[name=action]", "mark_completed")
    page.click("button[name=index]")

    page.wait_for_selector("ul.messagelist li.success")
    assert "2 task(s) marked as completed." in page.inner_text("ul.messagelist")
    stored = e2e_server.db.query(
        "SELECT completed FROM tasks_task WHERE id IN (%s, %s)", tuple(ids)
    )
    assert [bool(completed) for (completed,) in stored] == [True, True]
