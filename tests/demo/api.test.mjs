// End to end against the reference worker on workerd (wrangler dev, local mode) over HTTP on
// 127.0.0.1: every flow's happy path and its failures, wrong kinds of tokens at each endpoint,
// bad requests, rate limits, and the ledger surviving a restart.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { USERS, client, codeOf, cookieValue, edgeJwt, outboxHead, outboxMessage, rawPost, sleep, startWorker, workerHome } from "./helpers.mjs";

const ACCESS_TTL = 4;
// The workers' AUTH_SECRET, known here so that a test can sign magic links the server would
// accept but never makes (links to another address).
const AUTH_SECRET = randomBytes(48).toString("base64url");
const signer = (pkg) => new pkg.Auth({ issuer: "edge-jwt-demo", audience: "edge-jwt-demo-api", secret: AUTH_SECRET });
let home;
let worker;
let base;
let pkg;

/** Signs `user` in with a password (no 2FA) as a native client: the refresh token in the body. */
async function nativeSession(call, user) {
  const r = await call("POST", "/auth/password", { json: { email: user.email, password: user.password, client: "native" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

function assertError(r, status, code) {
  assert.equal(r.status, status, `${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.error.message, "string");
  assert.doesNotMatch(r.text, /\bat \S+ \(|\.js:\d+|AUTH_SECRET|SIGNING_JWK|"d":/, "no stack traces or secrets");
}

describe("demo worker on workerd (wrangler dev)", () => {
  before(async () => {
    pkg = await edgeJwt();
    home = await workerHome({ AUTH_SECRET });
    worker = await startWorker(home, { ACCESS_TTL, REFRESH_REUSE_GRACE: 0 });
    base = worker.url;
  });
  after(async () => {
    await worker?.stop();
    home?.remove();
  });

  test("password sign-in: session, HttpOnly refresh cookie, /api/me, tokens verify against the JWKS", async () => {
    const call = client(base);
    const r = await call("POST", "/auth/password", { json: { email: USERS.grace.email, password: USERS.grace.password } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.tokenType, "Bearer");
    assert.equal(r.body.expiresIn, ACCESS_TTL);
    assert.equal(r.body.refreshToken, undefined, "browsers never see the refresh token");
    const cookie = r.cookies.get("rt");
    assert.match(cookie, /; Path=\/auth\/refresh;/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; SameSite=Strict/);

    const jwks = await call("GET", "/.well-known/jwks.json");
    assert.equal(jwks.status, 200);
    const { header, claims } = pkg.verify(r.body.accessToken, pkg.KeySet.fromJwks(jwks.body), {
      algorithms: ["EdDSA"],
      issuer: "edge-jwt-demo",
      audience: "edge-jwt-demo-api",
      typ: "at+jwt",
    });
    assert.equal(header.alg, "EdDSA");
    assert.deepEqual([claims.sub, claims.sid, claims.amr], ["usr_grace", r.body.sessionId, ["pwd"]]);
    assert.ok(!("d" in jwks.body.keys[0]), "the JWKS is public");
    assert.equal(jwks.headers.get("cache-control"), "public, max-age=300", "the JWKS may be cached (one Cache-Control, not no-store)");
    assert.equal(r.headers.get("cache-control"), "no-store", "API answers are not cached");

    const me = await call("GET", "/api/me", { token: r.body.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, USERS.grace.email);
    assert.equal(me.body.sessionId, r.body.sessionId);

    const refreshed = await call("POST", "/auth/refresh", { cookie: `rt=${cookieValue(cookie)}` });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(cookieValue(refreshed.cookies.get("rt")), cookieValue(cookie), "the refresh token rotated");
    assert.equal(refreshed.body.sessionId, r.body.sessionId);
  });

  test("wrong password and unknown user get the same 401", async () => {
    const call = client(base);
    const wrong = await call("POST", "/auth/password", { json: { email: USERS.grace.email, password: "not-it" } });
    const unknown = await call("POST", "/auth/password", { json: { email: "nobody@example.com", password: "not-it" } });
    assertError(wrong, 401, "ERR_INVALID_CREDENTIALS");
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal(unknown.status, wrong.status);
  });

  test("password + SMS two-factor: wrong code, right code, the challenge is single-use", async () => {
    const call = client(base);
    const head = await outboxHead(base);
    const first = await call("POST", "/auth/password", { json: { email: USERS.ada.email, password: USERS.ada.password } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.twoFactor, true);
    assert.equal(first.body.accessToken, undefined);
    assert.equal(first.cookies.size, 0, "no session before the second factor");
    const code = codeOf(await outboxMessage(base, USERS.ada.phone, head));
    assert.ok(!first.text.includes(code), "the code is not in the response");
    const { pendingToken, challenge } = first.body;

    const wrongCode = code === "000000" ? "111111" : "000000";
    assertError(await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code: wrongCode } }), 401, "ERR_OTP_MISMATCH");
    const ok = await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const claims = pkg.decode(ok.body.accessToken).claims;
    assert.equal(claims.sub, "usr_ada");
    assert.ok(claims.amr.includes("pwd") && claims.amr.includes("sms"), JSON.stringify(claims.amr));
    assert.ok(ok.cookies.get("rt"));
    assertError(await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code } }), 401, "ERR_TOKEN_REUSED");
  });

  test("two-factor code attempts are limited", async () => {
    const call = client(base);
    const head = await outboxHead(base);
    const first = await call("POST", "/auth/password", { json: { email: USERS.katherine.email, password: USERS.katherine.password } });
    const code = codeOf(await outboxMessage(base, USERS.katherine.phone, head));
    const { pendingToken, challenge } = first.body;
    const wrongCode = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      assertError(await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code: wrongCode } }), 401, "ERR_OTP_MISMATCH");
    }
    assertError(await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code } }), 401, "ERR_OTP_ATTEMPTS_EXCEEDED");
  });

  test("magic link: GET only confirms, POST signs in once, another browser is told", async () => {
    const call = client(base);
    let head = await outboxHead(base);
    const asked = await call("POST", "/auth/magic-link", { json: { email: USERS.alan.email } });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.match(asked.cookies.get("la"), /; Path=\/auth\/magic;.*HttpOnly/);
    const attempt = `la=${cookieValue(asked.cookies.get("la"))}`;
    const mail = await outboxMessage(base, USERS.alan.email, head);
    assert.ok(mail.link.startsWith(`${base}/auth/magic?`), mail.link);
    assert.ok(mail.text.includes(mail.link));

    const path = mail.link.slice(base.length);
    for (let i = 0; i < 2; i++) {
      const page = await call("GET", path);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type"), /text\/html/);
      assert.match(page.text, /Alan Turing/);
      assert.equal(page.cookies.size, 0, "opening the link signs nobody in");
    }
    const signedIn = await call("POST", "/auth/magic", { json: { url: mail.link }, cookie: attempt });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.sameBrowser, true);
    assert.deepEqual(pkg.decode(signedIn.body.accessToken).claims.amr, ["email"]);
    assertError(await call("POST", "/auth/magic", { json: { url: mail.link }, cookie: attempt }), 401, "ERR_TOKEN_REUSED");
    const usedPage = await call("GET", path);
    assert.equal(usedPage.status, 200, "the confirm page cannot tell a used link (stateless), the POST does");

    head = await outboxHead(base);
    await call("POST", "/auth/magic-link", { json: { email: USERS.alan.email } });
    const second = await outboxMessage(base, USERS.alan.email, head);
    const elsewhere = await call("POST", "/auth/magic", { json: { url: second.link } });
    assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
    assert.equal(elsewhere.body.sameBrowser, false);

    const bad = await call("GET", "/auth/magic?la=x&token=not.a.token");
    assert.equal(bad.status, 400);
    assert.match(bad.text, /can't be used/);
    const moved = second.link.replace("la=", "la=x");
    assert.equal((await call("POST", "/auth/magic", { json: { url: moved } })).status, 401, "bound to its URL");
  });

  test("POST /auth/magic redeems only links to this server's own /auth/magic, as a URL or a bare token", async () => {
    const call = client(base);
    const forge = signer(pkg);
    // Each carries a genuine signature (the server's secret), but points elsewhere.
    for (const url of ["https://evil.example/auth/magic?la=x", `${base}/elsewhere?la=x`, `${base}/auth/magic/x?la=x`, `http://localhost:1/auth/magic?la=x`]) {
      const link = forge.createMagicLink({ sub: "usr_grace", email: USERS.grace.email, url });
      assertError(await call("POST", "/auth/magic", { json: { url: link.url } }), 401, "ERR_JWT_CLAIM_VALIDATION_FAILED");
      assertError(await call("POST", "/auth/magic", { json: { token: link.token } }), 401, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    }
    // The same signature on a link to the server's own callback is accepted, as a bare token too.
    const own = forge.createMagicLink({ sub: "usr_grace", email: USERS.grace.email, url: `${base}/auth/magic?la=x` });
    const ok = await call("POST", "/auth/magic", { json: { token: own.token } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.email, USERS.grace.email);
  });

  test("magic link for a two-factor user: the link is the first factor, the SMS code the second", async () => {
    const call = client(base);
    let head = await outboxHead(base);
    const asked = await call("POST", "/auth/magic-link", { json: { email: USERS.ada.email } });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const attempt = `la=${cookieValue(asked.cookies.get("la"))}`;
    const mail = await outboxMessage(base, USERS.ada.email, head);
    head = await outboxHead(base);
    const first = await call("POST", "/auth/magic", { json: { url: mail.link, client: "native" }, cookie: attempt });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.twoFactor, true);
    assert.equal(first.body.accessToken, undefined, "no session after one factor");
    assert.equal(first.body.refreshToken, undefined);
    assert.equal(first.cookies.get("rt"), undefined, "no refresh cookie after one factor");
    assert.match(first.cookies.get("la"), /^la=; .*Max-Age=0/, "the login attempt is over");
    assert.equal(first.body.sentTo, "•••• 0100");
    assert.equal(first.body.sameBrowser, true);
    assert.deepEqual(first.body.methods, ["sms"]);
    assert.deepEqual(pkg.decode(first.body.pendingToken).claims.amr, ["email"], "the pending token remembers the first factor");
    const code = codeOf(await outboxMessage(base, USERS.ada.phone, head));
    assert.ok(!first.text.includes(code));
    assertError(await call("POST", "/auth/magic", { json: { url: mail.link }, cookie: attempt }), 401, "ERR_TOKEN_REUSED");

    const { pendingToken, challenge } = first.body;
    const ok = await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(pkg.decode(ok.body.accessToken).claims.amr, ["email", "sms", "mfa"]);
    assert.equal(ok.body.user.email, USERS.ada.email);
    assert.ok(ok.cookies.get("rt"));
  });

  test("SMS code sign-in for a two-factor user: refused once the code is verified, and not before", async () => {
    const call = client(base);
    let head = await outboxHead(base);
    const asked = await call("POST", "/auth/sms", { json: { phone: USERS.katherine.phone } });
    const plain = await client(base)("POST", "/auth/sms", { json: { phone: USERS.alan.phone } });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.deepEqual(Object.keys(asked.body).sort(), Object.keys(plain.body).sort(), "the same answer as for any number");
    assert.equal(pkg.decode(asked.body.challenge).claims.sub, "login:usr_katherine");
    const code = codeOf(await outboxMessage(base, USERS.katherine.phone, head));
    const wrongCode = code === "000000" ? "111111" : "000000";
    assertError(await call("POST", "/auth/sms/verify", { json: { challenge: asked.body.challenge, code: wrongCode } }), 401, "ERR_OTP_MISMATCH");
    const refused = await call("POST", "/auth/sms/verify", { json: { challenge: asked.body.challenge, code, client: "native" } });
    assertError(refused, 401, "ERR_TWO_FACTOR_REQUIRED");
    assert.match(refused.body.error.message, /password/);
    assert.equal(refused.cookies.size, 0, "no session");
    assert.equal(refused.body.accessToken, undefined);

    // Her password and the texted code still sign her in.
    head = await outboxHead(base);
    const first = await call("POST", "/auth/password", { json: { email: USERS.katherine.email, password: USERS.katherine.password } });
    assert.equal(first.body.twoFactor, true, JSON.stringify(first.body));
    const second = codeOf(await outboxMessage(base, USERS.katherine.phone, head));
    const ok = await call("POST", "/auth/2fa/verify", { json: { pendingToken: first.body.pendingToken, challenge: first.body.challenge, code: second } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(pkg.decode(ok.body.accessToken).claims.amr, ["pwd", "sms", "mfa"]);
  });

  test("magic link for an unknown address: same answer, nothing sent", async () => {
    const call = client(base);
    const head = await outboxHead(base);
    const known = await call("POST", "/auth/magic-link", { json: { email: USERS.grace.email } });
    const unknown = await call("POST", "/auth/magic-link", { json: { email: "nobody@example.com" } });
    assert.equal(unknown.status, known.status);
    assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(known.body).sort());
    assert.equal(unknown.body.message, known.body.message);
    const { messages } = await (await fetch(`${base}/dev/outbox`)).json();
    assert.ok(!messages.some((m) => m.id > head && m.to === "nobody@example.com"));
  });

  test("SMS code sign-in: wrong code, right code, replay", async () => {
    const call = client(base);
    const head = await outboxHead(base);
    const asked = await call("POST", "/auth/sms", { json: { phone: "+1 555 555 0101" } });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const code = codeOf(await outboxMessage(base, USERS.grace.phone, head));
    assert.ok(!asked.text.includes(code));
    const { challenge } = asked.body;
    const wrongCode = code === "000000" ? "111111" : "000000";
    assertError(await call("POST", "/auth/sms/verify", { json: { challenge, code: wrongCode } }), 401, "ERR_OTP_MISMATCH");
    const ok = await call("POST", "/auth/sms/verify", { json: { challenge, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.email, USERS.grace.email);
    assert.deepEqual(pkg.decode(ok.body.accessToken).claims.amr, ["sms"]);
    assertError(await call("POST", "/auth/sms/verify", { json: { challenge, code } }), 401, "ERR_TOKEN_REUSED");

    const unknown = await call("POST", "/auth/sms", { json: { phone: "+15555559999" } });
    assert.equal(unknown.status, 200);
    assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(asked.body).sort());
  });

  test("a two-factor code cannot sign in alone at /auth/sms/verify", async () => {
    const call = client(base);
    const head = await outboxHead(base);
    const first = await call("POST", "/auth/password", { json: { email: USERS.ada.email, password: USERS.ada.password } });
    const code = codeOf(await outboxMessage(base, USERS.ada.phone, head));
    const { pendingToken, challenge } = first.body;
    assertError(await call("POST", "/auth/sms/verify", { json: { challenge, code } }), 401, "ERR_TOKEN_PURPOSE");
    // Refused without being used up or counted: the two-factor sign-in still completes (and
    // "client": "native" on the request that creates the session puts the refresh token in the body).
    const ok = await call("POST", "/auth/2fa/verify", { json: { pendingToken, challenge, code, client: "native" } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(pkg.decode(ok.body.accessToken).claims.sub, "usr_ada");
    assert.ok(ok.body.refreshToken, "native: the refresh token in the body");
    assert.equal(ok.cookies.size, 0, "native: no cookie");
  });

  test("refresh-token reuse revokes the session: /api/me fails at once", async () => {
    const call = client(base);
    const s0 = await nativeSession(call, USERS.alan);
    assert.ok(s0.refreshToken, "native clients get the refresh token in the body");
    const s1 = (await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } })).body;
    assert.ok(s1.refreshToken && s1.refreshToken !== s0.refreshToken);
    assert.equal((await call("GET", "/api/me", { token: s1.accessToken })).status, 200);

    await sleep(1100); // past the reuse grace (0 s here)
    assertError(await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } }), 401, "ERR_TOKEN_REUSED");
    assertError(await call("GET", "/api/me", { token: s1.accessToken }), 401, "ERR_SESSION_REVOKED");
    assertError(await call("POST", "/auth/refresh", { json: { refreshToken: s1.refreshToken } }), 401, "ERR_SESSION_REVOKED");
  });

  test("a refresh failure through the cookie clears the cookie", async () => {
    const call = client(base);
    const r = await call("POST", "/auth/refresh", { cookie: "rt=not.a.token" });
    assert.equal(r.status, 401);
    assert.match(r.cookies.get("rt"), /^rt=; Path=\/auth\/refresh; Max-Age=0/);
    assertError(await call("POST", "/auth/refresh"), 401, "ERR_INVALID_ARGUMENT");
  });

  test("sign-out revokes the session", async () => {
    const call = client(base);
    const s = await nativeSession(call, USERS.grace);
    const out = await call("POST", "/auth/signout", { token: s.accessToken });
    assert.equal(out.status, 200, JSON.stringify(out.body));
    assert.match(out.cookies.get("rt"), /Max-Age=0/);
    assertError(await call("GET", "/api/me", { token: s.accessToken }), 401, "ERR_SESSION_REVOKED");
    assertError(await call("POST", "/auth/refresh", { json: { refreshToken: s.refreshToken } }), 401, "ERR_SESSION_REVOKED");
    assertError(await call("POST", "/auth/signout"), 401, "ERR_INVALID_ARGUMENT");
  });

  test("an expired access token is refused; the refresh token still works", async () => {
    const call = client(base);
    const s = await nativeSession(call, USERS.alan);
    await sleep((ACCESS_TTL + 1) * 1000);
    const me = await call("GET", "/api/me", { token: s.accessToken });
    assertError(me, 401, "ERR_JWT_EXPIRED");
    assert.match(me.headers.get("www-authenticate"), /invalid_token/);
    const next = await call("POST", "/auth/refresh", { json: { refreshToken: s.refreshToken } });
    assert.equal(next.status, 200);
    assert.equal((await call("GET", "/api/me", { token: next.body.accessToken })).status, 200);
  });

  test("a token of the wrong kind is refused at every endpoint", async () => {
    const call = client(base);
    const s = await nativeSession(call, USERS.grace);
    let head = await outboxHead(base);
    const sms = (await call("POST", "/auth/sms", { json: { phone: USERS.grace.phone } })).body;
    const smsCode = codeOf(await outboxMessage(base, USERS.grace.phone, head));
    head = await outboxHead(base);
    await call("POST", "/auth/magic-link", { json: { email: USERS.grace.email } });
    const magic = new URL((await outboxMessage(base, USERS.grace.email, head)).link).searchParams.get("token");

    const purpose = (r) => assertError(r, 401, "ERR_TOKEN_PURPOSE");
    purpose(await call("GET", "/api/me", { token: s.refreshToken }));
    purpose(await call("GET", "/api/me", { token: sms.challenge }));
    purpose(await call("GET", "/api/me", { token: magic }));
    purpose(await call("POST", "/auth/signout", { token: s.refreshToken }));
    purpose(await call("POST", "/auth/refresh", { json: { refreshToken: s.accessToken } }));
    purpose(await call("POST", "/auth/refresh", { json: { refreshToken: magic } }));
    purpose(await call("POST", "/auth/magic", { json: { token: s.accessToken } }));
    purpose(await call("POST", "/auth/magic", { json: { token: sms.challenge } }));
    purpose(await call("POST", "/auth/sms/verify", { json: { challenge: magic, code: smsCode } }));
    purpose(await call("POST", "/auth/sms/verify", { json: { challenge: s.refreshToken, code: smsCode } }));
    purpose(await call("POST", "/auth/2fa/verify", { json: { pendingToken: s.accessToken, challenge: sms.challenge, code: smsCode } }));
    // The SMS sign-in challenge is still unused: it works after all those.
    assert.equal((await call("POST", "/auth/sms/verify", { json: { challenge: sms.challenge, code: smsCode } })).status, 200);
  });

  test("bad requests: malformed JSON, oversized bodies, missing fields, wrong methods", async () => {
    const call = client(base);
    const posts = ["/auth/password", "/auth/2fa/verify", "/auth/magic-link", "/auth/magic", "/auth/sms", "/auth/sms/verify", "/auth/refresh"];
    for (const path of posts) {
      const headers = { "content-type": "application/json" };
      assertError(await call("POST", path, { body: "{not json", headers }), 400, "ERR_INVALID_ARGUMENT");
      assertError(await call("POST", path, { body: "[1,2]", headers }), 400, "ERR_INVALID_ARGUMENT");
      assertError(await call("POST", path, { body: `{"pad":"${"x".repeat(20_000)}"}`, headers }), 413, "ERR_INVALID_ARGUMENT");
      if (path !== "/auth/refresh") assertError(await call("POST", path, { json: {} }), 400, "ERR_INVALID_ARGUMENT");
      // Valid JSON, but not sent as JSON (what a cross-site form could post): 415.
      for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
        const sent = type === undefined ? {} : { "content-type": type };
        assertError(await call("POST", path, { body: '{"email":"a@b.c","password":"x"}', headers: sent }), 415, "ERR_INVALID_ARGUMENT");
      }
    }
    assertError(await call("POST", "/auth/password", { json: { email: USERS.grace.email } }), 400, "ERR_INVALID_ARGUMENT");
    assertError(await call("POST", "/auth/password", { json: { email: 42, password: "x" } }), 400, "ERR_INVALID_ARGUMENT");
    assertError(await call("POST", "/auth/sms", { json: { phone: "call me" } }), 400, "ERR_INVALID_ARGUMENT");
    assertError(await call("POST", "/auth/magic-link", { json: { email: "not-an-address" } }), 400, "ERR_INVALID_ARGUMENT");
    const { challenge } = (await call("POST", "/auth/sms", { json: { phone: "+15555558888" } })).body;
    assertError(await call("POST", "/auth/sms/verify", { json: { challenge, code: "12ab56" } }), 400, "ERR_INVALID_ARGUMENT");
    assertError(await call("GET", "/api/me", { headers: { authorization: "Basic abc" } }), 401, "ERR_INVALID_ARGUMENT");
    assertError(await call("GET", "/api/me", { token: "x".repeat(20_000) }), 401, "ERR_JWS_INVALID");
    assertError(await call("GET", "/auth/password"), 405, "ERR_METHOD_NOT_ALLOWED");
    assertError(await call("GET", "/nope"), 404, "ERR_NOT_FOUND");
    assertError(await call("POST", "/auth/password", { json: { email: "a@b.c", password: "x" }, headers: { origin: "https://evil.example" } }), 403, "ERR_FORBIDDEN");
  });

  test("rate limits answer 429 with Retry-After (per client address and per destination)", async () => {
    const call = client(base);
    let last;
    for (let i = 0; i < 11; i++) last = await call("POST", "/auth/password", { json: { email: "limit@example.com", password: "x" } });
    assertError(last, 429, "ERR_RATE_LIMITED");
    assert.ok(Number(last.headers.get("retry-after")) > 0);

    // One destination from many addresses.
    let answer;
    for (let i = 0; i < 6; i++) answer = await client(base)("POST", "/auth/magic-link", { json: { email: "flooded@example.com" } });
    assertError(answer, 429, "ERR_RATE_LIMITED");
    assert.ok(Number(answer.headers.get("retry-after")) > 0);
  });

  test("wrong passwords from one address cannot lock an account for anyone else; right ones are not counted", async () => {
    const attacker = client(base);
    const grace = { email: USERS.grace.email, password: USERS.grace.password };
    // Right passwords first (within the 10 a minute an address may try): were they counted as
    // failures, the wrong ones below would meet a 429 early.
    for (let i = 0; i < 4; i++) assert.equal((await attacker("POST", "/auth/password", { json: grace })).status, 200);
    for (let i = 0; i < 5; i++) assertError(await attacker("POST", "/auth/password", { json: { ...grace, password: "wrong" } }), 401, "ERR_INVALID_CREDENTIALS");
    // That address is now held back for this account (even with the right password)...
    const held = await attacker("POST", "/auth/password", { json: grace });
    assertError(held, 429, "ERR_RATE_LIMITED");
    assert.ok(Number(held.headers.get("retry-after")) > 0);
    // ...while grace, from her own address, signs in.
    const own = await client(base)("POST", "/auth/password", { json: { ...grace, email: " GRACE@example.com " } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
  });

  test("flooding SMS sign-in codes to a two-factor user's phone does not lock out their password sign-in", async () => {
    // Anyone who knows ada's number can exhaust the SMS sign-in limit for it...
    let flood;
    for (let i = 0; i < 8 && flood?.status !== 429; i++) flood = await client(base)("POST", "/auth/sms", { json: { phone: USERS.ada.phone } });
    assertError(flood, 429, "ERR_RATE_LIMITED");
    // ...but the two-factor code after her correct password has a limit of its own.
    const head = await outboxHead(base);
    const call = client(base);
    const first = await call("POST", "/auth/password", { json: { email: USERS.ada.email, password: USERS.ada.password } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.twoFactor, true);
    const code = codeOf(await outboxMessage(base, USERS.ada.phone, head));
    const ok = await call("POST", "/auth/2fa/verify", { json: { pendingToken: first.body.pendingToken, challenge: first.body.challenge, code } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test("the ledger persists across a restart: reuse is still detected", async () => {
    const call = client(base);
    const s0 = await nativeSession(call, USERS.grace);
    const s1 = (await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } })).body;
    const head = await outboxHead(base);
    await worker.stop();
    worker = await startWorker(home, { ACCESS_TTL, REFRESH_REUSE_GRACE: 0 });
    base = worker.url;
    const again = client(base);
    assert.equal(await outboxHead(base), head, "the outbox persisted too");
    const s2 = await again("POST", "/auth/refresh", { json: { refreshToken: s1.refreshToken } });
    assert.equal(s2.status, 200, "the current generation still rotates after the restart");
    assert.equal((await again("GET", "/api/me", { token: s2.body.accessToken })).status, 200);
    assertError(await again("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } }), 401, "ERR_TOKEN_REUSED");
    assertError(await again("GET", "/api/me", { token: s2.body.accessToken }), 401, "ERR_SESSION_REVOKED");
    assertError(await again("POST", "/auth/refresh", { json: { refreshToken: s2.body.refreshToken } }), 401, "ERR_SESSION_REVOKED");
  });
});

describe("a misconfigured worker answers 500 ERR_NOT_CONFIGURED and logs the detail", () => {
  const cases = [
    { name: "REFRESH_REUSE_GRACE=abc", vars: { REFRESH_REUSE_GRACE: "abc" }, secrets: {}, detail: /configuration: .*refreshReuseGrace|configuration: .*REFRESH_REUSE_GRACE/i },
    { name: "a malformed SIGNING_JWK", vars: {}, secrets: { SIGNING_JWK: '{"kty":"OKP","crv":"Ed25519","x":"not-a-key"}' }, detail: /configuration: .*SIGNING_JWK/ },
    { name: "a SIGNING_JWK that is not JSON", vars: {}, secrets: { SIGNING_JWK: "{not json" }, detail: /configuration: .*SIGNING_JWK/ },
    { name: "a PUBLIC_ORIGIN that is not an origin", vars: { PUBLIC_ORIGIN: "https://auth.example/app" }, secrets: {}, detail: /configuration: PUBLIC_ORIGIN must be an origin/ },
  ];
  const running = [];
  before(async () => {
    await Promise.all(
      cases.map(async (c) => {
        c.home = await workerHome(c.secrets);
        running.push(c);
        c.worker = await startWorker(c.home, c.vars, { anyAnswer: true });
      }),
    );
  });
  after(async () => {
    for (const c of running) {
      await c.worker?.stop();
      c.home?.remove();
    }
  });

  for (const c of cases) {
    test(c.name, async () => {
      const call = client(c.worker.url);
      const answers = [
        await call("GET", "/.well-known/jwks.json"),
        await call("POST", "/auth/password", { json: { email: USERS.grace.email, password: USERS.grace.password } }),
        await call("POST", "/auth/refresh", { json: { refreshToken: "x.y.z" } }),
        await call("GET", "/api/me", { token: "x.y.z" }),
      ];
      for (const r of answers) {
        assertError(r, 500, "ERR_NOT_CONFIGURED");
        assert.equal(r.body.error.message, "the server is not configured", "a generic message, not the detail");
        assert.doesNotMatch(r.text, /REFRESH_REUSE_GRACE|refreshReuseGrace|JWK|not-a-key|PUBLIC_ORIGIN|auth\.example/i);
      }
      const deadline = Date.now() + 5000;
      while (!c.detail.test(c.worker.output()) && Date.now() < deadline) await sleep(100);
      assert.match(c.worker.output(), c.detail, "the detail goes to the log");
    });
  }
});

describe("a worker with PUBLIC_ORIGIN and wrangler.toml's other vars", () => {
  const PUBLIC_ORIGIN = "https://auth.example";
  let home2;
  let worker2;
  let pkg2;
  before(async () => {
    pkg2 = await edgeJwt();
    home2 = await workerHome({ AUTH_SECRET });
    worker2 = await startWorker(home2, { PUBLIC_ORIGIN });
  });
  after(async () => {
    await worker2?.stop();
    home2?.remove();
  });

  test("magic links are built from PUBLIC_ORIGIN whatever the Host header, and only its callback redeems", async () => {
    const base2 = worker2.url;
    const head = await outboxHead(base2);
    const asked = await rawPost(base2, "/auth/magic-link", { email: USERS.grace.email }, { host: "evil.example" });
    assert.equal(asked.status, 200, asked.text);
    const mail = await outboxMessage(base2, USERS.grace.email, head);
    assert.ok(mail.link.startsWith(`${PUBLIC_ORIGIN}/auth/magic?la=`), mail.link);
    assert.ok(!mail.text.includes("evil.example"), mail.text);

    const call = client(base2);
    const path = mail.link.slice(PUBLIC_ORIGIN.length);
    const page = await call("GET", path);
    assert.equal(page.status, 200, "the confirm page checks the link against PUBLIC_ORIGIN");
    assert.match(page.text, /Grace Hopper/);

    // A link to the address the request came in on is not the public callback.
    const local = signer(pkg2).createMagicLink({ sub: "usr_grace", email: USERS.grace.email, url: `${base2}/auth/magic?la=x` });
    assertError(await call("POST", "/auth/magic", { json: { url: local.url } }), 401, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assertError(await call("POST", "/auth/magic", { json: { token: local.token } }), 401, "ERR_JWT_CLAIM_VALIDATION_FAILED");

    const attempt = `la=${cookieValue(asked.cookies.get("la"))}`;
    const signedIn = await call("POST", "/auth/magic", { json: { url: mail.link }, cookie: attempt, headers: { origin: PUBLIC_ORIGIN } });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.sameBrowser, true);
    assert.equal(signedIn.body.user.email, USERS.grace.email);

    // Cross-origin posts are judged against PUBLIC_ORIGIN as well.
    assertError(await call("POST", "/auth/magic-link", { json: { email: USERS.grace.email }, headers: { origin: base2 } }), 403, "ERR_FORBIDDEN");
  });

  test("REFRESH_REUSE_GRACE (10 s in wrangler.toml): a refresh token reused at once gets the same successor; later reuse revokes", async () => {
    const call = client(worker2.url);
    const s0 = (await call("POST", "/auth/password", { json: { email: USERS.alan.email, password: USERS.alan.password, client: "native" } })).body;
    const s1 = await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } });
    assert.equal(s1.status, 200, JSON.stringify(s1.body));
    const again = await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.refreshToken, s1.body.refreshToken, "the same successor (two tabs racing)");
    assert.equal(again.body.accessToken, s1.body.accessToken);
    const s2 = await call("POST", "/auth/refresh", { json: { refreshToken: s1.body.refreshToken } });
    assert.equal(s2.status, 200, "the session carries on");
    // s0 is now two generations old: reuse revokes the session.
    assertError(await call("POST", "/auth/refresh", { json: { refreshToken: s0.refreshToken } }), 401, "ERR_TOKEN_REUSED");
    assertError(await call("GET", "/api/me", { token: s2.body.accessToken }), 401, "ERR_SESSION_REVOKED");
  });
});
