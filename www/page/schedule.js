// A stand-in with the package's scheduleRefresh contract (getToken, refresh({ token, signal }),
// onRefresh, onError(error, { stopped }), skew, jitter), used only with a build of the package
// that has no scheduleRefresh: one timer from the token's absolute expiry, re-armed on focus,
// online and visibility changes, retries with backoff, stops on a 4xx. No cross-tab lock.
import { refreshAt } from "edge-jwt";

export function fallbackScheduleRefresh({ getToken, refresh, onRefresh, onError, skew = 60, jitter = 0 }) {
  let timer;
  let done = false;
  let running = false;
  let failures = 0;

  function plan(delay) {
    clearTimeout(timer);
    const token = getToken();
    if (done || running || !token) return;
    const at = delay === undefined ? refreshAt(token, { skew, jitter }) : Date.now() + delay;
    timer = setTimeout(() => run(token), Math.max(0, at - Date.now()));
  }

  async function run(token) {
    running = true;
    try {
      const next = await refresh({ token, signal: undefined });
      failures = 0;
      running = false;
      if (!done) onRefresh?.(next);
      plan();
    } catch (error) {
      running = false;
      const stopped = error?.status >= 400 && error.status < 500 && ![408, 425, 429].includes(error.status);
      if (stopped) cancel();
      onError?.(error, { stopped });
      if (!stopped) plan(Math.min(60_000, 1000 * 2 ** ++failures));
    }
  }

  const recheck = () => document.visibilityState !== "hidden" && plan();
  const targets = [[document, "visibilitychange"], [window, "focus"], [window, "online"]];
  function cancel() {
    done = true;
    clearTimeout(timer);
    for (const [target, event] of targets) target.removeEventListener(event, recheck);
  }
  for (const [target, event] of targets) target.addEventListener(event, recheck);
  plan();
  return { cancel };
}
