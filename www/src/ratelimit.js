// Rate limits: a fixed window per (rule, key) in its own Durable Object, so counts are exact
// across isolates and locations. Over the limit, the worker answers 429 with Retry-After.
import { DurableObject } from "cloudflare:workers";
import { HttpError } from "./http.js";

/** [limit, window seconds] per rule. */
export const RULES = {
  "password:ip": [10, 60],
  // Wrong passwords only (a right one is not counted): per account and address, so one client
  // cannot lock anyone else out, and per account from anywhere, a ceiling on guessing from many
  // addresses (which can lock the account for the rest of the window: the usual trade-off).
  "password-failure:account-ip": [5, 600],
  "password-failure:account": [50, 600],
  "code:ip": [20, 60],
  "send:ip": [10, 600],
  "send:destination": [5, 600],
  // The two-factor code: sent only after a correct first factor (password or magic link, each
  // limited above), so per account and apart from "send:destination": flooding a user's phone
  // with SMS sign-in codes must not lock them out of their password sign-in.
  "2fa-send:account": [10, 600],
  "magic:ip": [20, 60],
  "refresh:ip": [600, 60],
};

export class RateLimiterObject extends DurableObject {
  /** Counts one hit; `{ ok, retryAfter? }`. With `count` false, only says whether one would pass. */
  async hit(limit, windowSeconds, count = true) {
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    let window = kv.get("window");
    if (!window || now >= window.end) window = { end: now + windowSeconds * 1000, count: 0 };
    if (window.count >= limit) return { ok: false, retryAfter: Math.max(1, Math.ceil((window.end - now) / 1000)) };
    if (!count) return { ok: true };
    window.count += 1;
    kv.put("window", window);
    if (window.count === 1) await this.ctx.storage.setAlarm(window.end);
    return { ok: true };
  }

  async alarm() {
    const window = this.ctx.storage.kv.get("window");
    if (!window || Date.now() >= window.end) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(window.end);
  }
}

/**
 * The client address: CF-Connecting-IP on Cloudflare (and wrangler dev), else a fixed key.
 * Cloudflare's edge sets this header itself, overwriting any the client sent, so it can be
 * trusted there; behind any other proxy, derive the address from what that proxy vouches for.
 */
export function clientKey(request) {
  return request.headers.get("cf-connecting-ip") || "local";
}

/** Counts a hit on each `[rule, key]` in turn; throws a 429 HttpError at the first one over. */
export async function limit(env, ...checks) {
  await hitEach(env, checks, true);
}

/** Throws the 429 when any `[rule, key]` is already at its limit, counting nothing. */
export async function checkLimits(env, ...checks) {
  await hitEach(env, checks, false);
}

/** Counts a failure (a wrong password) on each `[rule, key]`; never throws a 429 itself. */
export async function countFailure(env, ...checks) {
  for (const [rule, key] of checks) {
    const [max, seconds] = RULES[rule];
    await env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule}:${key}`)).hit(max, seconds);
  }
}

async function hitEach(env, checks, count) {
  for (const [rule, key] of checks) {
    const [max, seconds] = RULES[rule];
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule}:${key}`));
    const answer = await stub.hit(max, seconds, count);
    if (!answer.ok) {
      throw new HttpError(429, "ERR_RATE_LIMITED", `too many requests: try again in ${answer.retryAfter} s`, {
        "retry-after": String(answer.retryAfter),
      });
    }
  }
}
