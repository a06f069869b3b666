// refreshAt() edge cases, against the packed package: when a browser should refresh a token.
// refreshAt aims at exp - skew, clamped to [50%, 90%] of the lifetime when the token has iat,
// then up to `jitter` seconds earlier (at most half the time left), never in the past; epoch ms.
import assert from "node:assert/strict";
import { test } from "node:test";
import { importPackage } from "../package/helpers.mjs";

const { JwtError, Key, refreshAt, sign } = await importPackage();

const T0 = 1_700_000_000; // seconds
const b64 = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
/** An unsigned-looking token with exactly these claims (refreshAt does not verify). */
const token = (claims, header = { alg: "HS256", typ: "JWT" }) => `${b64(header)}.${b64(claims)}.${b64("signature")}`;
const lived = (seconds, iat = T0) => token({ sub: "u", iat, exp: iat + seconds });
const at = (token, options) => refreshAt(token, { jitter: 0, ...options });

function throwsCode(fn, code, claim) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof JwtError, `a JwtError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (claim !== undefined) assert.equal(error.claim, claim);
    return true;
  });
}

test("a token signed by the package: the clamp to 90% of an hour beats exp - 60 s", () => {
  const key = Key.generate("HS256");
  const signed = sign({ sub: "u" }, key, { expiresIn: "1h", now: T0 });
  assert.equal(at(signed, { skew: 60, now: T0 }), (T0 + 3240) * 1000);
});

test("short lifetimes: a skew longer than the token's life refreshes at half its life, not at once", () => {
  assert.equal(at(lived(60), { skew: 60, now: T0 }), (T0 + 30) * 1000);
  assert.equal(at(lived(4), { skew: 60, now: T0 }), (T0 + 2) * 1000);
  assert.equal(at(lived(1), { skew: 60, now: T0 }), (T0 + 0.5) * 1000);
  // Default skew (60 s) on a 2-minute token: exactly exp - 60 = 50%.
  assert.equal(at(lived(120), { now: T0 }), (T0 + 60) * 1000);
});

test("between the bounds the skew is honoured; above 90% it is clamped", () => {
  assert.equal(at(lived(600), { skew: 120, now: T0 }), (T0 + 480) * 1000, "80% of 10 min: exp - skew");
  assert.equal(at(lived(1200), { skew: 60, now: T0 }), (T0 + 1080) * 1000, "exp - 60 s is 95%: clamped to 90%");
  assert.equal(at(lived(600), { skew: "2m", now: T0 }), (T0 + 480) * 1000, "skew as a duration string");
  assert.equal(at(lived(600), { skew: 0, now: T0 }), (T0 + 540) * 1000, "no skew: still 90%");
});

test("long lifetimes: 30 days and 10 years give exact epoch ms far beyond a setTimeout's range", () => {
  const month = 30 * 86_400;
  const result = at(lived(month), { skew: 60, now: T0 });
  assert.equal(result, (T0 + 0.9 * month) * 1000);
  assert.ok(result - T0 * 1000 > 2 ** 31 - 1, "callers must re-arm timers in steps");
  const decade = 10 * 365 * 86_400;
  assert.equal(at(lived(decade), { skew: 3600, now: T0 }), (T0 + 0.9 * decade) * 1000);
  assert.ok(Number.isInteger(result));
});

test("no iat: exp - skew without a clamp, never in the past", () => {
  assert.equal(at(token({ exp: T0 + 100 }), { skew: 60, now: T0 }), (T0 + 40) * 1000);
  assert.equal(at(token({ exp: T0 + 30 }), { skew: 60, now: T0 }), T0 * 1000, "exp - skew already passed: now");
  // iat at or after exp says nothing about the lifetime: no clamp either.
  assert.equal(at(token({ iat: T0 + 100, exp: T0 + 100 }), { skew: 10, now: T0 }), (T0 + 90) * 1000);
});

test("no exp: ERR_JWT_INVALID naming exp (there is nothing to refresh before)", () => {
  throwsCode(() => refreshAt(token({ sub: "u", iat: T0 }), { now: T0 }), "ERR_JWT_INVALID", "exp");
  throwsCode(() => refreshAt(token({}), { now: T0 }), "ERR_JWT_INVALID", "exp");
});

test("exp in the past: now, with or without jitter", () => {
  assert.equal(at(lived(300), { now: T0 + 301 }), (T0 + 301) * 1000);
  assert.equal(at(lived(300), { now: T0 + 300 }), (T0 + 300) * 1000, "exactly at exp");
  for (let i = 0; i < 20; i++) assert.equal(refreshAt(lived(300), { jitter: 30, now: T0 + 10_000 }), (T0 + 10_000) * 1000);
  // Past the 90% point but not yet expired: now too.
  assert.equal(at(lived(300), { skew: 60, now: T0 + 280 }), (T0 + 280) * 1000);
});

test("a device clock hours behind or minutes ahead (via now): the target stays on the token's own times", () => {
  const t = lived(3600);
  const target = (T0 + 3240) * 1000;
  assert.equal(at(t, { now: T0 - 2 * 3600 }), target, "2 h behind: the same absolute target");
  assert.equal(at(t, { now: new Date((T0 - 2 * 3600) * 1000) }), target, "now as a Date");
  assert.equal(at(t, { now: T0 + 600 }), target, "10 min ahead, still before the target");
  assert.equal(at(t, { now: T0 + 3500 }), (T0 + 3500) * 1000, "58 min ahead: past the target, so now");
  assert.equal(at(t, { now: T0 + 7200 }), (T0 + 7200) * 1000, "2 h ahead: the token looks expired, so now");
  assert.equal(at(t, { now: T0 + 0.25 }), target, "fractional seconds are fine");
  assert.equal(at(lived(10), { skew: 60, now: T0 + 7.3 }), (T0 + 7.3) * 1000, "fractional now, rounded to ms");
});

test("jitter: up to `jitter` seconds earlier, at most half the time left, random", () => {
  const t = lived(3600);
  const target = (T0 + 3240) * 1000;
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const value = refreshAt(t, { skew: 60, jitter: 10, now: T0 });
    assert.ok(value <= target && value >= target - 10_000, `${value - target} ms from the target`);
    assert.ok(Number.isInteger(value));
    seen.add(value);
  }
  assert.ok(seen.size > 100, `jitter is random (${seen.size} distinct values of 200)`);
  // A 4-second token: target at 2 s; 2 s left, so at most 1 s of jitter even when 5 are asked.
  for (let i = 0; i < 200; i++) {
    const value = refreshAt(lived(4), { skew: 60, jitter: 5, now: T0 });
    assert.ok(value >= (T0 + 1) * 1000 && value <= (T0 + 2) * 1000, `${value / 1000 - T0} s after iat`);
  }
  // Close to the target there is almost no room: never before now.
  for (let i = 0; i < 50; i++) {
    const value = refreshAt(t, { skew: 60, jitter: 600, now: T0 + 3239 });
    assert.ok(value >= (T0 + 3239) * 1000 && value <= target);
  }
  // The default jitter (5 s).
  for (let i = 0; i < 50; i++) {
    const value = refreshAt(t, { skew: 60, now: T0 });
    assert.ok(value >= target - 5000 && value <= target);
  }
  assert.equal(refreshAt(t, { skew: 60, jitter: 0, now: T0 }), target, "no jitter: exact");
});

test("now, skew and jitter that make no sense are refused with ERR_INVALID_ARGUMENT", () => {
  const t = lived(3600);
  throwsCode(() => refreshAt(t, { now: Date.now() }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { now: T0 * 1000 }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { now: -1 }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { now: Number.NaN }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { now: new Date(Number.NaN) }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { skew: -1, now: T0 }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { jitter: Number.POSITIVE_INFINITY, now: T0 }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { skew: "soon", now: T0 }), "ERR_INVALID_ARGUMENT");
  throwsCode(() => refreshAt(t, { skw: 60 }), "ERR_INVALID_ARGUMENT");
  // The largest now that is still seconds is accepted.
  assert.equal(at(t, { now: 99_999_999_999 }), 99_999_999_999_000);
});

test("malformed tokens: ERR_JWS_INVALID for the compact form or header, ERR_JWT_INVALID for claims", () => {
  for (const bad of ["", "a.b.c", "not a token", `${b64({ alg: "HS256" })}.${b64({ exp: T0 })}`, `${b64({ alg: "HS256" })}=.${b64({ exp: T0 })}.c2ln`]) {
    throwsCode(() => refreshAt(bad, { now: T0 }), "ERR_JWS_INVALID");
  }
  throwsCode(() => refreshAt(token([1, 2]), { now: T0 }), "ERR_JWT_INVALID");
  throwsCode(() => refreshAt(`${b64({ alg: "HS256" })}.${b64("not json")}.c2ln`, { now: T0 }), "ERR_JWT_INVALID");
  throwsCode(() => refreshAt(token({ exp: String(T0 + 60) }), { now: T0 }), "ERR_JWT_INVALID", "exp");
  throwsCode(() => refreshAt(token({ iat: "yesterday", exp: T0 + 60 }), { now: T0 }), "ERR_JWT_INVALID", "iat");
  throwsCode(() => refreshAt(42, { now: T0 }), "ERR_INVALID_ARGUMENT");
});
