"""Runs scim2-tester (PyPI, by Yaal Coop) against a Licentia server's /scim/v2.

Usage: scim2_check.py BASE_URL TOKEN ALLOWED_FILE

Every check runs; the run fails on any check that answers ERROR or CRITICAL unless its title
and resource type are listed in ALLOWED_FILE (one "title resource" a line, "#" comments:
the checks that do not apply to what Licentia offers, each with its reason; the README lists
them too). A listed check that passes fails the run as well, so the list stays true.
"""
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

base, token, allowed_file = sys.argv[1], sys.argv[2], sys.argv[3]
allowed = set()
for line in open(allowed_file, encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        allowed.add(line)

client = SyncSCIMClient(Client(base_url=base, headers={"Authorization": f"Bearer {token}"}))
results = check_server(client)
failed, passed_but_listed, seen = [], set(), set()
counts = {}
for result in results:
    key = f"{result.title} {result.resource_type or '-'}"
    counts[result.status.name] = counts.get(result.status.name, 0) + 1
    if result.status == Status.SKIPPED:
        print(f"skipped {key}: {result.reason}")
    bad = result.status in (Status.ERROR, Status.CRITICAL)
    if bad:
        seen.add(key)
        if key not in allowed:
            failed.append((key, result.reason))
for key in allowed:
    if key not in seen:
        passed_but_listed.add(key)
print("scim2-tester:", ", ".join(f"{k.lower()} {v}" for k, v in sorted(counts.items())))
for key, reason in failed:
    print(f"FAILED {key}: {reason}")
for key in sorted(passed_but_listed):
    print(f"LISTED BUT NOT FAILING (remove it from {allowed_file}): {key}")
sys.exit(1 if failed or passed_but_listed else 0)
