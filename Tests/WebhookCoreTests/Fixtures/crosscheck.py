#!/usr/bin/env python3
"""Independent signer for CrossCheckTests: Python's hmac/hashlib and the `cryptography` package.

stdin: {"secret": str, "id": str, "ts": int, "body_b64": str, "ed25519_seed_b64": str}
stdout: {scheme: value} for every scheme winkhook verifies, computed the way each sender documents it.
"""
import base64, hashlib, hmac, json, sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

q = json.load(sys.stdin)
secret, msg_id, ts = q["secret"], q["id"], q["ts"]
body = base64.b64decode(q["body_b64"])
key = secret.encode()


def mac(algorithm, content):
    return hmac.new(key, content, algorithm)


signed = f"{msg_id}.{ts}.".encode() + body
sw_key = base64.b64decode(secret.split("_", 1)[1]) if secret.startswith("whsec_") else None
seed = base64.b64decode(q["ed25519_seed_b64"])
private = Ed25519PrivateKey.from_private_bytes(seed)
public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
out = {
    "github": "sha256=" + mac(hashlib.sha256, body).hexdigest(),
    "stripe": f"t={ts},v1=" + mac(hashlib.sha256, f"{ts}.".encode() + body).hexdigest(),
    "hmac-hex-sha256": mac(hashlib.sha256, body).hexdigest(),
    "hmac-b64-sha256": base64.b64encode(mac(hashlib.sha256, body).digest()).decode(),
    "hmac-hex-sha512": mac(hashlib.sha512, body).hexdigest(),
    "hmac-hex-sha1": mac(hashlib.sha1, body).hexdigest(),
    "hmac-ts": "sha256=" + mac(hashlib.sha256, f"{ts}.".encode() + body).hexdigest(),
    "basic": "Basic " + base64.b64encode(f"wink:{secret}".encode()).decode(),
    "v1a": "v1a," + base64.b64encode(private.sign(signed)).decode(),
    "whpk": "whpk_" + base64.b64encode(public).decode(),
}
if sw_key is not None:
    out["standard-webhooks"] = "v1," + base64.b64encode(hmac.new(sw_key, signed, hashlib.sha256).digest()).decode()
json.dump(out, sys.stdout)
