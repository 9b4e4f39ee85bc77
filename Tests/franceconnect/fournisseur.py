#!/usr/bin/env python3
"""A real OpenID Connect provider on loopback, with FranceConnect's profile, for Releve's tests.

It speaks the authorization code flow with PKCE (S256 required), nonce, acr (eidas1), signed ID
tokens (RS256 by default, ES256 on request) published in a JWKS, userinfo with the identité
pivot, and RP-initiated logout. Keys are generated at start; tokens are signed by joserfc (PyPI).

Test users come from utilisateurs.json (beside this file). The authorization page lists them
(a browser picks one); a test without a browser adds `login_hint=<sub>` to the authorization
address and gets the redirect at once.

A test makes the next answers misbehave with POST /_test/faute {"mode": ...}:
  alg_none, hs256, unknown_key, expired, wrong_aud, wrong_iss, no_acr, wrong_nonce,
  userinfo_sub, userinfo_jwt, slow (the token endpoint waits 30 s), rotate (a new key, published,
  signs from now on), es256, error:<code> (the authorization answers with that error).
POST /_test/faute {"mode": "none"} clears it. GET /_test/journal lists what happened (logouts…).

Usage: fournisseur.py --port 0 --client-id ID --client-secret S [--port-file F]
"""

import argparse
import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

HERE = os.path.dirname(os.path.abspath(__file__))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    def __init__(self, client_id, client_secret, users):
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = {u["sub"]: u for u in users}
        self.rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256", "use": "sig"})
        self.ec = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "alg": "ES256", "use": "sig"})
        self.published = [self.rsa, self.ec]
        self.signing = self.rsa
        self.codes = {}
        self.tokens = {}
        self.fault = "none"
        self.journal = []
        self.lock = threading.Lock()
        self.issuer = None

    def jwks(self):
        return {"keys": [k.as_dict(private=False) for k in self.published]}

    def sign(self, claims, fault):
        key = self.signing
        if fault == "es256":
            key = self.ec
        if fault == "alg_none":
            header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return header + "." + b64url(json.dumps(claims).encode()) + "."
        if fault == "hs256":
            # The classic confusion: HMAC keyed with the provider's public key text.
            header = b64url(json.dumps({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}).encode())
            body = b64url(json.dumps(claims).encode())
            secret = json.dumps(self.rsa.as_dict(private=False)).encode()
            mac = hmac.new(secret, (header + "." + body).encode(), hashlib.sha256).digest()
            return header + "." + body + "." + b64url(mac)
        if fault == "unknown_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "inconnue", "alg": "RS256"})
        alg = "ES256" if isinstance(key, ECKey) else "RS256"
        return jwt.encode({"alg": alg, "kid": key.kid, "typ": "JWT"}, claims, key)

    def id_token(self, entry, fault):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": entry["sub"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 60,
            "auth_time": entry["auth_time"],
            "nonce": entry["nonce"],
            "acr": "eidas1",
        }
        if fault == "expired":
            claims["iat"] = now - 3600
            claims["exp"] = now - 1800
        elif fault == "wrong_aud":
            claims["aud"] = "un-autre-service"
        elif fault == "wrong_iss":
            claims["iss"] = "https://faux-fournisseur.example"
        elif fault == "no_acr":
            del claims["acr"]
        elif fault == "wrong_nonce":
            claims["nonce"] = "pas-le-bon-nonce"
        return self.sign(claims, fault)


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def send(self, status, body=b"", content_type="application/json", headers=()):
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, url):
            self.send(302, b"", "text/plain", [("Location", url)])

        def form(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

        def query(self):
            return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}

        def route(self):
            return urllib.parse.urlsplit(self.path).path

        def do_GET(self):
            route = self.route()
            if route == "/.well-known/openid-configuration":
                base = provider.issuer
                return self.send(200, {
                    "issuer": base,
                    "authorization_endpoint": base + "/api/v2/authorize",
                    "token_endpoint": base + "/api/v2/token",
                    "userinfo_endpoint": base + "/api/v2/userinfo",
                    "jwks_uri": base + "/api/v2/jwks",
                    "end_session_endpoint": base + "/api/v2/session/end",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    "code_challenge_methods_supported": ["S256"],
                    "acr_values_supported": ["eidas1"],
                    "scopes_supported": ["openid", "given_name", "family_name", "birthdate", "gender",
                                         "birthplace", "birthcountry"],
                })
            if route == "/api/v2/jwks":
                return self.send(200, provider.jwks())
            if route == "/api/v2/authorize":
                return self.authorize(self.query())
            if route == "/api/v2/userinfo":
                return self.userinfo()
            if route == "/api/v2/session/end":
                return self.end_session(self.query())
            if route == "/_test/journal":
                return self.send(200, provider.journal)
            return self.send(404, {"error": "not_found"})

        def do_POST(self):
            route = self.route()
            if route == "/api/v2/authorize":
                return self.authorize(self.form())
            if route == "/api/v2/token":
                return self.token(self.form())
            if route == "/api/v2/userinfo":
                return self.userinfo()
            if route == "/_test/faute":
                mode = self.form().get("mode", "none")
                with provider.lock:
                    provider.fault = mode
                    if mode == "rotate":
                        new = RSAKey.generate_key(2048, parameters={"kid": "rsa-%d" % (len(provider.published) + 1),
                                                                    "alg": "RS256", "use": "sig"})
                        provider.published.append(new)
                        provider.signing = new
                        provider.fault = "none"
                return self.send(200, {"mode": provider.fault})
            return self.send(404, {"error": "not_found"})

        def authorize(self, params):
            redirect_uri = params.get("redirect_uri", "")
            if params.get("client_id") != provider.client_id or not redirect_uri.startswith("http"):
                return self.send(400, "client_id ou redirect_uri inconnus", "text/plain")
            state = params.get("state", "")

            def back(**answer):
                answer["state"] = state
                sep = "&" if "?" in redirect_uri else "?"
                return self.redirect(redirect_uri + sep + urllib.parse.urlencode(answer))

            if provider.fault.startswith("error:"):
                return back(error=provider.fault[6:], error_description="refus simulé")
            if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256" \
                    or not params.get("code_challenge") or not params.get("nonce") or not state:
                return back(error="invalid_request", error_description="PKCE S256, nonce et state sont exigés")
            sub = params.get("login_hint") or params.get("utilisateur")
            if params.get("annuler"):
                return back(error="access_denied", error_description="l'usager a annulé")
            if not sub:
                return self.page(params)
            if sub not in provider.users:
                return self.send(400, "utilisateur inconnu", "text/plain")
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {
                    "sub": sub, "nonce": params["nonce"], "challenge": params["code_challenge"],
                    "redirect_uri": redirect_uri, "auth_time": int(time.time()),
                    "prompt": params.get("prompt"), "max_age": params.get("max_age"),
                    "acr_values": params.get("acr_values"),
                }
                provider.journal.append({"event": "authorize", "sub": sub, "prompt": params.get("prompt"),
                                         "max_age": params.get("max_age"), "acr_values": params.get("acr_values")})
            return back(code=code)

        def page(self, params):
            hidden = "".join(
                '<input type="hidden" name="%s" value="%s">' % (html.escape(k), html.escape(v))
                for k, v in params.items())
            buttons = "".join(
                '<button type="submit" name="utilisateur" value="%s" id="utilisateur-%s">%s %s</button><br>'
                % (html.escape(s), html.escape(s), html.escape(u["given_name"]), html.escape(u["family_name"]))
                for s, u in provider.users.items())
            body = ("<!doctype html><html lang=fr><head><meta charset=utf-8><title>Fournisseur d'identité de test"
                    "</title></head><body><h1>Fournisseur d'identité de test</h1><form method=post>"
                    + hidden + buttons
                    + '<button type="submit" name="annuler" value="1" id="annuler">Annuler</button></form></body></html>')
            return self.send(200, body, "text/html; charset=utf-8")

        def client_ok(self, form):
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                pair = base64.b64decode(auth[6:]).decode()
                cid, _, secret = pair.partition(":")
                cid, secret = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
            else:
                cid, secret = form.get("client_id"), form.get("client_secret")
            return cid == provider.client_id and hmac.compare_digest(secret or "", provider.client_secret)

        def token(self, form):
            if not self.client_ok(form):
                return self.send(401, {"error": "invalid_client"}, headers=[("WWW-Authenticate", "Basic")])
            if provider.fault == "slow":
                time.sleep(30)
            with provider.lock:
                entry = provider.codes.pop(form.get("code", ""), None)
            if entry is None:
                return self.send(400, {"error": "invalid_grant", "error_description": "code inconnu ou déjà utilisé"})
            if form.get("redirect_uri") != entry["redirect_uri"]:
                return self.send(400, {"error": "invalid_grant", "error_description": "redirect_uri différente"})
            verifier = form.get("code_verifier", "")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != entry["challenge"]:
                return self.send(400, {"error": "invalid_grant", "error_description": "code_verifier incorrect"})
            access = secrets.token_urlsafe(24)
            with provider.lock:
                provider.tokens[access] = entry["sub"]
                fault = provider.fault
            return self.send(200, {
                "access_token": access, "token_type": "Bearer", "expires_in": 60,
                "id_token": provider.id_token(entry, fault),
            })

        def userinfo(self):
            auth = self.headers.get("Authorization", "")
            sub = provider.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if sub is None:
                return self.send(401, {"error": "invalid_token"}, headers=[("WWW-Authenticate", "Bearer")])
            user = dict(provider.users[sub])
            if provider.fault == "userinfo_sub":
                user["sub"] = "quelqu-un-d-autre"
            if provider.fault == "userinfo_jwt":
                claims = dict(user, iss=provider.issuer, aud=provider.client_id)
                return self.send(200, provider.sign(claims, "none"), "application/jwt")
            return self.send(200, user)

        def end_session(self, params):
            with provider.lock:
                provider.journal.append({"event": "logout", "id_token_hint": bool(params.get("id_token_hint")),
                                         "post_logout_redirect_uri": params.get("post_logout_redirect_uri")})
            target = params.get("post_logout_redirect_uri")
            if not target:
                return self.send(200, "Déconnecté du fournisseur.", "text/plain; charset=utf-8")
            sep = "&" if "?" in target else "?"
            return self.redirect(target + sep + urllib.parse.urlencode({"state": params.get("state", "")}))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default="releve-test")
    parser.add_argument("--client-secret", default="secret-de-test")
    parser.add_argument("--users", default=os.path.join(HERE, "utilisateurs.json"))
    parser.add_argument("--port-file")
    args = parser.parse_args()
    # A parent test runner may have blocked these signals in the thread that spawned us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    with open(args.users, encoding="utf-8") as f:
        users = json.load(f)
    provider = Provider(args.client_id, args.client_secret, users)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    server.daemon_threads = True
    port = server.server_address[1]
    provider.issuer = "http://127.0.0.1:%d" % port
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(args.port_file + ".tmp", args.port_file)
    print("fournisseur prêt sur", provider.issuer, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
