"""Checks .devcontainer/devcontainer.json without Docker: it is JSON with comments (JSONC) and
every property the lab uses has the type and shape the dev container specification gives it
(containers.dev/implementors/json_reference). With --commands it prints the lifecycle
commands, in the order a container runs them, as "name<TAB>command" lines.

The official JSON schema is in no package the lab's registries serve, so the shapes below are
written from the reference; where a copy of the schema is at hand (LAB_DEVCONTAINER_SCHEMA, a
path) and the jsonschema package is installed, the file is validated against it as well."""
import json
import os
import re
import sys

LIFECYCLE = ["onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand", "postAttachCommand"]
ON_AUTO_FORWARD = {"notify", "openBrowser", "openBrowserOnce", "openPreview", "silent", "ignore"}


def parse_jsonc(text):
    """JSON with // and /* */ comments and trailing commas, as the spec allows."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        else:
            out.append(c)
            i += 1
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", "".join(out)))


def problems(cfg, root):
    bad = []

    def want(cond, msg):
        if not cond:
            bad.append(msg)

    want(isinstance(cfg.get("name"), str), "name: a string")
    want(isinstance(cfg.get("image"), str) and cfg["image"], "image: a non-empty string (the lab uses an image, not a Dockerfile)")
    for ref, opts in cfg.get("features", {}).items():
        want(re.match(r"^[a-z0-9.-]+/[\w./-]+:\d+$", ref) is not None, f"features: {ref!r} is not registry/path:major")
        want(isinstance(opts, dict), f"features[{ref!r}]: an object of options")
    hr = cfg.get("hostRequirements", {})
    want(set(hr) <= {"cpus", "memory", "storage", "gpu"}, f"hostRequirements: unknown keys {sorted(set(hr) - {'cpus', 'memory', 'storage', 'gpu'})}")
    want(isinstance(hr.get("cpus", 1), int) and hr.get("cpus", 1) >= 1, "hostRequirements.cpus: an integer >= 1")
    for key in ("memory", "storage"):
        if key in hr:
            want(re.match(r"^\d+([tgmk]b)?$", str(hr[key])) is not None, f"hostRequirements.{key}: like '8gb'")
    for name in LIFECYCLE:
        cmd = cfg.get(name)
        if cmd is None:
            continue
        ok = isinstance(cmd, str) or (isinstance(cmd, list) and all(isinstance(a, str) for a in cmd)) or (
            isinstance(cmd, dict) and all(isinstance(v, (str, list)) for v in cmd.values()))
        want(ok, f"{name}: a string, an array of strings or an object of those")
        for script in re.findall(r"\bscripts/[\w.-]+", json.dumps(cmd)):
            want(os.path.isfile(os.path.join(root, script)), f"{name}: names {script}, which does not exist")
    for port in cfg.get("forwardPorts", []):
        want(isinstance(port, int) and 0 < port < 65536, f"forwardPorts: {port!r} is not a port number")
    for port, attrs in cfg.get("portsAttributes", {}).items():
        want(re.match(r"^\d+(-\d+)?$", port) is not None, f"portsAttributes: {port!r} is not a port or range")
        want(attrs.get("onAutoForward", "notify") in ON_AUTO_FORWARD, f"portsAttributes[{port}].onAutoForward: one of {sorted(ON_AUTO_FORWARD)}")
        want(isinstance(attrs.get("label", ""), str), f"portsAttributes[{port}].label: a string")
    want(all(isinstance(v, str) for v in cfg.get("containerEnv", {}).values()), "containerEnv: string values")
    cs = cfg.get("customizations", {})
    want(all(isinstance(e, str) for e in cs.get("vscode", {}).get("extensions", [])), "customizations.vscode.extensions: strings")
    for f in cs.get("codespaces", {}).get("openFiles", []):
        want(os.path.isfile(os.path.join(root, f)), f"customizations.codespaces.openFiles: {f} does not exist")
    return bad


def main(argv):
    commands = "--commands" in argv
    path = [a for a in argv if not a.startswith("--")][0]
    root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    try:
        cfg = parse_jsonc(open(path).read())
    except (ValueError, IndexError) as e:
        sys.exit(f"devcontainer: {path} is not valid JSONC: {e}")
    if commands:
        for name in LIFECYCLE:
            cmd = cfg.get(name)
            if isinstance(cmd, list):
                cmd = " ".join(cmd)
            elif isinstance(cmd, dict):
                cmd = " && ".join(v if isinstance(v, str) else " ".join(v) for v in cmd.values())
            if cmd:
                print(f"{name}\t{cmd}")
        return
    bad = problems(cfg, root)
    schema = os.environ.get("LAB_DEVCONTAINER_SCHEMA")
    if schema:
        import jsonschema  # noqa: PLC0415 - only with a schema copy at hand
        bad += [f"schema: {e.message}" for e in jsonschema.Draft7Validator(json.load(open(schema))).iter_errors(cfg)]
    if bad:
        sys.exit("devcontainer: " + path + ":\n  " + "\n  ".join(bad))
    print(f"devcontainer: {path} is valid ({'against ' + schema if schema else 'the spec reference shapes'}); "
          f"lifecycle: {', '.join(n for n in LIFECYCLE if n in cfg)}")


if __name__ == "__main__":
    main(sys.argv[1:])
