"""An independent verifier of Licentia's licence files (format version 1), written from
docs/licence-files.md with Python's `cryptography` alone: what a vendor's application in
another language does offline.

    python verify_licence.py KEYS.json FILE [--key B64URL] [--device FP] [--now UNIX]

Prints the claims as JSON and exits 0, or prints `refused: <reason>` and exits 1.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import time

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class Refused(Exception):
    pass


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_sealed(parts, key, device):
    protected, encrypted_key, iv, ciphertext, tag = parts
    header = json.loads(b64d(protected))
    if header.get("alg") != "dir" or header.get("enc") != "A256GCM" or encrypted_key:
        raise Refused("not a licence file")
    if key is None:
        raise Refused("sealed")
    if header.get("kid") == "device":
        if device is None:
            raise Refused("sealed to a device")
        key = hmac.new(key, b"device:" + device.encode(), hashlib.sha256).digest()
    elif header.get("kid") != "user":
        raise Refused("not a licence file")
    try:
        plain = AESGCM(key).decrypt(b64d(iv), b64d(ciphertext) + b64d(tag), protected.encode())
    except InvalidTag:
        raise Refused("cannot be opened with this key")
    return plain.decode()


def verify(jwks, text, key=None, device=None, now=None):
    now = int(time.time()) if now is None else now
    parts = text.strip().split(".")
    if len(parts) == 5:
        parts = open_sealed(parts, key, device).split(".")
    if len(parts) != 3:
        raise Refused("not a licence file")
    header_b64, payload_b64, signature_b64 = parts
    header = json.loads(b64d(header_b64))
    if header.get("alg") != "EdDSA" or header.get("typ") != "licentia-licence+jwt":
        raise Refused("not a licence file")
    jwk = next((k for k in jwks["keys"] if k.get("kid") == header.get("kid")), None)
    if jwk is None or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise Refused("unknown key")
    public = Ed25519PublicKey.from_public_bytes(b64d(jwk["x"]))
    try:
        public.verify(b64d(signature_b64), f"{header_b64}.{payload_b64}".encode())
    except InvalidSignature:
        raise Refused("bad signature")
    claims = json.loads(b64d(payload_b64))
    if claims.get("ver") != 1:
        raise Refused("unknown version")
    if now < claims["nbf"]:
        raise Refused("not yet valid")
    if now >= claims["exp"]:
        raise Refused("expired")
    if now >= claims["check_by"]:
        raise Refused("check online")
    if claims.get("device") is not None and claims["device"] != device:
        raise Refused("other device")
    return claims


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("keys")
    parser.add_argument("file")
    parser.add_argument("--key")
    parser.add_argument("--device")
    parser.add_argument("--now", type=int)
    args = parser.parse_args()
    with open(args.keys) as f:
        jwks = json.load(f)
    with open(args.file) as f:
        text = f.read()
    key = b64d(args.key) if args.key else None
    try:
        claims = verify(jwks, text, key, args.device, args.now)
    except (Refused, ValueError, KeyError) as refusal:
        print(f"refused: {refusal}")
        sys.exit(1)
    print(json.dumps(claims))


if __name__ == "__main__":
    main()
