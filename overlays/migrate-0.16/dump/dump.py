#!/usr/bin/env python3
"""
Step 1 of docs/upgrading-0.16.md, run by the Job beside this file: exports a running Stalwart 0.15 with
Stalwart's own resources/scripts/migrate_v016.py (v0.16.18), then makes the export fit 0.16 on Kubernetes.

    python3 dump.py                    dump, convert and rewrite, configured by the environment (below)
    python3 dump.py rewrite IN OUT     only the rewrite of an export made elsewhere (exit 1 on a problem)

1. The script is the file the user downloaded from the release tag, from a ConfigMap; its SHA-256 is checked,
   so that what runs is what this file was written against. Nothing is downloaded at run time.
2. The script imports `requests` and `urllib3`, which python:*-slim lacks. The few calls it makes (a Session
   with `verify`, `headers`, Basic `auth` and `request()`; a response's `status_code`, `ok`, `reason`, `text`
   and `json()`) are served here by the standard library, without following redirects.
3. `dump` signs in with the administrator from the environment (never on a command line), then `convert` with
   --patch-paths: this library's 0.15 kept RocksDB at /opt/stalwart/data, the root of the claim that 0.16 mounts
   at /var/lib/stalwart.
4. 0.16 expands no %{env:...}% macros. A store secret the converter copied as {"@type":"Value","secret":
   "%{env:X}%"} becomes {"@type":"EnvironmentVariable","variableName":"X"}, and %{file:P}% a File. Any other
   Value secret, or a macro left anywhere, stops here with the list (never the values); KEEP_VALUE_SECRETS=true
   keeps plain Value secrets, as 0.15 kept them in its database.
5. export.json, config.json and unmigrated.txt go to OUTPUT_DIR, readable by the owner and group only (account
   password hashes, DKIM keys); settings.json and principals.json stay in WORK_DIR, the pod's emptyDir.

Environment: STALWART_URL, STALWART_USER, STALWART_PASSWORD, MIGRATE_SCRIPT, MIGRATE_SCRIPT_SHA256 (empty: not
checked), PATCH_PATHS (SOURCE=DEST pairs, space-separated, the more specific first), WORK_DIR, OUTPUT_DIR,
KEEP_VALUE_SECRETS, ALLOW_INCOMPLETE_DUMP (true: go on although principals could not be read).
"""

import base64
import hashlib
import importlib.util
import json
import os
import re
import ssl
import sys
import types
import urllib.error
import urllib.parse
import urllib.request

_dumps = json.dumps
MACRO = re.compile(r"%\{(cfg|env|file):([^}]*)\}%")
WHOLE_ENV = re.compile(r"%\{env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}%")
WHOLE_FILE = re.compile(r"%\{file:\s*(/[^}]*?)\s*\}%")
# Principal types without which accounts, their groups, domains or lists would be missing from the export.
ESSENTIAL_TYPES = ("individual", "group", "domain", "list")


# --- requests and urllib3, as far as migrate_v016.py uses them -------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status_code, reason, body):
        self.status_code = status_code
        self.reason = reason
        self._body = body

    @property
    def ok(self):
        return self.status_code < 400

    @property
    def text(self):
        return self._body.decode("utf-8", errors="replace")

    def json(self):
        # json.JSONDecodeError is a ValueError, as requests' own is.
        return json.loads(self._body)


class Session:
    def __init__(self):
        self.verify = True
        self.headers = {}
        self.auth = None

    def request(self, method, url, params=None, json=None, timeout=None):
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        headers = dict(self.headers)
        data = None
        if json is not None:
            data = _dumps(json).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.auth is not None:
            user, password = self.auth
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        opener = urllib.request.build_opener(_NoRedirect(), urllib.request.HTTPSHandler(context=context))
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with opener.open(request, timeout=timeout) as answer:
                return Response(answer.status, answer.reason, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.reason, error.read())


def install_http_modules():
    """Makes `import requests` and `import urllib3` give the stand-ins above."""
    requests = types.ModuleType("requests")
    requests.Session = Session
    urllib3 = types.ModuleType("urllib3")
    urllib3.exceptions = types.SimpleNamespace(InsecureRequestWarning=type("InsecureRequestWarning", (Warning,), {}))
    urllib3.disable_warnings = lambda category=None: None
    sys.modules["requests"] = requests
    sys.modules["urllib3"] = urllib3


# --- the rewrite of secrets ------------------------------------------------------------------------------------


def _pointer(path):
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


def rewrite_value(value, where, path, found):
    """The value with store secrets as references; problems, variables and files go to `found`."""
    if isinstance(value, dict):
        secret = value.get("secret")
        if value.get("@type") == "Value" and isinstance(secret, str) and set(value) == {"@type", "secret"}:
            env = WHOLE_ENV.fullmatch(secret.strip())
            if env:
                found["env"].add(env.group(1))
                return {"@type": "EnvironmentVariable", "variableName": env.group(1)}
            file = WHOLE_FILE.fullmatch(secret.strip())
            if file:
                found["files"].add(file.group(1))
                return {"@type": "File", "filePath": file.group(1)}
            kind = "holds a macro 0.16 does not expand" if MACRO.search(secret) else "is written as a value"
            found["values" if kind == "is written as a value" else "problems"].append(f"{where} {_pointer(path)}: a secret {kind}")
            return value
        return {key: rewrite_value(item, where, path + [key], found) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite_value(item, where, path + [index], found) for index, item in enumerate(value)]
    if isinstance(value, str) and MACRO.search(value):
        kinds = sorted({match.group(1) for match in MACRO.finditer(value)})
        found["problems"].append(f"{where} {_pointer(path)}: a %{{{','.join(kinds)}:...}}% macro, which 0.16 does not expand")
    return value


def new_findings():
    return {"env": set(), "files": set(), "values": [], "problems": []}


def rewrite_export(text, found):
    """The NDJSON export with its secrets rewritten; one operation per line, blank lines dropped."""
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        operation = json.loads(line)
        where = f"export.json line {number} ({operation.get('@type')} {operation.get('object')})"
        lines.append(json.dumps(rewrite_value(operation, where, [], found), ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def report(found, keep_values):
    """Prints what the 0.16 pods need and what is wrong; the exit code for it."""
    if found["env"]:
        print("The 0.16 pods must have these environment variables (the export refers to them): " + ", ".join(sorted(found["env"])))
    if found["files"]:
        print("The 0.16 pods must have these files (the export refers to them): " + ", ".join(sorted(found["files"])))
    problems = list(found["problems"]) + ([] if keep_values else list(found["values"]))
    if keep_values and found["values"]:
        print("Kept as values (KEEP_VALUE_SECRETS=true), as 0.15 kept them in its database:\n  " + "\n  ".join(found["values"]))
    if problems:
        print(
            "error: the export cannot go to 0.16 as it is:\n  " + "\n  ".join(problems) + "\n"
            "A secret: set it in 0.15 as %{env:NAME}% (NAME on the 0.15 pods, and later the 0.16 ones), or keep the values with\n"
            "KEEP_VALUE_SECRETS=true. A macro in another setting: write the value itself there in 0.15. Then run the Job again.",
            file=sys.stderr,
        )
        return 1
    return 0


# --- the Job ---------------------------------------------------------------------------------------------------


class Tee:
    """stderr as it is, and a copy to read the script's warnings from."""

    def __init__(self, stream):
        self.stream = stream
        self.text = []

    def write(self, text):
        self.text.append(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


def load_script(path, expected_sha256):
    with open(path, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise SystemExit(f"error: {path} has SHA-256 {digest}, not {expected_sha256}: download migrate_v016.py from the tag docs/upgrading-0.16.md names")
    install_http_modules()
    # No __pycache__ beside the script: its ConfigMap is read-only, and a copy elsewhere is not ours to litter.
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("migrate_v016", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["migrate_v016"] = module
    spec.loader.exec_module(module)
    return module


def write_private(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def flag(name):
    return os.environ.get(name, "").strip().lower() == "true"


def run_job():
    env = os.environ
    url = env.get("STALWART_URL", "http://stalwart:80")
    user, password = env.get("STALWART_USER", ""), env.get("STALWART_PASSWORD", "")
    if not user or not password:
        print("error: STALWART_USER and STALWART_PASSWORD must be set (Secret stalwart-migrate-credentials)", file=sys.stderr)
        return 1
    work, output = env.get("WORK_DIR", "/work"), env.get("OUTPUT_DIR", "/migration")
    script = load_script(env.get("MIGRATE_SCRIPT", "/script/migrate_v016.py"), env.get("MIGRATE_SCRIPT_SHA256", "").strip())
    settings, principals = os.path.join(work, "settings.json"), os.path.join(work, "principals.json")

    tee = Tee(sys.stderr)
    sys.stderr = tee
    try:
        code = script.main(["dump", "--url", url, "--username", user, "--password", password, "--settings", settings, "--principals", principals])
    except OSError as error:
        code = 1
        print(f"error: {url} did not answer: {error}", file=sys.stderr)
    finally:
        sys.stderr = tee.stream
    if code != 0:
        return code
    log = "".join(tee.text)
    failed = re.findall(r"WARN failed to fetch .*", log)
    skipped = [kind for kind in ESSENTIAL_TYPES if f"WARN skipping principal type {kind!r}" in log]
    if (failed or skipped) and not flag("ALLOW_INCOMPLETE_DUMP"):
        print(
            "error: the dump is incomplete; the mail of principals missing from it would have no account on 0.16:\n  "
            + "\n  ".join(failed + [f"principals of type {kind!r} could not be listed" for kind in skipped])
            + "\nFix the cause and run again (or set ALLOW_INCOMPLETE_DUMP=true).",
            file=sys.stderr,
        )
        return 1

    patches = [argument for pair in env.get("PATCH_PATHS", "").split() for argument in ("--patch-paths", pair)]
    raw_export, raw_config, unmigrated = os.path.join(work, "export.json"), os.path.join(work, "config.json"), os.path.join(work, "unmigrated.txt")
    code = script.main(["convert", "--settings", settings, "--principals", principals, "--config", raw_config, "--output", raw_export, "--unmigrated-output", unmigrated, *patches])
    if code != 0:
        return code

    found = new_findings()
    with open(raw_export, encoding="utf-8") as file:
        export = rewrite_export(file.read(), found)
    with open(raw_config, encoding="utf-8") as file:
        config = json.dumps(rewrite_value(json.load(file), "config.json", [], found), indent=2, ensure_ascii=False) + "\n"
    code = report(found, flag("KEEP_VALUE_SECRETS"))
    if code != 0:
        return code

    write_private(os.path.join(output, "config.json"), config)
    if os.path.exists(unmigrated):
        with open(unmigrated, encoding="utf-8") as file:
            text = file.read()
        write_private(os.path.join(output, "unmigrated.txt"), text)
        print(text)
    # Last: the apply-export step reads export.json, so it appears only when everything else is in place.
    write_private(os.path.join(output, "export.json"), export)
    counts = {}
    for line in export.splitlines():
        operation = json.loads(line)
        key = f"{operation['@type']} {operation['object']}"
        counts[key] = counts.get(key, 0) + (len(operation["value"]) if operation["@type"] == "create" else 1)
    print("Wrote " + os.path.join(output, "export.json") + ": " + ", ".join(f"{key} ({count})" for key, count in counts.items()))
    print("The data store config.json the function renders must match " + os.path.join(output, "config.json") + ": compare them before step 4.")
    return 0


def main(argv):
    # Owner and group only: the export holds password hashes and private keys.
    os.umask(0o027)
    if argv[:1] == ["rewrite"] and len(argv) == 3:
        found = new_findings()
        with open(argv[1], encoding="utf-8") as file:
            export = rewrite_export(file.read(), found)
        code = report(found, flag("KEEP_VALUE_SECRETS"))
        if code == 0:
            write_private(argv[2], export)
        return code
    if argv:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    return run_job()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
