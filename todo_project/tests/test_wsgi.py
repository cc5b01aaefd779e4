"""todo_project/wsgi.py: the start-up's objects are frozen out of the garbage collector's walks,
after every view module is imported (a fresh interpreter, as a server worker starts)."""

import json
import subprocess
import sys

from testing.live_server import BASE_DIR

PROBE = """
import gc, json, sys
import todo_project.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_loaded": "tasks.views" in sys.modules and "chat.views" in sys.modules,
}))
"""


def test_loading_the_wsgi_app_freezes_what_start_up_made_views_included():
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "todo_project.settings", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(done.stdout.splitlines()[-1])

    assert probe["views_loaded"] is True
    assert probe["frozen"] > 100_000  # Django, DRF, the MCP SDK, the Agents SDK...
    assert probe["tracked"] < probe["frozen"] / 100  # what a full collection still walks
