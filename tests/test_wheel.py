"""Acceptance: a built wheel, installed outside the checkout, runs the README's first hour.

The wheel is built with pip from a copy of the source tree and installed (without
dependencies) into a fresh virtual environment whose dependencies come from the
environment running the tests (a .pth file names its site-packages), so no network
is needed. Everything then runs in an empty folder, with no checkout in sight.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from test_datasette import wait_for
from test_mail import free_port

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "state", "digests", "build", "*.egg-info",
                                  "__pycache__", ".pytest_cache", "tests", "benchmarks")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                            "-q", "-w", str(tmp / "dist")], capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp / "dist").glob("policy_monitor-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # dependencies from the running environment, as a plain path: its .pth files (the
    # checkout's editable install among them) are not read
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "--no-deps", "-q", str(wheel)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(source)  # nothing of the checkout is left to fall back on
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POLICY_MONITOR_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = tmp / "empty"
    work.mkdir()
    return {"venv": venv, "python": python, "env": env, "work": work}


def run(installed: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=installed["work"], env=installed["env"],
                          capture_output=True, text=True, timeout=timeout)


def test_the_package_runs_from_the_wheel_not_the_checkout(installed):
    where = run(installed, str(installed["python"]), "-c", "import monitor; print(monitor.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed["venv"])
    assert shutil.which("policy-monitor", path=installed["env"]["PATH"]).startswith(
        str(installed["venv"]))


def test_init_sources_demo_and_datasette_from_an_empty_folder(installed):
    work = installed["work"]
    init = run(installed, "policy-monitor", "init")
    assert init.returncode == 0, init.stderr
    assert (work / "feeds" / "dhs.toml").is_file() and (work / "policy-monitor.toml").is_file()
    sources = run(installed, "policy-monitor", "sources")
    assert sources.returncode == 0, sources.stderr
    assert "dhs-news" in sources.stdout and "uscis-news" in sources.stdout

    demo = run(installed, "policy-monitor", "demo", "--port", str(free_port()))
    assert demo.returncode == 0, demo.stderr
    assert "Digest:   state/demo-digests/" in demo.stdout
    assert "policy-monitor --db state/demo.db datasette" in demo.stdout  # what it tells you

    port = free_port()  # the README's command, on a free port
    proc = subprocess.Popen(["policy-monitor", "datasette", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=work, env=installed["env"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}", proc)
        url = f"http://127.0.0.1:{port}/monitor/documents.json?_search=H-2B&_shape=array"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert json.load(response) == []  # searched, no syntax error
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/monitor/reversals.json"
                                    "?_shape=array", timeout=5) as response:
            assert isinstance(json.load(response), list)  # the packaged canned queries
    finally:
        proc.terminate()
        proc.wait(timeout=10)
