// A minimal refresh scheduler with the package's scheduleRefresh({ getToken, refresh, skew,
// onError }) shape, used only when the package build has none: one timer from the token's
// absolute expiry, re-armed on focus, online and visibility changes (timers in background tabs
// are throttled and machines sleep), retries with backoff. No cross-tab coordination.
import { refreshAt } from "edge-jwt";

export function fallbackScheduleRefresh({ getToken, refresh, skew = 30, onError }) {
  let timer;
  let cancelled = false;
  let running = false;
  let failures = 0;
  const handle = { nextRefreshAt: undefined, cancel };

  function plan(delay) {
    clearTimeout(timer);
    const token = getToken();
    if (cancelled || running || !token) return;
    const at = delay === undefined ? refreshAt(token, { skew, jitter: 0 }) : Date.now() + delay;
    handle.nextRefreshAt = at;
    timer = setTimeout(run, Math.max(0, at - Date.now()));
  }

  async function run() {
    running = true;
    try {
      await refresh();
      failures = 0;
      running = false;
      plan();
    } catch (error) {
      running = false;
      onError?.(error);
      if (error?.final) return cancel();
      failures += 1;
      plan(Math.min(30_000, 1000 * 2 ** failures));
    }
  }

  const recheck = () => {
    if (document.visibilityState !== "hidden") plan();
  };
  function cancel() {
    cancelled = true;
    clearTimeout(timer);
    for (const event of ["visibilitychange", "focus", "online"]) (event === "visibilitychange" ? document : window).removeEventListener(event, recheck);
  }
  document.addEventListener("visibilitychange", recheck);
  window.addEventListener("focus", recheck);
  window.addEventListener("online", recheck);
  plan();
  return handle;
}
