// The sign-in flows through the packed package: Auth, MemoryLedger, StoreLedger, totpCode.
// Every flow end to end with its main failures as JwtError instances with the right `code` (and
// `claim`); methods that can take a ledger return promises with or without one; a ledger's own
// failure reaches the caller as that very error; 100 concurrent refreshes make one generation.
// (The rules themselves are tested in Rust: tests/flows_*.rs.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { forceTrap, importPackage } from "../package/helpers.mjs";

const { Auth, MemoryLedger, StoreLedger, JwtError, Key, KeySet, sign, verify, decode, totpCode } = await importPackage();

const SECRET = "flows-js-test-secret-of-32-bytes";
const SECRET_2 = new Uint8Array(32).fill(7);
const BASE = { issuer: "https://id.example", audience: "api", secret: SECRET };
const auth = new Auth(BASE);

function check(error, code, extra = {}) {
  assert.ok(error instanceof JwtError, `expected a JwtError ${code}, got ${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.code, code, error.message);
  for (const [name, value] of Object.entries(extra)) assert.equal(error[name], value, `${name} of ${error.message}`);
  return error;
}

/** What `fn` threw (failing the test when it did not throw). */
function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected a throw");
}

const throwsJwt = (fn, code, extra) => check(thrown(fn), code, extra);

async function rejectsJwt(promise, code, extra) {
  assert.ok(promise instanceof Promise, "a flow that can take a ledger returns a Promise");
  let caught;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught, `expected a rejection with ${code}`);
  return check(caught, code, extra);
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = (token) => JSON.parse(Buffer.from(token.split(".")[0], "base64url"));
const payload = (token) => Buffer.from(token.split(".")[1], "base64url").toString();
/** The token with its header edited; payload and signature kept. */
function reheader(token, edit) {
  const [, body, signature] = token.split(".");
  return `${b64(edit(header(token)))}.${body}.${signature}`;
}
const wrongCode = (code) => [...code].map((d) => String((Number(d) + 1) % 10)).join("");

test("sessions: issue, verify, refresh (a Promise with or without a ledger), sync methods stay sync", async () => {
  const session = auth.issueSession({ sub: "ada", role: "admin", scope: ["read", "write"], claims: { tenant: "t1" }, amr: ["pwd"] });
  assert.ok(!(session instanceof Promise));
  assert.deepEqual(Object.keys(session).sort(), ["accessToken", "expiresIn", "refreshExpiresIn", "refreshToken", "sessionId", "tokenType"]);
  assert.equal(session.tokenType, "Bearer");
  assert.equal(session.expiresIn, 900);
  assert.equal(session.refreshExpiresIn, 30 * 86400);
  assert.equal(header(session.accessToken).typ, "at+jwt");
  const claims = auth.verifyAccessToken(session.accessToken, { role: "admin", scope: "read" });
  assert.equal(claims.sub, "ada");
  assert.equal(claims.sid, session.sessionId);
  assert.equal(claims.scope, "read write");
  assert.equal(claims.tenant, "t1");
  assert.deepEqual(claims.amr, ["pwd"]);
  throwsJwt(() => auth.verifyAccessToken(session.accessToken, { role: "user" }), "ERR_JWT_CLAIM_VALIDATION_FAILED", { claim: "role" });
  throwsJwt(() => auth.verifyAccessToken(session.accessToken, { scope: ["read", "delete"] }), "ERR_JWT_CLAIM_VALIDATION_FAILED", { claim: "scope" });

  const stateless = auth.refreshSession(session.refreshToken);
  assert.ok(stateless instanceof Promise);
  const next = await stateless;
  assert.equal(next.sessionId, session.sessionId);
  assert.equal(JSON.parse(payload(next.refreshToken)).gen, 1);
  assert.equal(auth.verifyAccessToken(next.accessToken).role, "admin");
  const withLedger = auth.refreshSession(session.refreshToken, { ledger: new MemoryLedger(), accessToken: session.accessToken });
  assert.ok(withLedger instanceof Promise);
  assert.equal((await withLedger).sessionId, session.sessionId);

  const token = auth.issueAccessToken({ sub: "bob", sid: "s1", amr: ["pwd"], scope: "read" });
  assert.equal(typeof token, "string");
  assert.equal(auth.verifyAccessToken(token).sid, "s1");
});

test("refresh with a ledger: grace returns the same successor, an older generation revokes the family, revokeSession", async () => {
  const ledger = new MemoryLedger();
  const first = auth.issueSession({ sub: "ada" });
  const second = await auth.refreshSession(first.refreshToken, { ledger });
  assert.deepEqual(await auth.refreshSession(first.refreshToken, { ledger }), second, "a racing tab gets the same successor");
  const third = await auth.refreshSession(second.refreshToken, { ledger });
  await rejectsJwt(auth.refreshSession(first.refreshToken, { ledger }), "ERR_TOKEN_REUSED");
  assert.equal(await ledger.isRevoked(first.sessionId), true);
  await rejectsJwt(auth.refreshSession(third.refreshToken, { ledger }), "ERR_SESSION_REVOKED");

  const other = auth.issueSession({ sub: "ada" });
  const revoked = auth.revokeSession(other.sessionId, ledger);
  assert.ok(revoked instanceof Promise);
  assert.equal(await revoked, undefined);
  await rejectsJwt(auth.refreshSession(other.refreshToken, { ledger }), "ERR_SESSION_REVOKED");
  await rejectsJwt(auth.revokeSession(other.sessionId), "ERR_INVALID_ARGUMENT");
});

test("refresh with a zero grace: replaying the previous token a second later is reuse", async () => {
  const strict = new Auth({ ...BASE, refreshReuseGrace: 0 });
  const ledger = new MemoryLedger();
  const first = strict.issueSession({ sub: "ada" });
  const second = await strict.refreshSession(first.refreshToken, { ledger });
  await sleep(1100);
  await rejectsJwt(strict.refreshSession(first.refreshToken, { ledger }), "ERR_TOKEN_REUSED");
  await rejectsJwt(strict.refreshSession(second.refreshToken, { ledger }), "ERR_SESSION_REVOKED");
});

test("the access token beside a refresh must share its sub and sid", async () => {
  const session = auth.issueSession({ sub: "ada" });
  const other = auth.issueSession({ sub: "ada" });
  const bob = auth.issueSession({ sub: "bob" });
  await rejectsJwt(auth.refreshSession(session.refreshToken, { accessToken: other.accessToken }), "ERR_SUBJECT_MISMATCH", { claim: "sid" });
  await rejectsJwt(auth.refreshSession(session.refreshToken, { accessToken: bob.accessToken }), "ERR_SUBJECT_MISMATCH", { claim: "sub" });
});

test("100 concurrent refreshes of one token: all succeed with the same successor, one new generation", async () => {
  const ledger = new MemoryLedger();
  const rotations = [];
  const spy = {
    consume: (...a) => ledger.consume(...a),
    countAttempt: (...a) => ledger.countAttempt(...a),
    revoke: (...a) => ledger.revoke(...a),
    isRevoked: (...a) => ledger.isRevoked(...a),
    async rotate(...args) {
      const answer = await ledger.rotate(...args);
      rotations.push(answer.status);
      return answer;
    },
  };
  const first = auth.issueSession({ sub: "ada" });
  const results = await Promise.all(Array.from({ length: 100 }, () => auth.refreshSession(first.refreshToken, { ledger: spy })));
  assert.equal(results.length, 100);
  for (const session of results) assert.deepEqual(session, results[0]);
  assert.equal(JSON.parse(payload(results[0].refreshToken)).gen, 1);
  assert.equal(rotations.filter((s) => s === "rotated").length, 1);
  assert.equal(rotations.filter((s) => s === "grace").length, 99);
  // The family is at generation 1: the successor rotates, the first token is now two behind.
  const next = await auth.refreshSession(results[0].refreshToken, { ledger });
  assert.equal(JSON.parse(payload(next.refreshToken)).gen, 2);
});

test("expiry: access, magic link and OTP challenge; an expired access token still goes with a valid refresh", async () => {
  const short = new Auth({ ...BASE, accessTtl: 1, refreshTtl: "1h" });
  const session = short.issueSession({ sub: "ada" });
  const link = short.createMagicLink({ sub: "ada", url: "https://app.example/cb", ttl: 1 });
  const otp = short.createOtpChallenge({ sub: "ada", channel: "sms", ttl: 1 });
  await sleep(2100);
  throwsJwt(() => short.verifyAccessToken(session.accessToken), "ERR_JWT_EXPIRED", { claim: "exp" });
  await rejectsJwt(short.redeemMagicLink(link.url), "ERR_JWT_EXPIRED", { claim: "exp" });
  await rejectsJwt(short.verifyOtp(otp.challenge, otp.code), "ERR_JWT_EXPIRED", { claim: "exp" });
  const next = await short.refreshSession(session.refreshToken, { accessToken: session.accessToken });
  assert.equal(next.sessionId, session.sessionId);
});

test("magic links: URL binding, query and fragment kept, single use with a ledger", async () => {
  const link = auth.createMagicLink({ sub: "ada", email: "ada@example.com", url: "https://app.example/cb?next=%2Fhome#top" });
  assert.deepEqual(Object.keys(link).sort(), ["expiresAt", "jti", "token", "url"]);
  assert.equal(link.url, `https://app.example/cb?next=%2Fhome&token=${link.token}#top`);
  assert.equal(header(link.token).typ, "magic-link+jwt");
  assert.ok(Math.abs(link.expiresAt - (Date.now() / 1000 + 900)) < 5);
  const claims = await auth.redeemMagicLink(link.url);
  assert.equal(claims.sub, "ada");
  assert.equal(claims.email, "ada@example.com");
  assert.equal((await auth.redeemMagicLink(link.token)).sub, "ada");
  await rejectsJwt(auth.redeemMagicLink(`https://evil.example/cb?next=%2Fhome&token=${link.token}`), "ERR_JWT_CLAIM_VALIDATION_FAILED", { claim: "url" });
  await rejectsJwt(auth.redeemMagicLink(`https://app.example/cb?next=%2Fadmin&token=${link.token}`), "ERR_JWT_CLAIM_VALIDATION_FAILED", { claim: "url" });
  const ledger = new MemoryLedger();
  await auth.redeemMagicLink(link.url, { ledger });
  await rejectsJwt(auth.redeemMagicLink(link.url, { ledger }), "ERR_TOKEN_REUSED");
  throwsJwt(() => auth.createMagicLink({ sub: "ada", url: "javascript:alert(1)" }), "ERR_INVALID_ARGUMENT", { claim: "url" });
  throwsJwt(() => auth.createMagicLink({ sub: "ada", url: "https://app.example/cb", ttl: "2d" }), "ERR_INVALID_ARGUMENT", { claim: "ttl" });
});

test("one-time codes: right and wrong codes, normalisation, attempts, single use; the code is not in the challenge", async () => {
  const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  assert.deepEqual(Object.keys(otp).sort(), ["challenge", "code", "expiresAt", "jti"]);
  assert.match(otp.code, /^\d{6}$/);
  assert.equal(header(otp.challenge).typ, "otp-challenge+jwt");
  const claims = JSON.parse(payload(otp.challenge));
  assert.ok(!Object.values(claims).some((v) => String(v).includes(otp.code)), "no claim holds the code");
  assert.equal((await auth.verifyOtp(otp.challenge, otp.code)).sub, "ada");
  await auth.verifyOtp(otp.challenge, `${otp.code.slice(0, 3)} ${otp.code.slice(3)}`);
  await auth.verifyOtp(otp.challenge, `${otp.code.slice(0, 3)}-${otp.code.slice(3)}`);
  await rejectsJwt(auth.verifyOtp(otp.challenge, "12a456"), "ERR_INVALID_ARGUMENT");
  await rejectsJwt(auth.verifyOtp(otp.challenge, wrongCode(otp.code)), "ERR_OTP_MISMATCH");

  const ledger = new MemoryLedger();
  const limited = auth.createOtpChallenge({ sub: "ada", channel: "email", digits: 8 });
  assert.match(limited.code, /^\d{8}$/);
  for (let i = 0; i < 5; i++) await rejectsJwt(auth.verifyOtp(limited.challenge, wrongCode(limited.code), { ledger }), "ERR_OTP_MISMATCH");
  await rejectsJwt(auth.verifyOtp(limited.challenge, limited.code, { ledger }), "ERR_OTP_ATTEMPTS_EXCEEDED");

  const once = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  assert.equal((await auth.verifyOtp(once.challenge, once.code, { ledger })).chn, "sms");
  await rejectsJwt(auth.verifyOtp(once.challenge, once.code, { ledger }), "ERR_TOKEN_REUSED");
  throwsJwt(() => auth.createOtpChallenge({ sub: "ada", channel: "fax" }), "ERR_INVALID_ARGUMENT", { claim: "channel" });
  throwsJwt(() => auth.createOtpChallenge({ sub: "ada", channel: "sms", digits: 3 }), "ERR_INVALID_ARGUMENT", { claim: "digits" });
});

test("two-factor: amr per method, another user's code, a method not enabled, single use of the pending token", async () => {
  const ledger = new MemoryLedger();
  for (const [method, amr] of [["sms", "sms"], ["email", "otp"]]) {
    const pending = auth.beginTwoFactor({ sub: "ada", methods: [method], role: "admin" });
    assert.deepEqual(pending.methods, [method]);
    assert.equal(header(pending.pendingToken).typ, "2fa-pending+jwt");
    const otp = auth.createOtpChallenge({ sub: "ada", channel: method });
    const session = await auth.completeTwoFactor(pending.pendingToken, otp.challenge, otp.code, { ledger });
    const claims = auth.verifyAccessToken(session.accessToken, { role: "admin" });
    assert.deepEqual(claims.amr, ["pwd", amr, "mfa"]);
    const again = auth.createOtpChallenge({ sub: "ada", channel: method });
    await rejectsJwt(auth.completeTwoFactor(pending.pendingToken, again.challenge, again.code, { ledger }), "ERR_TOKEN_REUSED");
  }
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  const pending = auth.beginTwoFactor({ sub: "ada", methods: ["sms", "totp"] });
  const session = await auth.completeTwoFactor(pending.pendingToken, { totp: secret }, totpCode(secret));
  assert.deepEqual(auth.verifyAccessToken(session.accessToken).amr, ["pwd", "otp", "mfa"]);

  const mallory = auth.createOtpChallenge({ sub: "mallory", channel: "sms" });
  await rejectsJwt(auth.completeTwoFactor(pending.pendingToken, mallory.challenge, mallory.code), "ERR_SUBJECT_MISMATCH", { claim: "sub" });
  const email = auth.createOtpChallenge({ sub: "ada", channel: "email" });
  await rejectsJwt(auth.completeTwoFactor(pending.pendingToken, email.challenge, email.code), "ERR_JWT_CLAIM_VALIDATION_FAILED", { claim: "mth" });
  throwsJwt(() => auth.beginTwoFactor({ sub: "ada", methods: ["pigeon"] }), "ERR_INVALID_ARGUMENT", { claim: "methods" });
  await rejectsJwt(auth.completeTwoFactor(pending.pendingToken, 42, "123456"), "ERR_INVALID_ARGUMENT");
});

test("TOTP: RFC 6238 Appendix B (SHA-1, 8 digits) through totpCode; single use within the window with a ledger", async () => {
  const seed = new TextEncoder().encode("12345678901234567890");
  const vectors = { 59: "94287082", 1111111109: "07081804", 1111111111: "14050471", 1234567890: "89005924", 2000000000: "69279037", 20000000000: "65353130" };
  for (const [now, code] of Object.entries(vectors)) assert.equal(totpCode(seed, { now: Number(now), digits: 8 }), code, `T = ${now}`);
  assert.equal(totpCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", { now: 59, digits: 8 }), "94287082", "base32 secret");
  throwsJwt(() => totpCode(seed, { now: 59_000_000_000_000 }), "ERR_INVALID_ARGUMENT");

  const ledger = new MemoryLedger();
  const code = totpCode(seed);
  const first = auth.beginTwoFactor({ sub: "ada", methods: ["totp"] });
  await auth.completeTwoFactor(first.pendingToken, { totp: seed }, code, { ledger });
  const second = auth.beginTwoFactor({ sub: "ada", methods: ["totp"] });
  await rejectsJwt(auth.completeTwoFactor(second.pendingToken, { totp: seed }, code, { ledger }), "ERR_TOKEN_REUSED");
  await rejectsJwt(auth.completeTwoFactor(second.pendingToken, { totp: seed }, wrongCode(code)), "ERR_OTP_MISMATCH");
});

test("a used TOTP code stays in the ledger until the end of its window", async () => {
  const seed = new TextEncoder().encode("12345678901234567890");
  const consumed = [];
  const inner = new MemoryLedger();
  const spy = {
    consume(id, expiresAt) {
      consumed.push([id, expiresAt]);
      return inner.consume(id, expiresAt);
    },
    countAttempt: (...a) => inner.countAttempt(...a),
    rotate: (...a) => inner.rotate(...a),
    revoke: (...a) => inner.revoke(...a),
    isRevoked: (...a) => inner.isRevoked(...a),
  };
  const pending = auth.beginTwoFactor({ sub: "ada", methods: ["totp"] });
  const now = Math.floor(Date.now() / 1000);
  const nextStep = (Math.floor(now / 30) + 1) * 30;
  const early = totpCode(seed, { now: nextStep }); // the next step's code, accepted as drift
  await auth.completeTwoFactor(pending.pendingToken, { totp: seed }, early, { ledger: spy });
  const [, keptUntil] = consumed.find(([id]) => id.startsWith("totp:"));
  assert.ok(keptUntil >= nextStep + 60, `kept until ${keptUntil}, valid until ${nextStep + 60}`);
});

test("every kind of token is refused by every other kind's verifier with ERR_TOKEN_PURPOSE", async () => {
  const session = auth.issueSession({ sub: "ada" });
  const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  const tokens = {
    access: session.accessToken,
    refresh: session.refreshToken,
    magic: auth.createMagicLink({ sub: "ada", url: "https://app.example/cb" }).token,
    otp: otp.challenge,
    pending: auth.beginTwoFactor({ sub: "ada", methods: ["sms"] }).pendingToken,
  };
  const verifiers = {
    access: async (t) => auth.verifyAccessToken(t),
    refresh: (t) => auth.refreshSession(t),
    magic: (t) => auth.redeemMagicLink(t),
    otp: (t) => auth.verifyOtp(t, otp.code),
    pending: (t) => auth.completeTwoFactor(t, otp.challenge, otp.code),
  };
  let pairs = 0;
  for (const [made, token] of Object.entries(tokens)) {
    await verifiers[made](token);
    for (const [shown, open] of Object.entries(verifiers)) {
      if (shown === made) continue;
      await rejectsJwt(open(token), "ERR_TOKEN_PURPOSE", { claim: "typ" });
      pairs++;
    }
  }
  assert.equal(pairs, 20);
  // A refresh token relabelled as an access token keeps the refresh signature: it fails.
  const forged = reheader(session.refreshToken, (h) => ({ ...h, typ: "at+jwt" }));
  throwsJwt(() => auth.verifyAccessToken(forged), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  const [h, , sig] = session.accessToken.split(".");
  const tampered = `${h}.${b64({ ...JSON.parse(payload(session.accessToken)), role: "admin" })}.${sig}`;
  throwsJwt(() => auth.verifyAccessToken(tampered), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
});

test("secret rotation: previousSecrets still verify, new tokens carry a new kid, a removed secret fails", async () => {
  const old = new Auth({ ...BASE });
  const rotated = new Auth({ ...BASE, secret: SECRET_2, previousSecrets: [SECRET] });
  const later = new Auth({ ...BASE, secret: "a-third-secret-of-at-least-32-by", previousSecrets: [SECRET_2] });
  const session = old.issueSession({ sub: "ada" });
  assert.equal(rotated.verifyAccessToken(session.accessToken).sub, "ada");
  const next = await rotated.refreshSession(session.refreshToken, { accessToken: session.accessToken });
  assert.notEqual(header(next.accessToken).kid, header(session.accessToken).kid);
  assert.equal(header(next.refreshToken).kid, header(next.accessToken).kid);
  assert.equal(later.verifyAccessToken(next.accessToken).sub, "ada");
  throwsJwt(() => later.verifyAccessToken(session.accessToken), "ERR_JWKS_NO_MATCHING_KEY");
  const otp = old.createOtpChallenge({ sub: "ada", channel: "sms" });
  assert.equal((await rotated.verifyOtp(otp.challenge, otp.code)).sub, "ada");
});

test("asymmetric access tokens (EdDSA, ES256) verify with the published JWKS", () => {
  for (const alg of ["EdDSA", "ES256"]) {
    const key = Key.generate(alg);
    const signed = new Auth({ ...BASE, signingKey: key });
    const session = signed.issueSession({ sub: "ada" });
    assert.equal(header(session.accessToken).alg, alg);
    assert.equal(header(session.accessToken).kid, key.kid);
    assert.equal(header(session.refreshToken).alg, "HS256");
    const jwks = signed.jwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].d, undefined);
    const { claims } = verify(session.accessToken, KeySet.fromJwks(jwks), { algorithms: [alg], issuer: BASE.issuer, audience: "api", typ: "at+jwt" });
    assert.equal(claims.sid, session.sessionId);
    assert.equal(signed.verifyAccessToken(session.accessToken).sub, "ada");
    throwsJwt(() => signed.verifyAccessToken(auth.issueAccessToken({ sub: "ada" })), "ERR_JOSE_ALG_NOT_ALLOWED");
  }
  assert.deepEqual(auth.jwks(), { keys: [] });
});

test("Auth options: a bad field is named in `claim`", () => {
  const cases = [
    [{ issuer: undefined }, "issuer"],
    [{ issuer: "" }, "issuer"],
    [{ audience: 42 }, "audience"],
    [{ secret: undefined }, "secret"],
    [{ secret: "too short" }, "secret"],
    [{ secret: 42 }, "secret"],
    [{ previousSecrets: [42] }, "previousSecrets"],
    [{ previousSecrets: "not a list" }, "previousSecrets"],
    [{ previousSecrets: ["too short"] }, "previousSecrets"],
    [{ signingKey: "not a key" }, "signingKey"],
    [{ signingKey: Key.fromSecret(SECRET, "HS256") }, "signingKey"],
    [{ signingKey: Key.generate("ES256").publicKey() }, "signingKey"],
    [{ accessTtl: 0 }, "accessTtl"],
    [{ accessTtl: "soon" }, "accessTtl"],
    [{ refreshTtl: "400d" }, "refreshTtl"],
    [{ refreshTtl: "100d", sessionMaxAge: "90d" }, "refreshTtl"],
    [{ sessionMaxAge: "6y" }, "sessionMaxAge"],
    [{ magicLinkTtl: "2d" }, "magicLinkTtl"],
    [{ otpTtl: -1 }, "otpTtl"],
    [{ twoFactorTtl: 0 }, "twoFactorTtl"],
    [{ otpDigits: 3 }, "otpDigits"],
    [{ otpDigits: 6.5 }, "otpDigits"],
    [{ otpMaxAttempts: 0 }, "otpMaxAttempts"],
    [{ refreshReuseGrace: 301 }, "refreshReuseGrace"],
    [{ leeway: -1 }, "leeway"],
  ];
  for (const [change, field] of cases) {
    const error = throwsJwt(() => new Auth({ ...BASE, ...change }), "ERR_INVALID_ARGUMENT");
    assert.equal(error.claim, field, `${JSON.stringify(change)}: ${error.message}`);
  }
  throwsJwt(() => new Auth(), "ERR_INVALID_ARGUMENT");
  throwsJwt(() => new Auth({ ...BASE, secrets: [] }), "ERR_INVALID_ARGUMENT");
  assert.ok(new Auth({ ...BASE, accessTtl: "5m", refreshTtl: "7d", sessionMaxAge: "30d", otpDigits: 8, leeway: 5 }));
});

test("bad arguments: sync methods throw, ledger methods reject (never throw)", async () => {
  throwsJwt(() => auth.issueSession({}), "ERR_INVALID_ARGUMENT", { claim: "sub" });
  throwsJwt(() => auth.issueAccessToken({ sub: "ada", claims: { exp: 1 } }), "ERR_INVALID_ARGUMENT", { claim: "exp" });
  throwsJwt(() => auth.verifyAccessToken(42), "ERR_INVALID_ARGUMENT");
  for (const call of [
    () => auth.refreshSession(42),
    () => auth.refreshSession("x", { ledger: {} }),
    () => auth.refreshSession("x", { unknown: 1 }),
    () => auth.redeemMagicLink(undefined),
    () => auth.verifyOtp("x", 123456),
    () => auth.completeTwoFactor("x", "y", null),
    () => auth.revokeSession("sid", { consume() {} }),
  ]) {
    let result;
    assert.doesNotThrow(() => {
      result = call();
    });
    await rejectsJwt(result, "ERR_INVALID_ARGUMENT");
  }
});

test("a ledger that throws or rejects: the flow rejects with that very error", async () => {
  const boom = new Error("the ledger's own failure");
  const memory = new MemoryLedger();
  const failing = (method, mode) => ({
    consume: (...a) => memory.consume(...a),
    countAttempt: (...a) => memory.countAttempt(...a),
    rotate: (...a) => memory.rotate(...a),
    revoke: (...a) => memory.revoke(...a),
    isRevoked: (...a) => memory.isRevoked(...a),
    [method]: mode === "throw" ? () => { throw boom; } : async () => { throw boom; },
  });
  for (const mode of ["throw", "reject"]) {
    const session = auth.issueSession({ sub: "ada" });
    const link = auth.createMagicLink({ sub: "ada", url: "https://app.example/cb" });
    const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
    const runs = [
      () => auth.refreshSession(session.refreshToken, { ledger: failing("rotate", mode) }),
      () => auth.revokeSession(session.sessionId, failing("revoke", mode)),
      () => auth.redeemMagicLink(link.url, { ledger: failing("consume", mode) }),
      () => auth.verifyOtp(otp.challenge, otp.code, { ledger: failing("countAttempt", mode) }),
      () => auth.verifyOtp(otp.challenge, otp.code, { ledger: failing("consume", mode) }),
    ];
    for (const run of runs) {
      const result = run();
      assert.ok(result instanceof Promise);
      await assert.rejects(result, (error) => error === boom, `${mode}: ${run}`);
    }
  }
  // A ledger answering nonsense is an ERR_INVALID_ARGUMENT, not a success.
  const session = auth.issueSession({ sub: "ada" });
  await rejectsJwt(auth.refreshSession(session.refreshToken, { ledger: { ...failing("rotate", "throw"), rotate: () => ({ status: "ok" }) } }), "ERR_INVALID_ARGUMENT");
  // The instance is still fine.
  assert.equal(auth.verifyAccessToken(session.accessToken).sub, "ada");
});

test("StoreLedger over a custom synchronous store (values stored as JSON text)", async () => {
  const map = new Map();
  const store = {
    get: (key) => (map.has(key) ? JSON.parse(map.get(key)) : undefined),
    put: (key, value) => void map.set(key, JSON.stringify(value)),
    delete: (key) => map.delete(key),
  };
  const ledger = new StoreLedger(store);
  const link = auth.createMagicLink({ sub: "ada", url: "https://app.example/cb" });
  await auth.redeemMagicLink(link.url, { ledger });
  await rejectsJwt(auth.redeemMagicLink(link.url, { ledger }), "ERR_TOKEN_REUSED");
  const entry = JSON.parse(map.get(`used:magic-link:${link.jti}`));
  // Kept while the link still verifies (exp + leeway, 0 here) plus 60 s for a ledger clock ahead.
  assert.equal(entry.expiresAt, link.expiresAt + 60);

  const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  for (let i = 0; i < 5; i++) await rejectsJwt(auth.verifyOtp(otp.challenge, wrongCode(otp.code), { ledger }), "ERR_OTP_MISMATCH");
  await rejectsJwt(auth.verifyOtp(otp.challenge, otp.code, { ledger }), "ERR_OTP_ATTEMPTS_EXCEEDED");

  const first = auth.issueSession({ sub: "ada" });
  const second = await auth.refreshSession(first.refreshToken, { ledger });
  assert.deepEqual(await auth.refreshSession(first.refreshToken, { ledger }), second);
  const third = await auth.refreshSession(second.refreshToken, { ledger });
  await rejectsJwt(auth.refreshSession(first.refreshToken, { ledger }), "ERR_TOKEN_REUSED");
  await rejectsJwt(auth.refreshSession(third.refreshToken, { ledger }), "ERR_SESSION_REVOKED");
  assert.equal(JSON.parse(map.get(`family:${first.sessionId}`)).revoked, true);

  // Entries expire by the ledger's clock.
  let now = 1_000;
  const clocked = new StoreLedger(store, { now: () => now });
  assert.equal(await clocked.consume("x", 1_010), true);
  assert.equal(await clocked.consume("x", 1_010), false);
  now = 1_010;
  assert.equal(await clocked.consume("x", 1_020), true);
  assert.throws(() => new StoreLedger({ get() {}, put() {} }), TypeError);
});

test("MemoryLedger: the interface, promises, counts and sizes", async () => {
  let now = 100;
  const ledger = new MemoryLedger({ now: () => now });
  for (const method of ["consume", "countAttempt", "rotate", "revoke", "isRevoked"]) assert.ok(ledger[method]("a", 200, "s", { now, grace: 1, expiresAt: 200 }) instanceof Promise, method);
  assert.equal(await ledger.countAttempt("n", 200), 1);
  assert.equal(await ledger.countAttempt("n", 200), 2);
  now = 300;
  assert.equal(await ledger.countAttempt("n", 400), 1, "an expired count starts again");
  assert.deepEqual(await ledger.rotate("f", 0, "s1", { now, grace: 10, expiresAt: 1000 }), { status: "rotated" });
  assert.deepEqual(await ledger.rotate("f", 0, "s2", { now: now + 10, grace: 10, expiresAt: 1000 }), { status: "grace", successor: "s1" });
  assert.deepEqual(await ledger.rotate("f", 0, "s3", { now: now + 11, grace: 10, expiresAt: 1000 }), { status: "reused" });
  assert.deepEqual(await ledger.rotate("f", 1, "s4", { now: now + 12, grace: 10, expiresAt: 1000 }), { status: "revoked" });
  assert.equal(await ledger.isRevoked("f"), true);
  assert.equal(await ledger.isRevoked("g"), false);
  assert.equal(typeof ledger.size, "number");
  assert.ok(decode(auth.issueAccessToken({ sub: "ada" })).claims.jti);
});

test("an Auth rebuilt after a trap still has its secret, even if the caller wiped the Uint8Array it passed", () => {
  const internals = Key[Symbol.for("edge-jwt.internals")];
  const secret = new Uint8Array(32).map((_, i) => i + 1);
  const rotated = new Uint8Array(32).fill(9);
  const local = new Auth({ ...BASE, secret, previousSecrets: [rotated] });
  const token = local.issueAccessToken({ sub: "ada" });
  secret.fill(0); // what a careful caller does once the Auth holds the secret
  rotated.fill(0);
  const generation = internals.currentGeneration();
  assert.throws(() => forceTrap(internals), WebAssembly.RuntimeError);
  assert.equal(local.verifyAccessToken(token).sub, "ada", "the rebuilt Auth verifies its own earlier token");
  assert.equal(internals.currentGeneration(), generation + 1);
  // An all-zero secret would sign tokens this other Auth accepts; the snapshot does not.
  const zero = new Auth({ ...BASE, secret: new Uint8Array(32) });
  check(thrown(() => local.verifyAccessToken(zero.issueAccessToken({ sub: "mallory" }))), "ERR_JWKS_NO_MATCHING_KEY");
});

test("options that throw from a Proxy trap or getter are ERR_INVALID_ARGUMENT, and never wear the instance down", () => {
  const internals = Key[Symbol.for("edge-jwt.internals")];
  const generation = internals.currentGeneration();
  const key = Key.fromSecret(SECRET, "HS256");
  const token = auth.issueAccessToken({ sub: "ada" });
  const throwingKeys = new Proxy({}, { ownKeys() { throw new Error("trap"); } });
  for (let i = 0; i < 3000; i++) {
    check(thrown(() => verify(token, key, throwingKeys)), "ERR_INVALID_ARGUMENT");
  }
  const getter = Object.defineProperty([], "0", { get() { throw new Error("getter"); }, enumerable: true });
  check(thrown(() => verify(token, key, { algorithms: getter })), "ERR_INVALID_ARGUMENT");
  check(thrown(() => verify(token, key, { algorithms: { length: 1e9 } })), "ERR_INVALID_ARGUMENT");
  check(thrown(() => auth.issueAccessToken({ sub: "ada", scope: ["read write"] })), "ERR_INVALID_ARGUMENT", { claim: "scope" });
  check(thrown(() => auth.issueAccessToken({ sub: "ada\ud800" })), "ERR_INVALID_ARGUMENT");
  assert.equal(internals.currentGeneration(), generation, "no trap, no reset");
  assert.equal(auth.verifyAccessToken(token).sub, "ada");
});

test("redeemMagicLink with { url }: the bare token is refused at another callback, accepted at its own, once", async () => {
  const ledger = new MemoryLedger();
  const link = auth.createMagicLink({ sub: "ada", url: "https://a.example/auth/magic?la=1" });
  const refused = await rejectsJwt(auth.redeemMagicLink(link.token, { ledger, url: "https://evil.example/auth/magic" }), "ERR_JWT_CLAIM_VALIDATION_FAILED");
  assert.equal(refused.claim, "url");
  assert.equal((await auth.redeemMagicLink(link.token, { ledger, url: "https://a.example/auth/magic" })).sub, "ada");
  await rejectsJwt(auth.redeemMagicLink(link.token, { ledger, url: "https://a.example/auth/magic" }), "ERR_TOKEN_REUSED");
  await rejectsJwt(auth.redeemMagicLink(link.token, { ledger, url: 42 }), "ERR_INVALID_ARGUMENT");
});

test("a trap while a flow waits for its ledger: that call rejects at once, nothing is thrown uncaught, later calls work", async () => {
  const internals = Key[Symbol.for("edge-jwt.internals")];
  const memory = new MemoryLedger();
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  // A ledger whose first answer comes late (a Durable Object round trip, say).
  const slow = {
    consume: (...args) => memory.consume(...args),
    countAttempt: async (...args) => {
      await gate;
      return memory.countAttempt(...args);
    },
    rotate: (...args) => memory.rotate(...args),
    revoke: (...args) => memory.revoke(...args),
    isRevoked: (...args) => memory.isRevoked(...args),
  };
  const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  const waiting = auth.verifyOtp(otp.challenge, otp.code, { ledger: slow });
  assert.throws(() => forceTrap(internals), WebAssembly.RuntimeError);
  await assert.rejects(waiting, (error) => error instanceof Error && /abandoned/.test(error.message) && error.cause instanceof WebAssembly.RuntimeError);
  release(); // the late answer must not reach the dead (or the new) instance
  await sleep(20);
  const fresh = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  assert.equal((await auth.verifyOtp(fresh.challenge, fresh.code, { ledger: slow })).sub, "ada");
});

test("Auth options from a throwing Proxy or getter, over-long strings and codes: ERR_INVALID_ARGUMENT, no trap", async () => {
  const internals = Key[Symbol.for("edge-jwt.internals")];
  const generation = internals.currentGeneration();
  check(thrown(() => new Auth(new Proxy({}, { ownKeys() { throw new Error("trap"); } }))), "ERR_INVALID_ARGUMENT");
  check(thrown(() => new Auth({ ...BASE, get issuer() { throw new Error("getter"); } })), "ERR_INVALID_ARGUMENT");
  check(thrown(() => new Auth({ ...BASE, previousSecrets: { length: 1e9 } })), "ERR_INVALID_ARGUMENT");
  const long = "\u0800".repeat(20_000); // 60 KB of UTF-8, over the 16 Ki-character cap
  check(thrown(() => new Auth({ ...BASE, issuer: long })), "ERR_INVALID_ARGUMENT");
  check(thrown(() => auth.createMagicLink({ sub: "ada", email: long, url: "https://a.example/cb" })), "ERR_INVALID_ARGUMENT");
  check(thrown(() => Key.fromSecret("s".repeat(70_000), "HS256")), "ERR_INVALID_ARGUMENT");
  const key = Key.fromSecret(SECRET, "HS256");
  check(thrown(() => sign({}, key, { audience: long })), "ERR_INVALID_ARGUMENT");
  const otp = auth.createOtpChallenge({ sub: "ada", channel: "sms" });
  await rejectsJwt(auth.verifyOtp(otp.challenge, "1".repeat(65)), "ERR_INVALID_ARGUMENT", { claim: "code" });
  check(thrown(() => auth.issueAccessToken({ sub: "ada", claims: { blob: "x".repeat(20_000) } })), "ERR_INVALID_ARGUMENT", { claim: "claims" });
  assert.equal(internals.currentGeneration(), generation, "no trap, no reset");
});
