"""Licence files end to end against a running server: made through the API, verified by the
independent verifier (verify_licence.py) and by `licentia licence verify`; a changed byte, an
expired file, a file past its time-to-live, another device, a missing or wrong key and a
removed signing key are refused.

    python licence_check.py BASE_URL TOKEN LICENTIA_BIN WORK_DIR
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

from verify_licence import Refused, b64d, verify

base, token, binary, work = sys.argv[1:5]
failures = []


def api(method, path):
    request = urllib.request.Request(
        base + path, method=method, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def keys():
    with urllib.request.urlopen(base + "/api/v1/keys") as response:
        assert response.headers["Content-Type"].startswith("application/jwk-set+json")
        return json.load(response)


def expect(name, ok):
    print(("ok      " if ok else "FAILED  ") + name)
    if not ok:
        failures.append(name)


def refused(jwks, text, reason, **kw):
    try:
        verify(jwks, text, **kw)
    except Refused as refusal:
        return str(refusal) == reason
    return False


def cli_verify(text, jwks):
    path = os.path.join(work, "file.lic")
    keys_path = os.path.join(work, "keys.json")
    with open(path, "w") as f:
        f.write(text)
    with open(keys_path, "w") as f:
        json.dump(jwks, f)
    done = subprocess.run([binary, "licence", "verify", path, "--keys", keys_path],
                          capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


me = api("GET", "/api/v1/me")
user = me["id"]
jwks = keys()
plain = api("POST", f"/api/v1/users/{user}/licence-file?product=reader")
claims = verify(jwks, plain["file"])
expect("a file verifies", claims["sub"] == user and claims["products"] == ["reader"]
       and claims["user"]["username"] == me["username"] and claims["jti"] == plain["id"])
expect("the kid is published", any(k["kid"] == plain["kid"] for k in jwks["keys"]))
text = plain["file"]
at = text.index(".") + 7
changed = text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]
expect("one byte changed is refused", refused(jwks, changed, "bad signature")
       or refused(jwks, changed, "not a licence file"))
expect("expired is refused", refused(jwks, text, "expired", now=claims["exp"] + 1))
short = api("POST", f"/api/v1/users/{user}/licence-file?ttl=3600")["file"]
short_claims = verify(jwks, short)
expect("past its time-to-live is refused",
       short_claims["check_by"] == short_claims["iat"] + 3600
       and refused(jwks, short, "check online", now=short_claims["check_by"] + 1))
code, out = cli_verify(text, jwks)
expect("licentia licence verify accepts it", code == 0 and "valid:" in out)
code, out = cli_verify(changed, jwks)
expect("licentia licence verify refuses a changed byte", code == 1 and "refused" in out)

key = b64d(api("GET", f"/api/v1/users/{user}/licence-key")["key"])
sealed = api("POST", f"/api/v1/users/{user}/licence-file?product=reader&seal=user")["file"]
expect("a sealed file is a JWE", len(sealed.split(".")) == 5)
expect("a sealed file needs the key", refused(jwks, sealed, "sealed"))
expect("a sealed file opens with the user's key", verify(jwks, sealed, key=key)["sub"] == user)
expect("a sealed file refuses another key",
       refused(jwks, sealed, "cannot be opened with this key", key=bytes(32)))
bound = api("POST", f"/api/v1/users/{user}/licence-file?seal=device&device=laptop-1&ttl=3600")
claims = verify(jwks, bound["file"], key=key, device="laptop-1")
expect("a device file opens on its device",
       claims["device"] == "laptop-1" and claims["check_by"] - claims["iat"] == 3600)
expect("a device file refuses another device",
       refused(jwks, bound["file"], "cannot be opened with this key", key=key, device="laptop-2"))

old = plain["kid"]
subprocess.run([binary, "keys", "rotate"], check=True, capture_output=True)
time.sleep(2.5)  # the server's cache of the signing key
rotated = keys()
expect("a retired key is still published", any(k["kid"] == old for k in rotated["keys"]))
expect("what it signed still verifies", verify(rotated, text)["sub"] == user)
fresh = api("POST", f"/api/v1/users/{user}/licence-file?product=reader")
expect("the new key signs", fresh["kid"] != old and verify(rotated, fresh["file"])["sub"] == user)
subprocess.run([binary, "keys", "remove", old], check=True, capture_output=True)
time.sleep(2.5)
removed = keys()
expect("a removed key is not published", all(k["kid"] != old for k in removed["keys"]))
expect("what a removed key signed is refused", refused(removed, text, "unknown key"))
code, out = cli_verify(text, removed)
expect("licentia licence verify refuses it too", code == 1 and "not published" in out)
expect("the new key's file still verifies", verify(removed, fresh["file"])["sub"] == user)

if failures:
    print(f"{len(failures)} failed")
    sys.exit(1)
print("licence files: all checks passed")
