// scheduleRefresh in real headless Chromium, against the packed package: a page bundled with
// esbuild and served on 127.0.0.1 by a tiny server that issues short-lived access tokens (signed
// with the package in Node.js) and records every refresh request.
//
// The server treats the access token presented to /refresh as the refresh credential of a
// rotating session: only the newest token may be exchanged (an older one is a reuse, answered 401).
// So each refresh request says which token it replaced, how old that token was and whether it had
// expired; "exactly one refresh per lifetime" means every request presents the newest token (no
// tab refreshed a token another tab had already replaced), late enough in its life (no loop) and
// before it expired (no lapse).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";
import { bin, consumerDir, importPackage, installedPackageDir, serveFile } from "../package/helpers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LIFETIME = 6; // seconds, of every access token
// Refresh 2 s before exp (67% of the lifetime), up to 0.5 s earlier: a refresh of a token younger
// than MIN_AGE would be a loop, one after exp a lapse.
const SKEW = 2;
const JITTER = 0.5;
const MIN_AGE = 2.5;

const PAGE_SCRIPT = `
import { scheduleRefresh, decode } from "edge-jwt";

// What the scheduler holds: timers, listeners on window/document, channels, lock requests.
const held = { timers: new Map(), listeners: [], channels: 0, lockRequests: 0 };
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
globalThis.setTimeout = function (fn, ms, ...rest) {
  const id = realSetTimeout.call(globalThis, () => {
    held.timers.delete(id);
    fn(...rest);
  }, ms);
  held.timers.set(id, ms);
  return id;
};
globalThis.clearTimeout = function (id) {
  held.timers.delete(id);
  return realClearTimeout.call(globalThis, id);
};
// The events a scheduler could listen to (Playwright itself listens to input events).
const WATCHED = new Set(["visibilitychange", "focus", "blur", "online", "offline", "pageshow", "pagehide", "resume", "freeze", "storage", "message"]);
const realAdd = EventTarget.prototype.addEventListener;
const realRemove = EventTarget.prototype.removeEventListener;
EventTarget.prototype.addEventListener = function (type, fn, options) {
  if ((this === window || this === document) && WATCHED.has(type)) held.listeners.push([this, type, fn]);
  return realAdd.call(this, type, fn, options);
};
EventTarget.prototype.removeEventListener = function (type, fn, options) {
  const i = held.listeners.findIndex(([t, ty, f]) => t === this && ty === type && f === fn);
  if (i >= 0) held.listeners.splice(i, 1);
  return realRemove.call(this, type, fn, options);
};
const RealChannel = globalThis.BroadcastChannel;
globalThis.BroadcastChannel = class extends RealChannel {
  constructor(name) {
    super(name);
    held.channels++;
    this.open = true;
  }
  close() {
    if (this.open) held.channels--;
    this.open = false;
    super.close();
  }
};
if (navigator.locks) {
  const request = navigator.locks.request.bind(navigator.locks);
  navigator.locks.request = (...args) => {
    held.lockRequests++;
    return request(...args);
  };
}

const app = {
  token: undefined,
  received: [],
  errors: [],
  handle: undefined,
  async start(options) {
    try {
      decode("a.b.c");
      app.loadedBeforeStart = true;
    } catch (error) {
      app.loadedBeforeStart = !/await init\\(\\)|await ready/.test(error.message);
    }
    let serverTime;
    if (options.login) {
      const response = await fetch("/login", { method: "POST" });
      app.token = (await response.json()).accessToken;
      if (options.serverDate) serverTime = response.headers.get("date");
    } else {
      app.token = options.token;
    }
    app.handle = scheduleRefresh({
      getToken: () => app.token,
      refresh: async ({ token, signal }) => {
        const response = await fetch("/refresh", { method: "POST", headers: { authorization: "Bearer " + token }, signal });
        if (!response.ok) return response;
        return (await response.json()).accessToken;
      },
      onRefresh: (token) => {
        app.token = token;
        app.received.push(token);
      },
      onError: (error, info) => {
        app.errors.push({ message: String(error && error.message), status: error && error.status, code: error && error.code, ...info });
      },
      skew: options.skew,
      jitter: options.jitter,
      serverTime,
    });
    return app.token;
  },
  cancel() {
    app.handle.cancel();
  },
  async held() {
    const locks = navigator.locks ? await navigator.locks.query() : { held: [], pending: [] };
    return {
      timers: held.timers.size,
      listeners: held.listeners.map(([, type]) => type).sort(),
      channels: held.channels,
      locksHeld: locks.held.length,
      locksPending: locks.pending.length,
      lockLease: localStorage.getItem("edge-jwt-refresh:lock"),
    };
  },
  lockRequests: () => held.lockRequests,
  setVisibility(state) {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => state === "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  },
};
window.app = app;
`;

const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>scheduler</title></head><body><script type="module" src="./main.js"></script></body></html>\n`;

let pkg;
let key;
let browser;
let server;
let base;

/** The session the server keeps, reset by each test. */
const session = { newest: undefined, issued: [], refreshes: [], queue: [] };

function reset() {
  Object.assign(session, { newest: undefined, issued: [], refreshes: [], queue: [] });
}

function issue() {
  const token = pkg.sign({ sub: "user", gen: session.issued.length }, key, { expiresIn: LIFETIME });
  session.newest = token;
  session.issued.push(token);
  return token;
}

function json(response, status, body) {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

function handle(request, response, dir) {
  const path = new URL(request.url, "http://x").pathname;
  if (request.method === "POST" && path === "/login") return json(response, 200, { accessToken: issue() });
  if (request.method === "POST" && path === "/refresh") {
    const at = Date.now() / 1000;
    const presented = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    const record = { at, presented, newest: presented === session.newest, gen: -1, age: Number.NaN, beforeExp: false };
    try {
      const { claims } = pkg.verify(presented, key, { algorithms: ["HS256"], leeway: 86_400 });
      Object.assign(record, { gen: claims.gen, age: at - claims.iat, beforeExp: at < claims.exp });
    } catch {
      // not a token of ours: recorded as such
    }
    session.refreshes.push(record);
    if (session.queue.length > 0) {
      record.status = session.queue.shift();
      return json(response, record.status, { error: "scripted" });
    }
    if (!record.newest) {
      record.status = 401;
      return json(response, 401, { error: "refresh token reuse" });
    }
    record.status = 200;
    return json(response, 200, { accessToken: issue() });
  }
  return serveFile(dir, request, response);
}

async function until(predicate, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

const succeeded = () => session.refreshes.filter((r) => r.status === 200);

// This host's wall clock against its monotonic clock. A jump means the machine (VM) was paused and
// its wall clock caught up: then a timer fires late in wall time whatever the scheduler does (it
// refreshes at once when it fires), so the timing of a refresh across a jump proves nothing.
const clockJumps = [];
let wallBase = Date.now() - performance.now();
setInterval(() => {
  const base = Date.now() - performance.now();
  if (Math.abs(base - wallBase) > 250) clockJumps.push({ at: Date.now() / 1000, ms: base - wallBase });
  wallBase = base;
}, 100).unref();

/** Every refresh replaced the newest token, late enough in its life and before it expired. */
function checkOnePerLifetime(t, records = session.refreshes) {
  for (const [i, r] of records.entries()) {
    const label = `refresh #${i} (generation ${r.gen}, age ${r.age.toFixed(2)} s)`;
    assert.equal(r.newest, true, `${label} presented a token that had already been replaced`);
    assert.equal(r.status, 200, label);
    const jump = clockJumps.find((j) => j.at >= r.at - r.age - 1 && j.at <= r.at + 0.5);
    if (jump) {
      t.diagnostic(`${label}: timing not judged, the host's wall clock jumped ${jump.ms.toFixed(0)} ms meanwhile (the VM was paused)`);
      continue;
    }
    assert.ok(r.age >= MIN_AGE, `${label}: refreshed too early, a loop`);
    assert.ok(r.beforeExp, `${label}: the token had expired`);
  }
  assert.deepEqual(records.map((r) => r.gen), records.map((_, i) => i), "one refresh per generation, in order");
}

async function newContext(t, options = {}) {
  const context = await browser.newContext();
  if (options.initScript) await context.addInitScript(options.initScript);
  if (options.clock) await context.clock.install(options.clock);
  t.after(() => context.close());
  return context;
}

async function openTab(context, problems) {
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  // Chromium logs every failed response; the 500s and 401s the server is told to give are expected.
  page.on("console", (message) => message.type() === "error" && !/Failed to load resource: .* (500|401)/.test(message.text()) && problems.push(`console: ${message.text()}`));
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => window.app !== undefined, null, { timeout: 30_000 });
  return page;
}

/** A fresh session on the server and one tab in a new context, started on a fresh token. */
async function startOneTab(t, queue = []) {
  reset();
  session.queue.push(...queue);
  const problems = [];
  const page = await openTab(await newContext(t), problems);
  await page.evaluate((o) => window.app.start(o), { token: issue(), skew: SKEW, jitter: JITTER });
  return { page, problems };
}

async function assertReleased(page, label) {
  const state = await page.evaluate(() => window.app.held());
  assert.deepEqual(state, { timers: 0, listeners: [], channels: 0, locksHeld: 0, locksPending: 0, lockLease: null }, `${label}: nothing held after the scheduler ended`);
}

async function multiTab(t, options) {
  const problems = [];
  const context = await newContext(t, options);
  const tabs = [];
  for (let i = 0; i < 5; i++) tabs.push(await openTab(context, problems));
  const first = issue();
  // Identical plans in every tab (no jitter): all five timers fire together, the lock decides.
  await Promise.all(tabs.map((tab) => tab.evaluate((o) => window.app.start(o), { token: first, skew: SKEW, jitter: 0 })));
  await until(() => succeeded().length >= 3, 3 * LIFETIME * 1000 + 10_000, "three refreshes");
  const newest = session.newest;
  await until(async () => (await Promise.all(tabs.map((tab) => tab.evaluate(() => window.app.token)))).every((x) => x === newest), 5000, "every tab to hold the newest token");
  await Promise.all(tabs.map((tab) => tab.evaluate(() => window.app.cancel())));
  await sleep(200); // a refresh the last cancel() raced with would show up now
  checkOnePerLifetime(t);
  assert.equal(session.refreshes.length, 3);
  for (const [i, tab] of tabs.entries()) {
    const app = await tab.evaluate(() => ({ token: window.app.token, received: window.app.received, errors: window.app.errors }));
    assert.deepEqual(app.errors, [], `tab ${i}`);
    assert.equal(app.token, newest, `tab ${i} ends with the newest token`);
    assert.deepEqual(app.received, session.issued.slice(1), `tab ${i} received every new token once, in order`);
    await assertReleased(tab, `tab ${i}`);
  }
  assert.deepEqual(problems, []);
  return tabs;
}

describe("scheduleRefresh in headless Chromium", () => {
  before(async () => {
    pkg = await importPackage();
    key = pkg.Key.generate("HS256");
    const dir = join(consumerDir(), "web-scheduler");
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "main.js"), PAGE_SCRIPT);
    writeFileSync(join(dir, "out", "index.html"), INDEX_HTML);
    execFileSync(bin("esbuild"), ["main.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=out/main.js", "--log-level=warning"], { cwd: dir, stdio: "inherit" });
    copyFileSync(join(installedPackageDir(), "edge_jwt_bg.wasm"), join(dir, "out", "edge_jwt_bg.wasm"));
    server = createServer((request, response) => handle(request, response, join(dir, "out")));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--disable-sync", "--no-first-run"],
    });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  test("one tab: refreshes before expiry, before the module was loaded too, and nothing after cancel()", async (t) => {
    const { page, problems } = await startOneTab(t);
    await until(() => page.evaluate(() => window.app.received.length >= 2), 2 * LIFETIME * 1000 + 10_000, "two refreshes");
    await page.evaluate(() => window.app.cancel());
    await assertReleased(page, "after cancel()");
    const app = await page.evaluate(() => ({ token: window.app.token, received: window.app.received, errors: window.app.errors, loadedBeforeStart: window.app.loadedBeforeStart }));
    assert.equal(app.loadedBeforeStart, false, "scheduleRefresh was called before the module was loaded");
    checkOnePerLifetime(t);
    assert.deepEqual(app.errors, []);
    assert.deepEqual(app.received, session.issued.slice(1));
    assert.equal(app.token, session.newest);
    const count = session.refreshes.length;
    await sleep((LIFETIME + 1) * 1000);
    assert.equal(session.refreshes.length, count, "no request after cancel(), although the token expired");
    assert.deepEqual(problems, []);
  });

  test("five tabs share one session: one refresh per lifetime, every tab ends with the newest token (Web Locks)", async (t) => {
    reset();
    const tabs = await multiTab(t);
    const requests = (await Promise.all(tabs.map((tab) => tab.evaluate(() => window.app.lockRequests())))).reduce((a, b) => a + b, 0);
    assert.ok(requests >= 3, "the refreshes went through navigator.locks");
    t.diagnostic(`${requests} lock requests across the tabs for 3 refreshes`);
  });

  test("five tabs without Web Locks: the localStorage lease keeps it to one refresh per lifetime", async (t) => {
    reset();
    const tabs = await multiTab(t, { initScript: "delete Navigator.prototype.locks;" });
    assert.equal(await tabs[0].evaluate(() => "locks" in navigator), false, "Web Locks really were missing");
  });

  test("a hidden tab whose timers were held back refreshes as soon as it becomes visible", async (t) => {
    reset();
    const problems = [];
    const context = await newContext(t, { clock: {} });
    const page = await openTab(context, problems);
    const first = issue();
    const { exp } = pkg.decode(first).claims;
    await page.evaluate((o) => window.app.start(o), { token: first, skew: SKEW, jitter: JITTER });
    await until(() => page.evaluate(() => window.app.held().then((h) => h.timers > 0)), 10_000, "the scheduler to arm its timer");
    await page.evaluate(() => window.app.setVisibility("hidden"));
    // Background throttling: from now on no timer fires in the page.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 20);
    await page.evaluate(() => {
      window.probeFired = false;
      setTimeout(() => (window.probeFired = true), 10);
    });
    await sleep(Math.max(0, (exp + 0.5) * 1000 - Date.now()));
    assert.equal(session.refreshes.length, 0, "the token expired while the tab's timers were held back");
    // The tab comes back: its wall clock catches up (timers still held back), and it is shown.
    await page.clock.setSystemTime(Date.now());
    await page.evaluate(() => window.app.setVisibility("visible"));
    await until(() => succeeded().length >= 1, 5000, "the refresh on becoming visible");
    assert.equal(await page.evaluate(() => window.probeFired), false, "no timer had run: the visibilitychange did it");
    assert.equal(session.refreshes.length, 1);
    assert.equal(session.refreshes[0].newest, true);
    await until(() => page.evaluate((t2) => window.app.token === t2, session.newest), 5000, "onRefresh in the page");
    await page.clock.resume();
    await until(() => page.evaluate(() => window.probeFired), 5000, "the held-back timers to run once resumed");
    await page.evaluate(() => window.app.cancel());
    await assertReleased(page, "after cancel()");
    assert.deepEqual(await page.evaluate(() => window.app.errors), []);
    assert.deepEqual(problems, []);
  });

  for (const [label, shift, serverDate] of [
    ["10 minutes ahead (serverTime from the login response's Date header)", 10 * 60_000, true],
    ["2 hours behind (from the token's iat alone)", -2 * 3600_000, false],
  ]) {
    test(`a device clock ${label}: still one refresh per lifetime, before expiry`, async (t) => {
      reset();
      const problems = [];
      const context = await newContext(t, { clock: { time: Date.now() + shift } });
      const page = await openTab(context, problems);
      const skewed = await page.evaluate(() => Date.now());
      assert.ok(Math.abs(skewed - Date.now() - shift) < 60_000, "the page's clock really is off");
      await page.evaluate((o) => window.app.start(o), { login: true, serverDate, skew: SKEW, jitter: JITTER });
      await until(() => page.evaluate(() => window.app.received.length >= 3), 3 * LIFETIME * 1000 + 10_000, "three refreshes");
      await page.evaluate(() => window.app.cancel());
      checkOnePerLifetime(t);
      const app = await page.evaluate(() => ({ token: window.app.token, errors: window.app.errors }));
      assert.deepEqual(app.errors, []);
      assert.equal(app.token, session.newest);
      await assertReleased(page, "after cancel()");
      assert.deepEqual(problems, []);
    });
  }

  test("the server answers 500 twice, then 200: retried with backoff, one successful refresh", async (t) => {
    const { page, problems } = await startOneTab(t, [500, 500]);
    await until(() => succeeded().length >= 1, LIFETIME * 1000 + 10_000, "the successful refresh");
    await until(() => page.evaluate(() => window.app.received.length === 1), 5000, "onRefresh");
    await page.evaluate(() => window.app.cancel());
    assert.deepEqual(session.refreshes.map((r) => [r.status, r.gen]), [[500, 0], [500, 0], [200, 0]]);
    const app = await page.evaluate(() => ({ received: window.app.received, errors: window.app.errors }));
    assert.deepEqual(app.received, [session.newest]);
    assert.deepEqual(app.errors.map((e) => [e.status, e.stopped]), [[500, false], [500, false]]);
    assert.ok(app.errors.every((e) => e.retryIn > 0), "each failure announced its retry");
    const gaps = [1, 2].map((i) => session.refreshes[i].at - session.refreshes[i - 1].at);
    assert.ok(gaps[0] >= app.errors[0].retryIn - 0.05 && gaps[1] >= app.errors[1].retryIn - 0.05, `retries waited (${gaps})`);
    await assertReleased(page, "after cancel()");
    assert.deepEqual(problems, []);
  });

  test("the server answers 401: the scheduler stops, calls onError and lets go of everything", async (t) => {
    const { page, problems } = await startOneTab(t, [401]);
    const errors = await until(() => page.evaluate(() => (window.app.errors.length > 0 ? window.app.errors : undefined)), LIFETIME * 1000 + 10_000, "onError");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].status, 401);
    assert.equal(errors[0].stopped, true);
    await assertReleased(page, "after the 401, without cancel()");
    await sleep((LIFETIME + 1) * 1000);
    assert.equal(session.refreshes.length, 1, "no request after the 401");
    assert.deepEqual(await page.evaluate(() => window.app.received), []);
    assert.deepEqual(problems, []);
  });
});
