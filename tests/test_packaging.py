"""The installed package carries what it needs: templates, email templates, the console script.

CI installs the package (`pip install ".[test]"`) and runs pytest against that installed copy,
so these tests check the real wheel there. From a source checkout they check the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import IN_CI, REPO

import mentordocs
from mentordocs import __version__
from mentordocs.forms import FORM_IDS, templates_dir

PACKAGE = Path(mentordocs.__file__).resolve().parent
INSTALLED = PACKAGE.parent != REPO


def test_ci_tests_the_installed_package_not_the_checkout():
    if IN_CI:
        assert INSTALLED, f"CI imported mentordocs from the checkout ({PACKAGE})"


def test_every_form_and_email_template_ships():
    folder = templates_dir()
    if INSTALLED:
        assert folder == PACKAGE / "templates"
    for form in FORM_IDS:
        assert (folder / f"{form}.docx").is_file()
        assert (folder / f"{form}.json").is_file()
    for name in ("packet.txt", "packet.html", "reminder.txt", "reminder.html"):
        assert (folder / "email" / name).is_file(), name


def test_console_script_runs():
    script = shutil.which("mentordocs", path=str(Path(sys.executable).parent))
    if script is None:
        assert not INSTALLED, "the package is installed but has no 'mentordocs' command"
        return
    completed = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert __version__ in completed.stdout
