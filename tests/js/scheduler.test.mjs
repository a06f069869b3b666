// scheduleRefresh in Node.js (no tabs, no Web Locks, no document): the plan, timer limits, bad
// tokens, retries, stops, and a wrong device clock. The cross-tab behaviour runs in Chromium
// (tests/browser/scheduler.test.mjs).
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { importPackage } from "../package/helpers.mjs";

const { JwtError, Key, scheduleRefresh, sign } = await importPackage();

const key = Key.generate("HS256");
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const craft = (claims) => `${b64({ alg: "HS256" })}.${b64(claims)}.c2ln`;
const issue = (seconds, extra = {}) => sign({ sub: "u", ...extra }, key, { expiresIn: seconds });
const nowS = () => Date.now() / 1000;
const until = async (predicate, ms, what) => {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every timer the scheduler arms goes through the global setTimeout, which these tests watch.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realDateNow = Date.now;
let delays = [];
let live = new Set();
globalThis.setTimeout = function (fn, ms, ...rest) {
  delays.push(ms);
  const id = realSetTimeout(() => {
    live.delete(id);
    fn(...rest);
  }, ms);
  live.add(id);
  return id;
};
globalThis.clearTimeout = function (id) {
  live.delete(id);
  return realClearTimeout(id);
};
let schedules = [];
afterEach(() => {
  for (const s of schedules) s.cancel();
  schedules = [];
  Date.now = realDateNow;
});

/** A scheduler over an in-memory token, recording what happens. */
function harness(first, options = {}) {
  const h = { token: first, refreshed: [], errors: [], calls: [] };
  const schedule = scheduleRefresh({
    getToken: () => h.token,
    refresh: async (context) => {
      h.calls.push({ at: nowS(), token: context.token, signal: context.signal });
      return options.answer ? options.answer(h.calls.length, context) : issue(options.lifetime ?? 3);
    },
    onRefresh: (token) => {
      h.token = token;
      h.refreshed.push(token);
    },
    onError: (error, info) => h.errors.push({ error, ...info }),
    ...options.schedule,
  });
  schedules.push(schedule);
  h.schedule = schedule;
  return h;
}

test("options that cannot work are refused at once with ERR_INVALID_ARGUMENT", () => {
  const good = { getToken: () => null, refresh: async () => "x" };
  const bad = [
    undefined,
    {},
    { ...good, getToken: "token" },
    { ...good, refresh: undefined },
    { ...good, skew: -5 },
    { ...good, jitter: Number.NaN },
    { ...good, retries: 1.5 },
    { ...good, lockName: "" },
    { ...good, onError: "log" },
    { ...good, serverTime: Date.now() },
    { ...good, serverTime: "yesterday" },
    { ...good, serverTime: new Date(Number.NaN) },
  ];
  for (const options of bad) {
    assert.throws(() => scheduleRefresh(options), (error) => error instanceof JwtError && error.code === "ERR_INVALID_ARGUMENT", JSON.stringify(options));
  }
  assert.equal(live.size, 0, "a refused call arms nothing");
});

test("refreshes before exp, hands the replaced token and an AbortSignal to refresh(), and stops after cancel()", async () => {
  delays = [];
  const first = issue(2);
  const h = harness(first, { schedule: { skew: 60, jitter: 0 } });
  await until(() => h.refreshed.length >= 2, 6000, "two refreshes");
  h.schedule.cancel();
  const { exp } = JSON.parse(Buffer.from(first.split(".")[1], "base64url"));
  assert.equal(h.calls[0].token, first);
  assert.ok(h.calls[0].at < exp, "the first refresh came before exp");
  assert.equal(h.calls[1].token, h.refreshed[0], "the second refresh replaced the first new token");
  assert.ok(h.calls[0].signal instanceof AbortSignal);
  assert.equal(h.calls[0].signal.aborted, true, "cancel() aborts the signal");
  assert.deepEqual(h.errors, []);
  assert.equal(live.size, 0, "no timer left after cancel()");
  const calls = h.calls.length;
  await wait(2500);
  assert.equal(h.calls.length, calls, "nothing after cancel()");
});

test("an exp plainly in milliseconds is an error (ERR_JWT_INVALID from the core), not a far future; no refresh, no long timer", async () => {
  delays = [];
  const h = harness(craft({ sub: "u", iat: Math.floor(nowS()), exp: Date.now() + 60_000 }));
  await until(() => h.errors.length > 0, 2000, "onError");
  assert.equal(h.errors[0].error.code, "ERR_JWT_INVALID");
  assert.equal(h.errors[0].error.claim, "exp");
  assert.equal(h.errors[0].stopped, false);
  await wait(100);
  assert.equal(h.errors.length, 1, "reported once");
  assert.equal(h.calls.length, 0);
  assert.ok(delays.every((d) => d <= 2 ** 31 - 1));
});

test("a token that lives for months: no timer longer than 2^31-1 ms, no refresh", async () => {
  delays = [];
  const h = harness(issue(90 * 86_400));
  await until(() => delays.length > 0, 2000, "a timer");
  await wait(50);
  assert.ok(delays.length > 0 && delays.every((d) => d >= 0 && d <= 2 ** 31 - 1), `delays ${delays}`);
  assert.equal(h.calls.length, 0);
  assert.deepEqual(h.errors, []);
  h.schedule.cancel();
  assert.equal(live.size, 0);
});

test("malformed tokens and tokens without exp are reported once with their JwtError", async () => {
  for (const [bad, code] of [
    ["a.b.c", "ERR_JWS_INVALID"],
    [craft({ sub: "u" }), "ERR_JWT_INVALID"],
    [craft({ exp: "tomorrow" }), "ERR_JWT_INVALID"],
  ]) {
    const h = harness(bad);
    await until(() => h.errors.length > 0, 2000, "onError");
    await wait(50);
    assert.equal(h.errors.length, 1);
    assert.ok(h.errors[0].error instanceof JwtError);
    assert.equal(h.errors[0].error.code, code);
    assert.equal(h.calls.length, 0);
    h.schedule.cancel();
  }
});

test("an HTTP 401 (returned or thrown) and ERR_TOKEN_REUSED / ERR_SESSION_REVOKED stop it at once", async () => {
  const answers = [
    () => ({ status: 401, ok: false }),
    () => {
      throw Object.assign(new Error("unauthorized"), { status: 401 });
    },
    () => {
      throw new JwtError("ERR_TOKEN_REUSED", "reused");
    },
    () => {
      throw Object.assign(new Error("revoked"), { name: "JwtError", code: "ERR_SESSION_REVOKED" });
    },
  ];
  for (const answer of answers) {
    const h = harness(issue(1), { answer, schedule: { jitter: 0 } });
    await until(() => h.errors.length > 0, 3000, "onError");
    await wait(1200);
    assert.equal(h.calls.length, 1, "no retry");
    assert.equal(h.errors.length, 1);
    assert.equal(h.errors[0].stopped, true);
    assert.equal(h.refreshed.length, 0);
  }
  assert.equal(live.size, 0, "a stopped scheduler holds no timer");
});

test("transient failures back off exponentially with jitter, then one success", async () => {
  const h = harness(issue(1), {
    schedule: { jitter: 0 },
    answer: (n) => {
      if (n <= 2) throw Object.assign(new Error("unavailable"), { status: 503 });
      return issue(30);
    },
  });
  await until(() => h.refreshed.length === 1, 8000, "the successful refresh");
  assert.equal(h.calls.length, 3);
  assert.deepEqual(h.errors.map((e) => [e.error.status, e.stopped]), [[503, false], [503, false]]);
  const [first, second] = h.errors.map((e) => e.retryIn);
  assert.ok(first >= 0.5 && first <= 1, `first retry in ${first} s`);
  assert.ok(second >= 1 && second <= 2, `second retry in ${second} s`);
  // The gaps follow the announced delays (they can only be longer, never shorter).
  assert.ok(h.calls[1].at - h.calls[0].at >= first - 0.02);
  assert.ok(h.calls[2].at - h.calls[1].at >= second - 0.02);
});

test("gives up after `retries` failures and waits instead of looping", async () => {
  const h = harness(issue(1), {
    schedule: { jitter: 0, retries: 1 },
    answer: () => {
      throw new TypeError("fetch failed");
    },
  });
  await until(() => h.errors.length === 2, 5000, "two reports");
  await wait(2000);
  assert.equal(h.calls.length, 2, "one attempt and one retry, then nothing");
  assert.equal(h.errors[1].retryIn, undefined);
  assert.equal(h.errors[1].stopped, false);
});

test("refresh() resolving to a token that is already expired (no iat) stops instead of looping", async () => {
  const h = harness(issue(1), { schedule: { jitter: 0 }, answer: () => craft({ sub: "u", exp: Math.floor(nowS()) - 10 }) });
  await until(() => h.errors.length > 0, 3000, "onError");
  await wait(500);
  assert.equal(h.calls.length, 1);
  assert.equal(h.errors[0].error.code, "ERR_JWT_EXPIRED");
  assert.equal(h.errors[0].stopped, true);
});

test("a device clock 10 minutes ahead: with serverTime, no early refresh and no loop", async () => {
  const first = issue(3);
  const issuedAt = nowS();
  const realNow = realDateNow();
  Date.now = () => realDateNow() + 600_000;
  const h = harness(first, { lifetime: 3, schedule: { skew: 1, jitter: 0, serverTime: new Date(realNow) } });
  await until(() => h.calls.length >= 2, 8000, "two refreshes");
  Date.now = realDateNow;
  h.schedule.cancel();
  const real = (c) => c.at - 600; // calls were stamped with the skewed clock
  assert.ok(real(h.calls[0]) - issuedAt > 1, "not refreshed at once although the token looks expired on the device");
  assert.ok(real(h.calls[1]) - real(h.calls[0]) > 1, "the next one a lifetime later, not in a loop");
  assert.deepEqual(h.errors, []);
});

test("a device clock 2 hours behind: planned from the token's iat, the token does not lapse", async () => {
  const first = issue(3);
  const { exp } = JSON.parse(Buffer.from(first.split(".")[1], "base64url"));
  Date.now = () => realDateNow() - 7_200_000;
  const h = harness(first, { lifetime: 3, schedule: { skew: 1, jitter: 0 } });
  await until(() => h.calls.length >= 2, 8000, "two refreshes");
  Date.now = realDateNow;
  h.schedule.cancel();
  const real = (c) => c.at + 7200;
  assert.ok(real(h.calls[0]) < exp, `refreshed ${real(h.calls[0]) - exp} s after exp`);
  assert.ok(real(h.calls[1]) - real(h.calls[0]) > 1, "a lifetime apart");
  assert.deepEqual(h.errors, []);
});
