// The demo page in headless Chromium (playwright-core) against the worker on workerd: a user signs
// in by magic link (clicked in the outbox panel) and by SMS code (read from the outbox panel),
// sees the countdown, the access token refreshes by itself, and signs out. Screenshots at 1280
// and 390 px go to tests/demo/screenshots/ (gitignored).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { USERS, client, startWorker, workerHome } from "./helpers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const ACCESS_TTL = 8; // refreshes come every 4 s (refreshAt clamps to half the lifetime)

let home;
let worker;
let browser;

async function openPage(width, height = 900) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(worker.url);
  await page.waitForSelector("#signin:not([hidden])");
  return { context, page, problems };
}

/** Waits for the page to show a session; returns the encoded access token it shows. */
async function signedIn(page, name) {
  await page.waitForSelector("#session:not([hidden])", { timeout: 15_000 });
  assert.equal(await page.textContent("#user-name"), name);
  await page.waitForFunction(() => /^\d+ s$/.test(document.querySelector("#countdown").textContent));
  return page.textContent("#token-raw");
}

/** Watches the countdown tick and a refresh replace the token by itself. */
async function watchRefresh(page, token) {
  const before = Number.parseInt(await page.textContent("#countdown"), 10);
  assert.ok(before > 0 && before <= ACCESS_TTL, `countdown ${before}`);
  assert.match(await page.textContent("#next-refresh-in"), /^in \d+ s$|^now$/);
  await page.waitForFunction((old) => document.querySelector("#token-raw").textContent !== old, token, { timeout: ACCESS_TTL * 1000 + 5000 });
  assert.ok(Number(await page.textContent("#refresh-count")) >= 1);
  assert.match(await page.textContent("#log"), /Refreshed \(scheduled\)/);
  return page.textContent("#token-raw");
}

async function signOut(page, token) {
  await page.click("#signout");
  await page.waitForSelector("#signin:not([hidden])");
  assert.equal(await page.textContent("#status"), "Signed out");
  const me = await client(worker.url)("GET", "/api/me", { token });
  assert.equal(me.status, 401, "the session is revoked");
  assert.equal(me.body.error.code, "ERR_SESSION_REVOKED");
}

describe("demo page in headless Chromium", () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    home = await workerHome();
    worker = await startWorker(home, { ACCESS_TTL });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--disable-sync", "--no-first-run"],
    });
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    home?.remove();
  });

  test("magic link at 1280 px: request, open from the outbox, confirm, watch a refresh, sign out", async () => {
    const { context, page, problems } = await openPage(1280);
    try {
      await page.screenshot({ path: join(SHOTS, "signin-1280.png"), fullPage: true });
      await page.click("#tab-magic");
      await page.fill("#magic-form [name=email]", USERS.alan.email);
      await page.click("#magic-form button[type=submit]");
      await page.waitForSelector("#signin-message.ok");
      const link = page.locator(".message-item.email", { hasText: USERS.alan.email }).locator("a", { hasText: "Open sign-in link" });
      await link.first().click();
      await page.waitForURL(/\/auth\/magic\?/);
      await page.waitForSelector("#confirm");
      assert.match(await page.textContent("main"), /Alan Turing/);
      await page.screenshot({ path: join(SHOTS, "magic-confirm-1280.png") });
      await page.click("#confirm");
      await page.waitForURL(`${worker.url}/`);
      const token = await signedIn(page, "Alan Turing");
      assert.match(await page.textContent("#user-meta"), /signed in with email/);
      assert.equal(await page.isHidden("#banner"), true, "same browser: no warning");
      const refreshed = await watchRefresh(page, token);
      await page.click("#call-me");
      await page.waitForFunction(() => /GET \/api\/me → 200/.test(document.querySelector("#log").textContent));
      await page.screenshot({ path: join(SHOTS, "session-1280.png"), fullPage: true });
      await signOut(page, refreshed);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("SMS code at 390 px: request, read the code in the outbox, sign in, watch a refresh, sign out", async () => {
    const { context, page, problems } = await openPage(390, 844);
    try {
      await page.screenshot({ path: join(SHOTS, "signin-390.png"), fullPage: true });
      await page.click("#tab-sms");
      await page.fill("#sms-form [name=phone]", USERS.grace.phone);
      await page.click("#sms-form button[type=submit]");
      await page.waitForSelector("#sms-code-form:not([hidden])");
      const sms = page.locator(".message-item.sms", { hasText: USERS.grace.phone }).first();
      await sms.waitFor();
      const code = (await sms.locator(".code").textContent()).trim();
      assert.match(code, /^\d{6}$/);
      await page.fill("#sms-code-form [name=code]", code);
      await page.click("#sms-code-form button[type=submit]");
      const token = await signedIn(page, "Grace Hopper");
      assert.match(await page.textContent("#user-meta"), /signed in with sms/);
      const refreshed = await watchRefresh(page, token);
      await page.screenshot({ path: join(SHOTS, "session-390.png"), fullPage: true });
      // A reload keeps the session: the page signs back in through the refresh cookie.
      await page.reload();
      const afterReload = await signedIn(page, "Grace Hopper");
      assert.notEqual(afterReload, refreshed);
      await signOut(page, afterReload);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("magic link for a two-factor user at 1280 px: the link, then the texted code; the used link says so", async () => {
    const { context, page, problems } = await openPage(1280);
    try {
      await page.click("#tab-magic");
      await page.fill("#magic-form [name=email]", USERS.ada.email);
      await page.click("#magic-form button[type=submit]");
      await page.waitForSelector("#signin-message.ok");
      const link = page.locator(".message-item.email", { hasText: USERS.ada.email }).locator("a", { hasText: "Open sign-in link" }).first();
      const href = await link.getAttribute("href");
      await link.click();
      await page.waitForURL(/\/auth\/magic\?/);
      await page.waitForSelector("#confirm");
      assert.match(await page.textContent("main"), /Ada Lovelace/);
      await page.click("#confirm");
      await page.waitForSelector("#result.ok");
      assert.match(await page.textContent("#result"), /two-factor sign-in: enter the code we texted to •••• 0100/);
      await page.waitForURL(`${worker.url}/`);
      await page.waitForSelector("#twofa-form:not([hidden])");
      assert.equal(await page.textContent("#twofa-form [data-first-factor]"), "Magic link accepted.");
      assert.equal(await page.textContent("#twofa-form [data-sent-to]"), "•••• 0100");
      assert.equal(await page.isHidden(".tabs"), true, "one sign-in at a time");
      assert.equal(await page.isHidden("#session"), true, "no session after the link alone");
      await page.screenshot({ path: join(SHOTS, "magic-twofa-1280.png"), fullPage: true });
      await page.locator(".message-item.sms", { hasText: USERS.ada.phone }).first().locator("button", { hasText: "Use this code" }).click();
      const token = await signedIn(page, "Ada Lovelace");
      assert.match(await page.textContent("#user-meta"), /signed in with email \+ sms \+ mfa/);
      assert.match(await page.textContent("#log"), /magic link \+ SMS code/);
      await signOut(page, token);

      // The link again: the confirm page cannot tell (stateless), the POST's answer is shown.
      await page.goto(href);
      await page.click("#confirm");
      await page.waitForSelector("#result.error");
      assert.match(await page.textContent("#result"), /this link was already used\. Ask for a new link/);
      assert.equal(await page.isHidden("#confirm"), true, "no button that cannot work");
      assert.equal(await page.getAttribute("a.button", "href"), "/");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("SMS code for a two-factor user at 390 px: refused once the code is right, pointed to the password", async () => {
    const { context, page, problems } = await openPage(390, 844);
    try {
      await page.click("#tab-sms");
      await page.fill("#sms-form [name=phone]", USERS.katherine.phone);
      await page.click("#sms-form button[type=submit]");
      await page.waitForSelector("#sms-code-form:not([hidden])");
      const sms = page.locator(".message-item.sms", { hasText: USERS.katherine.phone }).first();
      await sms.waitFor();
      await page.fill("#sms-code-form [name=code]", (await sms.locator(".code").textContent()).trim());
      await page.click("#sms-code-form button[type=submit]");
      await page.waitForSelector("#signin-message.error");
      const text = await page.textContent("#signin-message");
      assert.match(text, /two-factor sign-in, and a text message code cannot be both factors: sign in with your password/);
      assert.match(text, /ERR_TWO_FACTOR_REQUIRED/);
      assert.equal(await page.isHidden("#session"), true);
      assert.equal(await page.getAttribute("#tab-password", "aria-selected"), "true");
      assert.equal(await page.isVisible("#password-form"), true);
      await page.screenshot({ path: join(SHOTS, "sms-twofa-refused-390.png"), fullPage: true });
      // At this width the outbox's cards stay inside their panel, a long address among them.
      await page.click("#tab-magic");
      await page.fill("#magic-form [name=email]", USERS.katherine.email);
      await page.click("#magic-form button[type=submit]");
      await page.locator(".message-item", { hasText: USERS.katherine.email }).first().waitFor();
      const spill = await page.evaluate(() => {
        const panel = document.querySelector("#outbox");
        const inner = panel.getBoundingClientRect().right - parseFloat(getComputedStyle(panel).paddingRight);
        return [...document.querySelectorAll(".message-item")].map((m) => m.getBoundingClientRect().right - inner);
      });
      assert.ok(spill.length > 0, "the outbox shows messages");
      assert.ok(Math.max(...spill) <= 0.5, `cards spill past the outbox by ${Math.max(...spill)} px`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("password with SMS two-factor at 1280 px, using the outbox's code button", async () => {
    const { context, page, problems } = await openPage(1280);
    try {
      // Earlier tests texted ada too: wait for the panel to show the new code.
      const texts = page.locator(".message-item.sms", { hasText: USERS.ada.phone });
      await page.waitForSelector("#outbox:not([hidden])");
      const before = await texts.count();
      await page.fill("#password-form [name=email]", USERS.ada.email);
      await page.fill("#password-form [name=password]", USERS.ada.password);
      await page.click("#password-form button[type=submit]");
      await page.waitForSelector("#twofa-form:not([hidden])");
      assert.equal(await page.textContent("#twofa-form [data-first-factor]"), "Password accepted.");
      await page.waitForFunction(([phone, n]) => [...document.querySelectorAll(".message-item.sms")].filter((m) => m.textContent.includes(phone)).length > n, [USERS.ada.phone, before]);
      await page.screenshot({ path: join(SHOTS, "twofa-1280.png"), fullPage: true });
      // A reload in the middle of the step comes back to the code form, not to the password.
      await page.reload();
      await page.waitForSelector("#twofa-form:not([hidden])");
      assert.equal(await page.textContent("#twofa-form [data-first-factor]"), "Password accepted.");
      await page.locator(".message-item.sms", { hasText: USERS.ada.phone }).first().locator("button", { hasText: "Use this code" }).click();
      const token = await signedIn(page, "Ada Lovelace");
      assert.match(await page.textContent("#user-meta"), /pwd/);
      await signOut(page, token);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
