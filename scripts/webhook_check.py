"""Webhooks end to end with a real receiver on loopback: every delivery is verified with the
`standardwebhooks` library (PyPI); a receiver that fails twice gets the event three times
(same webhook-id) and the log shows three attempts; a server killed while a delivery is in
flight delivers it after its restart, with the same webhook-id.

    python webhook_check.py LICENTIA_BIN WORK_DIR
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

binary, work = sys.argv[1:3]
failures = []
received = []  # (webhook-id, type, verified)
lock = threading.Lock()
attempts_by_id = {}
release_hang = threading.Event()
hanging = threading.Event()
secret = None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = Webhook(secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = json.loads(body), False
        msg = headers.get("webhook-id")
        kind = payload.get("type")
        with lock:
            received.append((msg, kind, verified))
            attempts_by_id[msg] = attempts_by_id.get(msg, 0) + 1
            seen = attempts_by_id[msg]
        if kind == "user.deactivated" and seen <= 2:
            self.send_response(500)
            self.end_headers()
            return
        if kind == "user.updated" and seen == 1:
            hanging.set()
            release_hang.wait(60)
            return  # the server is gone by now: nothing to answer to
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def expect(name, ok):
    print(("ok      " if ok else "FAILED  ") + name)
    if not ok:
        failures.append(name)


def wait_for(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    print(f"timed out waiting for {what}")
    return False


receiver_port = free_port()
receiver = ThreadingHTTPServer(("127.0.0.1", receiver_port), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()

env = dict(os.environ)
env.update({
    "LICENTIA_DATABASE_URL": f"sqlite://{work}/licentia.db",
    "LICENTIA_OUTBOX_DIR": f"{work}/outbox",
    "LICENTIA_WEBHOOK_LOOPBACK": "1",
    "LICENTIA_WEBHOOK_RETRY_SECONDS": "1",
    "LICENTIA_JOB_POLL_MS": "200",
    "LICENTIA_JOB_LEASE_SECONDS": "3",
    "RUST_LOG": "warn",
})
run = lambda *args: subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True).stdout.strip()
run("demo")
token = run("token", "create", "--username", "directeur", "--name", "hooks")
secret = run("webhook", "create", "--url", f"http://127.0.0.1:{receiver_port}/hooks",
             "--events", "user.created,user.deactivated,user.updated")
server_port = free_port()
server_env = dict(env, LEPTOS_SITE_ADDR=f"127.0.0.1:{server_port}", LEPTOS_OUTPUT_NAME="licentia",
                  LEPTOS_SITE_ROOT="target/site", LEPTOS_SITE_PKG_DIR="pkg")
log = open(f"{work}/server.log", "a")


def start():
    server = subprocess.Popen([binary, "serve", "--no-demo"], env=server_env, stdout=log, stderr=log)
    wait_for("the server", lambda: ready(), 30)
    return server


def ready():
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{server_port}/healthz", timeout=1)
        return True
    except Exception:
        return False


def scim(method, path, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server_port}/scim/v2{path}", method=method,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def of_type(kind):
    with lock:
        return [r for r in received if r[1] == kind]


server = start()
try:
    made = scim("POST", "/Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "hook.one", "name": {"givenName": "Hook", "familyName": "One"}, "active": True})
    expect("a created user is delivered", wait_for("user.created", lambda: len(of_type("user.created")) == 1))
    scim("PATCH", f"/Users/{made['id']}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}]})
    expect("a failing receiver gets the event three times",
           wait_for("three attempts", lambda: len(of_type("user.deactivated")) == 3))
    ids = {r[0] for r in of_type("user.deactivated")}
    expect("with the same webhook-id", len(ids) == 1)
    db = sqlite3.connect(f"{work}/licentia.db")
    expect("the log shows three attempts, delivered", wait_for("the log", lambda: db.execute(
        "SELECT attempts, status FROM webhook_deliveries WHERE event_type = 'user.deactivated'"
    ).fetchall() == [(3, "delivered")], 10))
    # Killed while a delivery is in flight: delivered after the restart, same webhook-id.
    scim("PATCH", f"/Users/{made['id']}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name.givenName", "value": "Hooked"}]})
    expect("a delivery is in flight", wait_for("the hanging receiver", hanging.is_set, 30))
    server.send_signal(signal.SIGKILL)
    server.wait()
    release_hang.set()
    server = start()
    expect("delivered after the restart",
           wait_for("the second attempt", lambda: len(of_type("user.updated")) >= 2, 60))
    expect("with the same webhook-id", len({r[0] for r in of_type("user.updated")}) == 1)
    expect("the log shows it delivered", wait_for("the log", lambda: db.execute(
        "SELECT status FROM webhook_deliveries WHERE event_type = 'user.updated'"
    ).fetchall() == [("delivered",)], 10))
    with lock:
        expect("every delivery verifies with standardwebhooks", all(r[2] for r in received))
finally:
    server.terminate()
    server.wait()
    receiver.shutdown()

if failures:
    print(f"{len(failures)} failed")
    sys.exit(1)
print("webhooks: all checks passed")
