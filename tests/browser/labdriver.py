"""Drive the course's notebooks in JupyterLab in headless Chromium, as a learner would.

Two parts, both bounded in time:

* :class:`JupyterLabServer` starts JupyterLab from the project's environment on loopback, on a free port,
  with a random token and in smoke mode, serving a *copy* of the notebooks (autosave never touches the
  committed ones), and always shuts it down, kernels included.
* :class:`LabNotebook` opens a notebook in a Playwright page, runs its cells from the *Run* menu (all of
  them, or those up to the widget's cell) and waits for a widget by its ``ganlib-…`` CSS class (see
  ``ganlib/widgets/``). When the widget does not appear it says why: the widget front end is missing
  (``Loading widget…``, a plain-text repr), a cell raised, or time ran out.

Nothing here downloads anything: the browser is Debian's Chromium, passed to Playwright by path.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"

#: JupyterLab settings for a quiet, predictable page: no news or update toasts over the widgets.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

WIDGET_HINT = "is jupyterlab_widgets installed, and does its version match ipywidgets?"


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium (or ``$GANLIB_CHROMIUM``), or ``None`` when there is none."""
    configured = os.environ.get("GANLIB_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLabServer:
    """JupyterLab on ``127.0.0.1:<free port>`` with a random token, serving a temporary copy of the notebooks.

    Kernels inherit ``GANLIB_SMOKE=1``, ``GANLIB_OFFLINE=1`` and a temporary ``GANLIB_DATA_DIR``. Use as a
    context manager, or call :meth:`start` and :meth:`stop` (which is safe to call twice).
    """

    def __init__(self, workdir: Path, start_timeout: float = 120.0):
        self.workdir = Path(workdir)
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.root = self.workdir / "notebooks"
        self.log_path = self.workdir / "jupyterlab.log"
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, query: str = "") -> str:
        """Return the address of ``path`` (e.g. ``lab/tree/x.ipynb``) with the token (and ``query``)."""
        return f"{self.base_url}/{path.lstrip('/')}?{query + '&' if query else ''}token={self.token}"

    def _environment(self) -> dict:
        env = dict(os.environ)
        home = self.workdir / "home"
        settings = self.workdir / "lab-settings"
        for name, value in LAB_SETTINGS.items():
            target = settings / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value))
        env.update(
            GANLIB_SMOKE="1",
            GANLIB_OFFLINE="1",
            GANLIB_DATA_DIR=str(self.workdir / "data"),
            TF_CPP_MIN_LOG_LEVEL="2",
            # the user's own Jupyter configuration and state stay out of the test, and the test out of them
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            IPYTHONDIR=str(home / "ipython"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> JupyterLabServer:
        shutil.copytree(NOTEBOOKS, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self._log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() can end all of it
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode} while starting.\n{self.log_tail()}"
                )
            try:
                self.api("GET", "api/status", timeout=2)
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {self.start_timeout:.0f} s.\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 10.0):
        """Call the server's REST API; return the decoded JSON (or ``None``)."""
        request = urllib.request.Request(
            f"{self.base_url}/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every notebook session and kernel (between tests: each lesson keeps TensorFlow in memory)."""
        try:
            for session in self.api("GET", "api/sessions"):
                self.api("DELETE", f"api/sessions/{session['id']}", timeout=30)
            for kernel in self.api("GET", "api/kernels"):
                self.api("DELETE", f"api/kernels/{kernel['id']}", timeout=30)
        except (OSError, urllib.error.URLError):
            pass

    def stop(self) -> None:
        """Shut JupyterLab down: politely (its kernels with it), then by signal to its process group."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                self.shutdown_kernels()
                self.api("POST", "api/shutdown", timeout=10)
                process.wait(timeout=20)
            except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                pass
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                if process.poll() is not None:
                    break
                try:
                    os.killpg(process.pid, sig)
                    process.wait(timeout=wait)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """End JupyterLab's process group at once (the session watchdog's last resort); kernels follow their
        parent out."""
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no JupyterLab log)"
        return "JupyterLab log (last lines):\n" + "\n".join(text[-lines:])

    def __enter__(self) -> JupyterLabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# What every code cell's prompt and outputs say, read in the page in one go.
_NOTEBOOK_STATE_JS = """
() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return null;
    const cells = [...panel.querySelectorAll('.jp-Cell.jp-CodeCell')];
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return {
        prompts: cells.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || ''),
        errors: [...panel.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.innerText).filter(t => /Traceback \\(most recent call last\\)/.test(t)),
        kernel: status ? (status.getAttribute('data-status') || '') : '',
    };
}
"""

# Signs that the widget front end is missing or broken, as JupyterLab shows them in a cell's output.
# The first such output is scrolled into view, so that the failure screenshot shows it.
_WIDGET_TROUBLE_JS = """
() => {
    const trouble = /Loading widget|Error displaying widget|Failed to load model|^(VBox|HBox|Box|Tab)\\(/;
    const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
        .filter(e => trouble.test(e.innerText.trim()));
    if (outputs.length) outputs[0].scrollIntoView({block: 'center'});
    return outputs.map(e => e.innerText.trim().slice(0, 200));
}
"""


class WidgetDidNotRender(AssertionError):
    """The widget's ``ganlib-…`` element never appeared in the page."""


class LabNotebook:
    """A notebook open in JupyterLab in a Playwright ``page``."""

    def __init__(self, page, server: JupyterLabServer, name: str):
        self.page = page
        self.server = server
        self.name = name
        self.last_cell = None  # the last code cell asked to run (None: all of them)

    def open(self, timeout: float = 120.0) -> LabNotebook:
        """Open the notebook; wait until all its cells are shown and its kernel is connected and idle."""
        cells = json.loads((self.server.root / self.name).read_text())["cells"]
        code_cells = sum(c["cell_type"] == "code" for c in cells)
        # `reset`: a fresh workspace, so the notebooks of earlier tests are not reopened with it
        self.page.goto(self.server.url(f"lab/tree/{self.name}", query="reset"), timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # should JupyterLab ask for a kernel, take the one it proposes (Python 3), as a learner would
            select = self.page.locator(".jp-Dialog .jp-mod-accept", has_text="Select")
            if select.count():
                select.first.click()
            kernels = self.kernels() or []
            connected = any(k.get("connections", 0) >= 1 and k["execution_state"] == "idle" for k in kernels)
            if connected and len(self.state()["prompts"]) == code_cells:
                if self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
                    return self
            time.sleep(0.5)
        raise AssertionError(
            f"{self.name} did not open in JupyterLab with a connected, idle kernel within {timeout:.0f} s.\n"
            f"{self.server.log_tail()}"
        )

    def run_all(self, timeout: float = 60.0) -> None:
        """*Run* menu → *Run All Cells*, the way a learner runs a lesson; wait until the first cell runs."""
        self._run_from_menu("Run All Cells", timeout)
        self.last_cell = None

    def run_through(self, code_cell: int, timeout: float = 60.0) -> None:
        """Run code cells 0 … ``code_cell`` (and the markdown between them), the way a learner runs a lesson up
        to a widget: click the next code cell, then *Run* menu → *Run All Above Selected Cell*."""
        cells = self.page.locator(".jp-Notebook .jp-Cell.jp-CodeCell")
        if code_cell + 1 >= cells.count():
            self.run_all(timeout)
            return
        self._run_from_menu("Run All Above Selected Cell", timeout,
                            select=cells.nth(code_cell + 1).locator(".jp-InputPrompt"))
        self.last_cell = code_cell

    def _run_from_menu(self, item: str, timeout: float, select=None) -> None:
        """Click ``select`` (when given), then *Run* menu → ``item``; wait until a cell runs (one more try)."""
        for _attempt in range(2):
            if select is not None:
                select.click()
            self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            self.page.locator(".lm-Menu-itemLabel", has_text=item).first.click()
            deadline = time.monotonic() + timeout / 2
            while time.monotonic() < deadline:
                if any(p.strip() not in ("", "[ ]:") for p in self.state()["prompts"]):
                    return
                time.sleep(0.5)
        raise AssertionError(f"Run → {item} did not start {self.name} within {timeout:.0f} s.")

    def wait_until_idle(self, timeout: float) -> None:
        """Wait until no cell is queued or running and the kernel is idle (widget events run only then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = any("*" in p for p in self.state()["prompts"])
            kernels = self.kernels()
            if not busy and kernels is not None and all(k["execution_state"] == "idle" for k in kernels):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name} was still running {timeout:.0f} s after its widget appeared.")

    def kernels(self) -> list | None:
        """The server's kernels, or ``None`` when it cannot list them this moment: Jupyter Server answers 500
        while a kernel is half started (listed, but without its state yet); the callers poll again."""
        try:
            return self.server.api("GET", "api/kernels")
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                return None
            raise

    def state(self) -> dict:
        return self.page.evaluate(_NOTEBOOK_STATE_JS) or {"prompts": [], "errors": [], "kernel": ""}

    def wait_for_widget(self, css_class: str, what: str, timeout: float):
        """Wait until the element with ``css_class`` is visible; return its locator.

        Fails with :class:`WidgetDidNotRender` saying why: a cell raised, the notebook finished without
        the widget (the front end is missing), or ``timeout`` seconds passed.
        """
        locator = self.page.locator(f".{css_class}").first
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        finished_since = None
        while time.monotonic() < deadline:
            if locator.is_visible():
                return locator
            state = self.state()
            if state["errors"]:
                raise WidgetDidNotRender(
                    f"The {what} did not render in JupyterLab: a cell of {self.name} raised:\n"
                    + "\n".join(e[-1500:] for e in state["errors"])
                )
            prompts = state["prompts"][: None if self.last_cell is None else self.last_cell + 1]
            busy = any("*" in p for p in prompts)
            done = prompts and not busy and all(any(ch.isdigit() for ch in p) for p in prompts)
            if done and finished_since is None:
                finished_since = time.monotonic()
            # every cell ran: give the front end a few seconds to draw, then say what is shown instead
            if finished_since is not None and time.monotonic() - finished_since > 15:
                break
            time.sleep(0.5)
        trouble = self.page.evaluate(_WIDGET_TROUBLE_JS)
        seconds = time.monotonic() - started
        raise WidgetDidNotRender(
            f"The {what} widget did not render in JupyterLab within {seconds:.0f} s ({WIDGET_HINT}). "
            + (
                f"{self.name} ran {'all its cells' if self.last_cell is None else f'code cells 0–{self.last_cell}'}; "
                f"the widget's output shows: {trouble}"
                if trouble
                else f"No .{css_class} element in {self.name}; cell prompts: {self.state()['prompts']}"
            )
        )


def code_cell_index(name: str, marker: str, root: Path = NOTEBOOKS) -> int:
    """The index, among the code cells of notebook ``name``, of the first one whose source holds ``marker``."""
    cells = [c for c in json.loads((root / name).read_text())["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(cells):
        if marker in "".join(cell["source"]):
            return index
    raise AssertionError(f"No code cell of {name} holds {marker!r}: the test must name the cell that shows its widget.")


def open_and_run(page, server: JupyterLabServer, name: str, css_class: str, what: str, timeout: float,
                 through: str | None = None):
    """Open notebook ``name``, run its cells (all, or up to the first code cell whose source holds ``through``),
    wait for the widget ``.css_class`` and for the kernel to be idle; return ``(notebook, widget)``. Fails the
    test with the reason when the widget does not render."""
    import pytest

    notebook = LabNotebook(page, server, name).open()
    if through is None:
        notebook.run_all()
    else:
        notebook.run_through(code_cell_index(name, through, server.root))
    try:
        widget, failure = notebook.wait_for_widget(css_class, what, timeout=timeout), None
    except WidgetDidNotRender as error:
        widget, failure = None, str(error)
    if failure:  # outside the `except`: the report shows the reason alone, not a chained traceback
        pytest.fail(failure, pytrace=False)
    notebook.wait_until_idle(timeout=timeout)
    widget.scroll_into_view_if_needed()
    return notebook, widget


def screenshot_dir() -> Path:
    """Where the suite saves screenshots: ``$GANLIB_SCREENSHOT_DIR``, or a fresh temporary folder."""
    configured = os.environ.get("GANLIB_SCREENSHOT_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix="ganlib-browser-"))
