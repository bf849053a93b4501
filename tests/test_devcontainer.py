"""scripts/devcontainer_check.py: the lab's devcontainer.json passes, and each kind of mistake
it is there to catch is reported."""
import json
import os
import subprocess
import sys

import pytest

import nblab

CHECK = os.path.join(nblab.ROOT, "scripts", "devcontainer_check.py")
REAL = os.path.join(nblab.ROOT, ".devcontainer", "devcontainer.json")


def run(path, *flags):
    return subprocess.run([sys.executable, CHECK, *flags, path], capture_output=True, text=True)


def test_the_labs_devcontainer_is_valid():
    r = run(REAL)
    assert r.returncode == 0, r.stderr
    lifecycle = run(REAL, "--commands").stdout.splitlines()
    assert [line.split("\t")[0] for line in lifecycle][:2] == ["onCreateCommand", "updateContentCommand"]


def write(tmp_path, text):
    (tmp_path / "scripts").mkdir(exist_ok=True)
    (tmp_path / "scripts" / "devcontainer.sh").write_text("")
    (tmp_path / ".devcontainer").mkdir(exist_ok=True)
    path = tmp_path / ".devcontainer" / "devcontainer.json"
    path.write_text(text)
    return str(path)


GOOD = {"name": "x", "image": "img", "postAttachCommand": "bash scripts/devcontainer.sh lab",
        "forwardPorts": [8888], "portsAttributes": {"8888": {"label": "JupyterLab", "onAutoForward": "openBrowser"}}}


def test_comments_and_trailing_commas_are_jsonc(tmp_path):
    text = '{\n// a comment\n"name": "a // not a comment", /* block */ "image": "img",\n}'
    assert run(write(tmp_path, text)).returncode == 0


@pytest.mark.parametrize("change, says", [
    ({"forwardPorts": ["8888"]}, "not a port number"),
    ({"postAttachCommand": "bash scripts/missing.sh"}, "does not exist"),
    ({"portsAttributes": {"8888": {"onAutoForward": "popup"}}}, "onAutoForward"),
    ({"hostRequirements": {"cpus": "four"}}, "cpus"),
    ({"onCreateCommand": 3}, "onCreateCommand"),
    ({"features": {"python": {}}}, "registry/path:major"),
])
def test_mistakes_are_reported(tmp_path, change, says):
    r = run(write(tmp_path, json.dumps({**GOOD, **change})))
    assert r.returncode != 0 and says in r.stderr, r.stderr


def test_broken_json_is_a_clear_error(tmp_path):
    r = run(write(tmp_path, '{"name": "x",, }'))
    assert r.returncode != 0 and "not valid JSONC" in r.stderr
