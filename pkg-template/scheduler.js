// Browser refresh scheduling: keeps an access token fresh before it expires, in one tab or many.
// Hand-written JS on top of inspect()/refreshAt(); see the JSDoc of scheduleRefresh for the contract.
//
// How it works, in one place:
// - Plans from the token's absolute `exp` (refreshAt, computed once per token, jitter included),
//   in the SERVER's time: serverNow = Date.now() + offset. The offset comes from `serverTime`, from
//   the `iat` of every token that refresh() returns (it was issued a moment ago), from a token whose
//   `iat` lies in the device's future (the clock is behind by at least that much), and is corrected
//   when the wall clock jumps back relative to performance.now().
// - Wakes up from one timer at a time, never longer than HEARTBEAT (so never more than 2^31-1 ms),
//   and on visibilitychange (to visible), focus, online, pageshow and resume. Every wake-up
//   re-checks against the absolute plan, so a timer that fired late (sleep, background throttling)
//   or a tab coming back refreshes at once when the token is due or expired.
// - Refreshes inside a Web Lock (fallback: a localStorage lease), re-reading the token first and
//   skipping when another tab already refreshed; the new token goes out on a BroadcastChannel so the
//   other tabs adopt it (onRefresh) without a request of their own.
// - Transient failures back off exponentially with jitter and give up after `retries`; an auth
//   failure (401/403, other permanent 4xx, a JwtError such as ERR_TOKEN_REUSED or
//   ERR_SESSION_REVOKED) stops the scheduler and tells the other tabs.
import { inspect, JwtError, refreshAt } from "./api.js";

const MAX_TIMER = 2 ** 31 - 1; // setTimeout's limit; larger delays fire at once in browsers
const HEARTBEAT = 60_000; // the longest single wait: bounds how long a clock jump or missed wake-up goes unnoticed
const LATE = 2_000; // a timer this late means the machine slept or the tab was throttled
const CLOCK_JUMP = 2_000; // wall clock vs performance.now() disagreement that counts as a jump
const MS_THRESHOLD = 1e11; // seconds at or above this are milliseconds (the core uses the same bound)
const BACKOFF_BASE = 1_000;
const BACKOFF_MAX = 60_000;
const STALL_RETRY_GAP = 30_000; // after giving up, a wake-up starts a new round only this long after the last attempt
const HANDOFF = 100; // the lock is kept this long after broadcasting, so waiting tabs see the new token first
const LEASE = 30_000; // localStorage lock lease
const AUTH_CODES = new Set(["ERR_TOKEN_REUSED", "ERR_SESSION_REVOKED"]);
const DEFAULT_LOCK = "edge-jwt-refresh";
const DEFAULT_RETRIES = 6;

function invalid(message, claim) {
  return new JwtError("ERR_INVALID_ARGUMENT", `scheduleRefresh: ${message}`, claim === undefined ? undefined : { claim });
}

function checkSeconds(name, value) {
  if (value === undefined || typeof value === "string") return; // duration strings: refreshAt checks them
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw invalid(`${name} must be a non-negative number of seconds`);
}

// The server's time as epoch ms, from a Date, an HTTP Date header or seconds.
function parseServerTime(value) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw invalid("serverTime is an invalid Date");
    return ms;
  }
  if (typeof value === "string") {
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw invalid("serverTime must be a Date, an HTTP Date header or seconds");
    // An HTTP Date has whole seconds: the middle of that second is the best estimate.
    return /\.\d/.test(value) ? ms : ms + 500;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw invalid("serverTime must be a finite, non-negative number of seconds");
    if (value >= MS_THRESHOLD) throw invalid("serverTime looks like milliseconds: give seconds (Date.now() / 1000) or a Date");
    return value * 1000;
  }
  throw invalid("serverTime must be a Date, an HTTP Date header or seconds");
}

function randomId() {
  return typeof crypto === "object" && typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

function tokenFrom(result) {
  if (typeof result === "string" && result !== "") return result;
  if (result !== null && typeof result === "object") {
    if (typeof result.accessToken === "string") return result.accessToken;
    if (typeof result.token === "string") return result.token;
    if (typeof result.status === "number") {
      if (result.status >= 200 && result.status < 300) {
        throw invalid("refresh() must resolve to the new token (a string or { accessToken }), not to the response");
      }
      throw Object.assign(new Error(`scheduleRefresh: refresh() answered HTTP ${result.status}`), { status: result.status, response: result });
    }
  }
  throw invalid("refresh() must resolve to the new token: a string or { accessToken }");
}

function statusOf(error) {
  if (error === null || typeof error !== "object") return undefined;
  if (typeof error.status === "number") return error.status;
  if (typeof error.response?.status === "number") return error.response.status;
  return undefined;
}

// Retrying cannot fix these: the session is gone or the call is wrong.
function isPermanent(error) {
  const status = statusOf(error);
  if (status !== undefined) return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
  if (error instanceof JwtError) return true;
  const code = error?.code;
  return typeof code === "string" && (AUTH_CODES.has(code) || (error?.name === "JwtError" && code.startsWith("ERR_")));
}

function localStorageOrUndefined() {
  // Only in a document: Node.js's experimental localStorage is not a shared store between tabs.
  if (typeof document !== "object" || document === null) return undefined;
  try {
    const storage = globalThis.localStorage;
    return storage && typeof storage.getItem === "function" ? storage : undefined;
  } catch {
    return undefined; // access denied (sandboxed iframe, blocked storage)
  }
}

/**
 * Keeps an access token fresh: refreshes it a little before it expires, in every runtime, and in
 * browsers once for all the tabs of an origin. Returns `{ cancel() }`.
 *
 * - **When.** From the token's absolute `exp` (see {@link refreshAt}: `skew` seconds before `exp`,
 *   between 50% and 90% of the lifetime when the token has `iat`, up to `jitter` seconds earlier
 *   at random), never from a relative countdown. It re-checks on `visibilitychange`, `focus`,
 *   `online`, `pageshow` and `resume`, and notices a timer that fired late (the machine slept, the
 *   background tab was throttled): a due or expired token is then refreshed at once. No timer is
 *   ever longer than a minute, so tokens that live for months are fine.
 * - **Wrong clocks.** It plans in the server's time. The device clock's error is estimated from
 *   the `iat` of each token `refresh()` returns, from a token issued in the device's future, or
 *   from `serverTime` (the server's clock when you call scheduleRefresh: a `Date`, the `Date`
 *   header of a response just received, or seconds). Without `serverTime`, a clock that is ahead
 *   makes the first token look expired, so it is refreshed at once; from then on the schedule is
 *   right. A skewed clock neither refreshes in a loop nor lets the token lapse.
 * - **Many tabs.** The refresh runs inside the Web Lock `lockName` (`navigator.locks`; where it is
 *   missing, a localStorage lease; elsewhere, within this scheduler only). The tab that holds the
 *   lock calls `getToken()` again and skips the refresh when the token changed meanwhile, i.e.
 *   another tab already refreshed. The new token is sent on the BroadcastChannel `lockName`, and
 *   every tab's `onRefresh(token)` receives it, the tab that refreshed included: store it there,
 *   and make `getToken()` return it. A newer token received that way is preferred to an older one
 *   `getToken()` still returns.
 * - **Failures.** A failed refresh is retried with exponential backoff and jitter (from about 1 s,
 *   doubling, at most a minute; not while the device is offline, and at once when it comes back),
 *   `retries` times; then the scheduler waits for a new token or for the tab to come back (at most
 *   one new round per 30 s). An authentication failure stops it for good, in every tab holding
 *   the same token: a result or error with `status` 401 or 403 (or another 4xx but 408/425/429;
 *   return the `Response` itself or throw an error carrying `status`), or a JwtError (such as
 *   `ERR_TOKEN_REUSED`, `ERR_SESSION_REVOKED`). Every failure goes to `onError(error, info)`, with
 *   `info.stopped` (the scheduler ended) and `info.retryIn` (seconds until the next attempt, if
 *   any); without onError they are logged to the console.
 * - **Bad tokens.** A malformed token reports the JwtError of {@link inspect}/{@link refreshAt}
 *   (`ERR_JWS_INVALID`, `ERR_JWT_INVALID`, a token without `exp`); an `exp` that is plainly in
 *   milliseconds reports `ERR_JWT_INVALID` (claim `exp`) instead of waiting until the year 50000. The
 *   scheduler then waits for another token.
 * - **Loading.** It may be called before the WebAssembly module is loaded: it awaits the
 *   package's `ready` itself.
 * - **cancel()** clears every timer, listener, lock request and channel at once; a refresh in
 *   flight gets its `signal` aborted and its result is ignored, and no callback runs afterwards.
 *
 * `refresh({ token, signal })` receives the token being replaced and an AbortSignal, and resolves
 * to the new access token: a string, or an object with `accessToken` (a {@link Session}) or `token`.
 *
 * @example
 * import { scheduleRefresh } from "edge-jwt";
 *
 * let accessToken = sessionStorage.getItem("at");
 * const schedule = scheduleRefresh({
 *   getToken: () => accessToken,
 *   refresh: async ({ signal }) => {
 *     // the refresh token travels in an HttpOnly cookie
 *     const response = await fetch("/auth/refresh", { method: "POST", credentials: "include", signal });
 *     if (!response.ok) return response; // 401: the scheduler stops and calls onError
 *     return (await response.json()).accessToken;
 *   },
 *   onRefresh: (token) => { // in every tab
 *     accessToken = token;
 *     sessionStorage.setItem("at", token);
 *   },
 *   onError: (error, { stopped }) => {
 *     if (stopped) location.assign("/sign-in");
 *   },
 *   skew: 60, // seconds before exp
 * });
 * // on sign-out:
 * schedule.cancel();
 *
 * @param {object} options
 * @returns {{ cancel(): void }}
 */
export function scheduleRefresh(options) {
  return scheduleRefreshAfter(undefined, options);
}

/** scheduleRefresh, waiting first for `load()` (the browser entry passes its init). Not public. */
export function scheduleRefreshAfter(load, options) {
  if (options === null || typeof options !== "object") throw invalid("expected an options object");
  const { getToken, refresh, skew, jitter, onError, onRefresh, lockName = DEFAULT_LOCK, serverTime, retries = DEFAULT_RETRIES } = options;
  if (typeof getToken !== "function") throw invalid("getToken must be a function returning the current token");
  if (typeof refresh !== "function") throw invalid("refresh must be a function resolving to the new token");
  if (onError !== undefined && typeof onError !== "function") throw invalid("onError must be a function");
  if (onRefresh !== undefined && typeof onRefresh !== "function") throw invalid("onRefresh must be a function");
  if (typeof lockName !== "string" || lockName === "") throw invalid("lockName must be a non-empty string");
  if (!Number.isInteger(retries) || retries < 0) throw invalid("retries must be a non-negative integer");
  checkSeconds("skew", skew);
  checkSeconds("jitter", jitter);
  const refreshAtOptions = {};
  if (skew !== undefined) refreshAtOptions.skew = skew;
  if (jitter !== undefined) refreshAtOptions.jitter = jitter;

  // ---- state ----
  let done = false; // cancelled or stopped: nothing runs any more
  let loaded = false;
  let offset = 0; // server time minus device time, ms
  let calibrated = false; // offset measured (serverTime, a fresh iat), not merely bounded
  let anchor; // Date.now() - performance.now() at the last check, to notice wall-clock jumps
  let known; // the newest token this scheduler refreshed or received from another tab
  let plan; // the plan of the token currently in force
  const plans = new Map(); // token -> plan (or { token, error }), a few recent ones
  let timer;
  let timerDue = 0;
  let lastAttempt = -Infinity;
  let waitingOnline = false;
  let running = false;
  let again = false;
  const sleeps = new Map(); // timeout id -> resolve, so cancel() can end every wait
  const abort = typeof AbortController === "function" ? new AbortController() : undefined;
  const storage = localStorageOrUndefined();
  const me = randomId();

  if (serverTime !== undefined) {
    offset = parseServerTime(serverTime) - Date.now();
    calibrated = true;
  }

  // ---- reporting ----
  function report(error, info) {
    if (done && !info.stopped) return;
    try {
      if (onError) onError(error, info);
      else (info.stopped ? console.error : console.warn)("edge-jwt scheduleRefresh:", error);
    } catch {
      // the app's handler failing must not break the schedule
    }
  }

  function deliver(token) {
    try {
      onRefresh?.(token);
    } catch (error) {
      report(error, { stopped: false });
    }
  }

  // ---- time ----
  const serverNow = () => Date.now() + offset;

  function checkClockJump() {
    if (typeof performance !== "object" || typeof performance?.now !== "function") return;
    const base = Date.now() - performance.now();
    if (anchor !== undefined) {
      const drift = base - anchor;
      // The wall clock went back (the user or NTP set it): the server's time did not, so the
      // offset grows by as much. Forward jumps are sleeps as often as clock changes; they are left
      // alone (a refresh that comes early recalibrates from the new token's iat).
      if (drift < -CLOCK_JUMP) offset -= drift;
    }
    anchor = base;
  }

  // ---- plans ----
  function planFor(token, fresh) {
    const cached = plans.get(token);
    if (cached && !fresh) {
      if (cached.error) throw cached.error;
      return cached;
    }
    let made;
    try {
      // inspect() refuses an exp or iat in milliseconds (ERR_JWT_INVALID, claim "exp"/"iat"),
      // so a token never reads as living until the year 50000.
      const info = inspect(token);
      const exp = info.expiresAt?.getTime();
      const iat = info.issuedAt?.getTime();
      if (iat !== undefined && exp !== undefined && iat < exp) {
        if (fresh) {
          // Issued a moment ago: the server's clock read iat (whole seconds) then.
          offset = iat + 500 - Date.now();
          calibrated = true;
        } else if (!calibrated && iat > serverNow() + CLOCK_JUMP) {
          // Issued in the device's future: the device is behind by at least that much.
          offset = iat + 500 - Date.now();
        }
      }
      let target = refreshAt(token, { ...refreshAtOptions, now: serverNow() / 1000 });
      if (fresh && target <= serverNow()) {
        // A brand-new token already due (no iat and a skew longer than its life): refresh at
        // half its remaining life, never in a loop.
        const left = exp - serverNow();
        if (!(left > 0)) throw new JwtError("ERR_JWT_EXPIRED", "scheduleRefresh: refresh() returned a token that is already expired (give the token an iat or pass serverTime)", { claim: "exp" });
        target = serverNow() + Math.max(left / 2, Math.min(left, 1000));
      }
      made = { token, target, exp, attempts: 0, notBefore: 0, stalled: false };
    } catch (error) {
      made = { token, error };
    }
    plans.delete(token);
    plans.set(token, made);
    for (const old of plans.keys()) {
      if (plans.size <= 4) break;
      if (old !== plan?.token && old !== known && old !== token) plans.delete(old);
    }
    if (made.error) throw made.error;
    return made;
  }

  // What getToken() says, unless a newer token reached this scheduler (the app has not stored it yet).
  async function currentToken() {
    const fromApp = await getToken();
    if (typeof fromApp !== "string" || fromApp === "") {
      known = undefined; // signed out
      return undefined;
    }
    if (known !== undefined && known !== fromApp) {
      const ours = plans.get(known);
      let theirs;
      try {
        theirs = planFor(fromApp, false);
      } catch {
        theirs = undefined;
      }
      if (ours && !ours.error && theirs && ours.exp > theirs.exp) return known;
      known = undefined;
    }
    return fromApp;
  }

  // ---- timers ----
  function clearTimer() {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function arm(delay) {
    clearTimer();
    if (done) return;
    const wait = Math.min(Math.max(0, Math.ceil(delay)), HEARTBEAT, MAX_TIMER);
    timerDue = Date.now() + wait;
    timer = setTimeout(() => {
      timer = undefined;
      if (Date.now() - timerDue > LATE) wake(false);
      else poke();
    }, wait);
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const id = setTimeout(() => {
        sleeps.delete(id);
        resolve();
      }, ms);
      sleeps.set(id, resolve);
    });
  }

  // ---- the loop: one step at a time; events during a step ask for another ----
  function poke() {
    if (done) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    (async () => {
      try {
        do {
          again = false;
          await step();
        } while (again && !done);
      } catch (error) {
        report(error, { stopped: false });
        arm(HEARTBEAT);
      } finally {
        running = false;
      }
    })();
  }

  function wake(online) {
    if (done) return;
    if (plan && !plan.error) {
      if (online && waitingOnline) plan.notBefore = 0;
      if (plan.stalled && Date.now() - lastAttempt >= STALL_RETRY_GAP) {
        plan.stalled = false;
        plan.attempts = 0;
      }
    }
    poke();
  }

  async function step() {
    clearTimer();
    if (!loaded) {
      try {
        await load?.();
        loaded = true;
      } catch (error) {
        report(error, { stopped: false });
        arm(HEARTBEAT);
        return;
      }
      if (done) return;
    }
    checkClockJump();
    let token;
    try {
      token = await currentToken();
    } catch (error) {
      if (done) return;
      report(error, { stopped: false });
      arm(HEARTBEAT);
      return;
    }
    if (done) return;
    if (token === undefined) {
      plan = undefined;
      arm(HEARTBEAT); // nothing to refresh; look again now and then (and on every wake-up)
      return;
    }
    try {
      plan = planFor(token, false);
    } catch (error) {
      plan = plans.get(token);
      if (!plan.reported) report(error, { stopped: false }); // once per token; then wait for another one
      plan.reported = true;
      arm(HEARTBEAT);
      return;
    }
    const untilDue = plan.target - serverNow();
    if (untilDue > 0) return arm(untilDue);
    if (plan.stalled) return arm(HEARTBEAT);
    const untilRetry = plan.notBefore - Date.now();
    if (untilRetry > 0) return arm(untilRetry);
    if (typeof navigator === "object" && navigator?.onLine === false) {
      waitingOnline = true; // the `online` event brings us back
      return arm(HEARTBEAT);
    }
    waitingOnline = false;
    await refreshOnce(plan);
    again = true; // plan the next token (or the retry)
  }

  async function refreshOnce(p) {
    lastAttempt = Date.now();
    try {
      await withLock(async () => {
        if (done) return;
        const current = await currentToken();
        if (done || current !== p.token) return; // another tab (or the app) replaced it meanwhile
        const result = await refresh({ token: current, signal: abort?.signal });
        if (done) return;
        const token = tokenFrom(result);
        planFor(token, true);
        known = token;
        post({ type: "token", token, offset: calibrated ? offset : undefined });
        deliver(token);
        await sleep(HANDOFF);
      });
    } catch (error) {
      if (done) return;
      if (isPermanent(error)) return stop(error, p.token, true);
      p.attempts++;
      if (p.attempts > retries) {
        p.stalled = true;
        report(error, { stopped: false });
        return;
      }
      const delay = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (p.attempts - 1)) * (0.5 + Math.random() / 2);
      p.notBefore = Date.now() + delay;
      report(error, { stopped: false, retryIn: Math.round(delay) / 1000 });
    }
  }

  // ---- locks ----
  async function withLock(fn) {
    const locks = typeof navigator === "object" ? navigator?.locks : undefined;
    if (locks && typeof locks.request === "function") {
      let entered = false;
      try {
        return await locks.request(lockName, abort ? { signal: abort.signal } : {}, () => {
          entered = true;
          return fn();
        });
      } catch (error) {
        // An opaque origin (sandboxed iframe) may not use locks: carry on as if there were none.
        if (entered || error?.name !== "SecurityError") throw error;
      }
    }
    if (storage) return withStorageLock(fn);
    return fn();
  }

  function readLease(key) {
    try {
      const lease = JSON.parse(storage.getItem(key));
      return lease && typeof lease.id === "string" && typeof lease.until === "number" ? lease : undefined;
    } catch {
      return undefined;
    }
  }

  // A lease in localStorage for browsers without Web Locks: write, wait, read back.
  async function withStorageLock(fn) {
    const key = `${lockName}:lock`;
    for (;;) {
      if (done) return;
      const lease = readLease(key);
      if (lease === undefined || lease.until <= Date.now() || lease.id === me) {
        storage.setItem(key, JSON.stringify({ id: me, until: Date.now() + LEASE }));
        await sleep(20 + Math.random() * 30);
        if (done) return;
        if (readLease(key)?.id === me) break;
      } else {
        await sleep(50 + Math.random() * 100);
      }
    }
    try {
      return await fn();
    } finally {
      if (readLease(key)?.id === me) storage.removeItem(key);
    }
  }

  // ---- tabs ----
  let channel;
  if (typeof BroadcastChannel === "function") {
    try {
      channel = new BroadcastChannel(lockName);
      channel.unref?.(); // Node.js: a channel alone does not keep the process alive
      channel.onmessage = (event) => receive(event.data);
    } catch {
      channel = undefined;
    }
  }

  function post(message) {
    try {
      channel?.postMessage(message);
    } catch {
      // a closed channel: nothing to tell
    }
  }

  function receive(message) {
    if (done || message === null || typeof message !== "object" || typeof message.token !== "string") return;
    if (message.type === "token") {
      if (message.token === known) return;
      if (typeof message.offset === "number" && Number.isFinite(message.offset)) {
        offset = message.offset; // the same device clock: the refreshing tab's measurement holds here
        calibrated = true;
      }
      known = message.token;
      deliver(message.token);
      poke();
    } else if (message.type === "stopped" && (message.token === plan?.token || message.token === known)) {
      const error = Object.assign(new Error(`scheduleRefresh: the refresh failed in another tab: ${message.message}`), {
        status: message.status,
        code: message.code,
      });
      stop(error, message.token, false);
    }
  }

  // ---- wake-ups ----
  const win = typeof globalThis.addEventListener === "function" ? globalThis : undefined;
  const doc = typeof document === "object" && document !== null && typeof document.addEventListener === "function" ? document : undefined;
  const onVisibility = () => {
    if (doc.visibilityState !== "hidden") wake(false);
  };
  const onWake = () => wake(false);
  const onOnline = () => wake(true);
  const listeners = [];
  function listen(target, type, handler) {
    if (!target) return;
    try {
      target.addEventListener(type, handler);
      listeners.push([target, type, handler]);
    } catch {
      // a global scope without these events (e.g. a Workers isolate refusing unknown types)
    }
  }
  listen(doc, "visibilitychange", onVisibility);
  listen(doc, "resume", onWake);
  listen(win, "focus", onWake);
  listen(win, "pageshow", onWake);
  listen(win, "online", onOnline);

  // ---- ending ----
  function release() {
    done = true;
    clearTimer();
    for (const [id, resolve] of sleeps) {
      clearTimeout(id);
      resolve();
    }
    sleeps.clear();
    abort?.abort();
    for (const [target, type, handler] of listeners) target.removeEventListener(type, handler);
    listeners.length = 0;
    if (channel) {
      channel.onmessage = null;
      channel.close();
      channel = undefined;
    }
  }

  function stop(error, token, tellOthers) {
    if (done) return;
    if (tellOthers) post({ type: "stopped", token, status: statusOf(error), code: typeof error?.code === "string" ? error.code : undefined, message: String(error?.message ?? error) });
    release();
    report(error, { stopped: true });
  }

  poke();

  return {
    cancel() {
      if (!done) release();
    },
  };
}
