// The demo page: sign in (password + SMS two-factor, magic link, SMS code), then watch the access
// token: decoded with inspect(), a live countdown to its expiry, and the refresh scheduled
// before it expires. The access token lives only in memory; the refresh token is an HttpOnly
// cookie this script never sees, so a reload signs back in through POST /auth/refresh.
// The package's scheduler refreshes in one tab at a time and re-checks on focus, online and
// visibility changes.
import { ready, inspect, refreshAt, scheduleRefresh } from "edge-jwt";

const SKEW = 15; // seconds before expiry (clamped by refreshAt to 50–90 % of the lifetime)

const SIGNED_IN = "edge-jwt-demo:signed-in";
// A magic link's pending two-factor sign-in, handed over by the confirm page (magic.js) in this
// tab's sessionStorage: a two-factor user's link is only the first factor.
const TWO_FACTOR = "edge-jwt-demo:two-factor";
// The two-factor step in progress in this tab (after a password or a magic link), kept until it
// completes, is cancelled or expires, so that a reload comes back to the code form.
const PENDING = "edge-jwt-demo:pending-two-factor";
const $ = (selector) => document.querySelector(selector);
const state = { accessToken: null, user: null, scheduler: null, refreshes: 0, lastRefresh: null, pending: null, smsChallenge: null, tab: "password" };

// ---------------------------------------------------------------------------------------------
// HTTP

async function api(path, { method = "POST", body, token, signal } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", signal });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `HTTP ${response.status}`);
    error.code = data?.error?.code;
    error.status = response.status;
    error.retryAfter = response.headers.get("retry-after");
    throw error;
  }
  return data;
}

const describeError = (error) =>
  error.status === 429 ? `Too many attempts: try again in ${error.retryAfter} s.` : `${error.message}${error.code ? ` (${error.code})` : ""}`;

// ---------------------------------------------------------------------------------------------
// Session

function applySession(data, how) {
  const first = state.accessToken === null;
  sessionStorage.removeItem(PENDING);
  state.accessToken = data.accessToken;
  state.user = data.user ?? state.user;
  if (first) {
    localStorage.setItem(SIGNED_IN, "1");
    log(`Signed in as ${state.user.name} — ${how}`, "ok");
    showSession();
    startScheduler();
  }
  renderToken();
  tick();
}

/** POST /auth/refresh (the HttpOnly cookie goes along); resolves to the new access token. */
async function fetchRefresh(signal) {
  const data = await api("/auth/refresh", { signal });
  state.user = data.user;
  return data.accessToken;
}

/** A new access token from a refresh (in this tab or, through the scheduler, another one). */
function adoptToken(token, reason) {
  if (!state.accessToken || token === state.accessToken) return;
  state.accessToken = token;
  state.refreshes += 1;
  state.lastRefresh = Date.now();
  log(`Refreshed (${reason}): new access token until ${time(inspect(token).expiresAt)}`, "refresh");
  renderToken();
  tick();
}

function startScheduler() {
  state.scheduler?.cancel();
  state.scheduler = scheduleRefresh({
    getToken: () => state.accessToken,
    refresh: ({ signal }) => fetchRefresh(signal),
    onRefresh: (token) => adoptToken(token, "scheduled"),
    onError: (error, { stopped }) => {
      if (stopped) endSession(`Session ended: ${describeError(error)}`);
      else log(`Refresh failed, will retry: ${describeError(error)}`, "error");
    },
    skew: SKEW,
    jitter: 0, // one demo user: the "next refresh" shown is exactly when it happens
  });
}

async function refreshNow(reason) {
  try {
    adoptToken(await fetchRefresh(), reason);
  } catch (error) {
    if (error.status === 401) endSession(`Session ended: ${describeError(error)}`);
    else log(`Refresh failed: ${describeError(error)}`, "error");
    throw error;
  }
}

function endSession(message) {
  state.scheduler?.cancel();
  state.scheduler = null;
  state.accessToken = null;
  state.user = null;
  log(message, "error");
  showSignin();
}

async function signOut() {
  const button = $("#signout");
  button.disabled = true;
  try {
    if (inspect(state.accessToken).expired) await refreshNow("before sign-out");
    await api("/auth/signout", { token: state.accessToken });
    state.scheduler?.cancel();
    state.scheduler = null;
    state.accessToken = null;
    log("Signed out: the session is revoked in the ledger", "ok");
    showSignin();
    message("Signed out.", "ok");
  } catch (error) {
    log(`Sign-out failed: ${describeError(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const time = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

function log(text, kind = "") {
  const item = document.createElement("li");
  item.className = kind;
  const stamp = document.createElement("time");
  stamp.textContent = time(new Date());
  item.append(stamp, document.createTextNode(text));
  $("#log").prepend(item);
  while ($("#log").children.length > 30) $("#log").lastElementChild.remove();
}

function message(text, kind = "") {
  const el = $("#signin-message");
  el.textContent = text;
  el.className = `message ${kind}`;
}

function setStatus(text, kind) {
  const el = $("#status");
  el.textContent = text;
  el.className = `pill ${kind}`;
}

function showSignin() {
  localStorage.removeItem(SIGNED_IN);
  $("#session").hidden = true;
  $("#signin").hidden = false;
  resetForms();
  setStatus("Signed out", "off");
}

function showSession() {
  $("#signin").hidden = true;
  $("#session").hidden = false;
  message("");
  setStatus(`Signed in · ${state.user.name}`, "on");
}

function renderToken() {
  const { header, claims } = inspect(state.accessToken);
  $("#user-name").textContent = state.user.name;
  $("#user-meta").textContent = `${state.user.email} · signed in with ${(claims.amr ?? []).join(" + ") || "?"} · session ${claims.sid}`;
  $("#token-header").textContent = JSON.stringify(header, null, 2);
  $("#token-claims").textContent = JSON.stringify(claims, null, 2);
  $("#token-raw").textContent = state.accessToken;
}

function tick() {
  if (!state.accessToken) return;
  const now = Date.now();
  const info = inspect(state.accessToken);
  const left = info.expiresAt.getTime() - now;
  const lifetime = (info.claims.exp - info.claims.iat) * 1000;
  $("#countdown").textContent = left > 0 ? `${Math.ceil(left / 1000)} s` : "expired";
  $("#countdown").classList.toggle("late", left < 10_000);
  $("#meter-fill").style.width = `${Math.max(0, Math.min(100, (left / lifetime) * 100))}%`;
  const next = refreshAt(state.accessToken, { skew: SKEW, jitter: 0 });
  $("#next-refresh").textContent = time(new Date(next));
  $("#next-refresh-in").textContent = next > now ? `in ${Math.ceil((next - now) / 1000)} s` : "now";
  $("#refresh-count").textContent = String(state.refreshes);
  $("#last-refresh").textContent = state.lastRefresh ? `last at ${time(new Date(state.lastRefresh))}` : "none yet";
}

// ---------------------------------------------------------------------------------------------
// Sign-in forms

/** The two-factor step this tab was in before a reload, if its pending token still lives. */
function restorePending() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(PENDING));
  } catch {
    // nothing saved
  }
  if (!saved?.pendingToken) return false;
  let expired = true;
  try {
    expired = inspect(saved.pendingToken).expired; // for display only; the server verifies it
  } catch {
    // not a token
  }
  if (expired) {
    sessionStorage.removeItem(PENDING);
    showSignin();
    message("The sign-in step before the code has expired: sign in again.", "error");
    return true;
  }
  showSignin();
  if (saved.sameBrowser === false) {
    $("#banner").textContent = "This sign-in link was requested in another browser. If that wasn't you, do not enter the code.";
    $("#banner").hidden = false;
  }
  showTwoFactor(saved, saved.first);
  return true;
}

function resetForms() {
  state.pending = null;
  sessionStorage.removeItem(PENDING);
  state.smsChallenge = null;
  $("#password-form").hidden = false;
  $("#twofa-form").hidden = true;
  $(".tabs").hidden = false;
  showPanel();
  $("#sms-form").hidden = false;
  $("#sms-code-form").hidden = true;
  $("#twofa-form").reset();
  $("#sms-code-form").reset();
  $('#password-form [name="password"]').value = "";
}

function showPanel() {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = tab.dataset.tab === state.tab;
    tab.setAttribute("aria-selected", String(selected));
    $(`#panel-${tab.dataset.tab}`).hidden = !selected;
  }
}

function selectTab(name) {
  state.tab = name;
  showPanel();
  message("");
}

/** The first factor (`first`: "password" or "magic link") passed: ask for the texted code. */
function showTwoFactor(data, first) {
  state.pending = { pendingToken: data.pendingToken, challenge: data.challenge, first };
  sessionStorage.setItem(PENDING, JSON.stringify({ ...state.pending, sentTo: data.sentTo, sameBrowser: data.sameBrowser }));
  $(".tabs").hidden = true;
  for (const panel of document.querySelectorAll("[role=tabpanel]")) panel.hidden = true;
  $("#twofa-form").hidden = false;
  $("#twofa-form [data-first-factor]").textContent = first === "password" ? "Password accepted." : "Magic link accepted.";
  $("#twofa-form [data-sent-to]").textContent = data.sentTo;
  $('#twofa-form [name="code"]').focus();
}

function onSubmit(selector, handler) {
  const form = $(selector);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message("");
    try {
      await handler(Object.fromEntries(new FormData(form)), form);
    } catch (error) {
      message(describeError(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}

function wireForms() {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => selectTab(tab.dataset.tab));
  for (const button of document.querySelectorAll("[data-cancel]")) button.addEventListener("click", () => { resetForms(); message(""); });

  onSubmit("#password-form", async ({ email, password }) => {
    const data = await api("/auth/password", { body: { email, password } });
    if (data.twoFactor) {
      showTwoFactor(data, "password");
    } else {
      applySession(data, "password");
    }
  });
  onSubmit("#twofa-form", async ({ code }) => {
    const { pendingToken, challenge, first } = state.pending;
    applySession(await api("/auth/2fa/verify", { body: { pendingToken, challenge, code } }), `${first} + SMS code`);
  });
  onSubmit("#magic-form", async ({ email }) => {
    await api("/auth/magic-link", { body: { email } });
    message("Link sent. Open it from the outbox (it works once, for 10 minutes).", "ok");
  });
  onSubmit("#sms-form", async ({ phone }) => {
    const data = await api("/auth/sms", { body: { phone } });
    state.smsChallenge = data.challenge;
    $("#sms-form").hidden = true;
    $("#sms-code-form").hidden = false;
    $("#sms-code-form [data-sent-to]").textContent = data.sentTo;
    $('#sms-code-form [name="code"]').focus();
  });
  onSubmit("#sms-code-form", async ({ code }) => {
    try {
      applySession(await api("/auth/sms/verify", { body: { challenge: state.smsChallenge, code } }), "SMS code");
    } catch (error) {
      // A two-factor account: the code was right, but it cannot be both factors. Back to the
      // password tab; the message says why.
      if (error.code === "ERR_TWO_FACTOR_REQUIRED") {
        resetForms();
        selectTab("password");
      }
      throw error;
    }
  });

  $("#signout").addEventListener("click", signOut);
  $("#refresh-now").addEventListener("click", () => refreshNow("manual").catch(() => {}));
  $("#call-me").addEventListener("click", async () => {
    try {
      const me = await api("/api/me", { method: "GET", token: state.accessToken });
      log(`GET /api/me → 200: ${me.user.name}, session ${me.sessionId}`, "ok");
    } catch (error) {
      log(`GET /api/me → ${error.status}: ${describeError(error)}`, "error");
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Dev outbox

let lastOutbox = "";

async function pollOutbox() {
  let data;
  try {
    data = await api("/dev/outbox", { method: "GET" });
  } catch (error) {
    if (error.status === 404) return false; // not a DEV deployment
    return true;
  }
  $("#outbox").hidden = false;
  const key = data.messages.map((m) => m.id).join(",");
  if (key !== lastOutbox) {
    lastOutbox = key;
    renderOutbox(data.messages);
  }
  return true;
}

function renderOutbox(messages) {
  const list = $("#outbox-list");
  list.replaceChildren();
  $("#outbox-empty").hidden = messages.length > 0;
  for (const m of messages.slice(0, 12)) {
    const item = $("#outbox-item").content.firstElementChild.cloneNode(true);
    item.classList.add(m.kind);
    item.querySelector(".kind").textContent = m.kind === "sms" ? "SMS" : "Email";
    item.querySelector(".to").textContent = m.to;
    item.querySelector("time").textContent = time(new Date(m.at));
    const actions = item.querySelector(".row");
    if (m.kind === "email") {
      item.querySelector(".subject").textContent = m.subject;
      item.querySelector(".code").remove();
      if (m.link) {
        const link = document.createElement("a");
        link.className = "button primary small-button";
        link.href = m.link;
        link.textContent = "Open sign-in link";
        actions.append(link);
      }
    } else {
      item.querySelector(".subject").textContent = m.text;
      const code = /\b(\d{4,10})\b/.exec(m.text)?.[1];
      if (code) {
        item.querySelector(".code").textContent = code;
        const use = document.createElement("button");
        use.type = "button";
        use.className = "ghost small-button";
        use.textContent = "Use this code";
        use.addEventListener("click", () => {
          const form = ["#twofa-form", "#sms-code-form"].map((s) => $(s)).find((f) => !f.hidden && !f.closest("[hidden]"));
          if (!form) return message("Ask for a code first.", "error");
          form.querySelector('[name="code"]').value = code;
          form.requestSubmit();
        });
        actions.append(use);
      } else {
        item.querySelector(".code").remove();
      }
    }
    list.append(item);
  }
}

function startOutbox() {
  let timer;
  const loop = async () => {
    if (!(await pollOutbox())) return;
    timer = setTimeout(loop, document.visibilityState === "visible" ? 1500 : 10_000);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && timer !== undefined) {
      clearTimeout(timer);
      loop();
    }
  });
  loop();
}

// ---------------------------------------------------------------------------------------------

async function main() {
  wireForms();
  startOutbox();
  await ready;
  const banner = (text) => {
    $("#banner").textContent = text;
    $("#banner").hidden = false;
  };
  if (location.hash === "#signed-in-elsewhere") {
    banner("You signed in from a link that was requested in another browser. If that wasn't you, sign out.");
  }
  const fromLink = location.hash.startsWith("#signed-in");
  const twoFactor = location.hash === "#two-factor";
  if (location.hash) history.replaceState(null, "", "/");
  if (twoFactor) {
    // From the confirm page of a two-factor user's magic link: the SMS code comes next.
    const handed = sessionStorage.getItem(TWO_FACTOR);
    sessionStorage.removeItem(TWO_FACTOR);
    showSignin();
    let pending = null;
    try {
      pending = JSON.parse(handed);
    } catch {
      // nothing handed over
    }
    if (pending?.pendingToken) {
      if (pending.sameBrowser === false) banner("This sign-in link was requested in another browser. If that wasn't you, do not enter the code.");
      showTwoFactor(pending, "magic link");
    } else {
      message("The magic link's sign-in is not in this tab any more: ask for a new link.", "error");
    }
  } else if (restorePending()) {
    // A reload in the middle of the two-factor step: back to the code form.
  } else if (fromLink || localStorage.getItem(SIGNED_IN) === "1") {
    // A session may be waiting in the refresh cookie (after a reload, or a magic link); the
    // page cannot see the HttpOnly cookie, so it remembers whether it signed in.
    try {
      applySession({ accessToken: await fetchRefresh() }, fromLink ? "magic link" : "restored from the refresh cookie");
    } catch {
      showSignin();
    }
  } else {
    showSignin();
  }
  setInterval(tick, 250);
  tick();
}

main().catch((error) => {
  setStatus("Error", "error");
  console.error(error);
});
