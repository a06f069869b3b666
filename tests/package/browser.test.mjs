// Browsers: a page using the packed package, bundled with esbuild and with Vite (production build
// and dev server), served on 127.0.0.1 and run in headless Chromium driven by playwright-core.
// The page signs, verifies and inspects tokens, verifies one signed in Node.js, and the test
// reads its results; tokens it signs are verified back in Node.js.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { bin, consumerDir, importPackage, installedPackageDir, serveFile } from "./helpers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const PAGE_SCRIPT = `
import { ready, Key, KeySet, JwtError, sign, verify, inspect, decode, refreshAt } from "edge-jwt";

async function main() {
  const out = {};
  const params = new URLSearchParams(location.hash.slice(1));
  const t0 = performance.now();
  try {
    decode("a.b.c");
    out.beforeReady = "no error";
  } catch (error) {
    out.beforeReady = error.message;
  }
  await ready;
  const key = Key.generate("ES256", { kid: "browser" });
  const token = sign({ sub: "browser-user", scope: "read" }, key, { expiresIn: "10m", issuer: "page", audience: "node" });
  out.claims = verify(token, key.publicKey(), { algorithms: ["ES256"], issuer: "page", audience: "node" }).claims;
  out.firstVerifyMs = performance.now() - t0;
  const info = inspect(token);
  out.info = { expired: info.expired, expiresAt: info.expiresAt.getTime(), isDate: info.expiresAt instanceof Date };
  out.refreshAt = refreshAt(token, { skew: 60, jitter: 0 });
  out.token = token;
  out.jwks = new KeySet([key.publicKey()]).toJwks();
  if (params.get("token")) {
    const keys = KeySet.fromJwks(JSON.parse(params.get("jwks")));
    out.fromNode = verify(params.get("token"), keys, { algorithms: ["EdDSA"], audience: "browser" }).claims;
  }
  const impostor = Key.generate("ES256", { kid: "browser" });
  try {
    verify(sign({ sub: "x" }, impostor), key.publicKey(), { algorithms: ["ES256"] });
    out.error = "verified a forged token";
  } catch (error) {
    out.error = { isJwtError: error instanceof JwtError, name: error.name, code: error.code };
  }
  return out;
}

main().then(
  (out) => { window.__edgeJwt = out; },
  (error) => { window.__edgeJwt = { fatal: String((error && error.stack) || error) }; },
);
`;
const INDEX_HTML = (script) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>edge-jwt</title></head>` +
  `<body><script type="module" src="${script}"></script></body></html>\n`;

function serve(dir) {
  const server = createServer((request, response) => serveFile(dir, request, response));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let browser;
let nodeToken;
let nodeJwks;
let pkg;

async function runPage(t, url, label) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  try {
    const started = performance.now();
    await page.goto(`${url}#token=${encodeURIComponent(nodeToken)}&jwks=${encodeURIComponent(JSON.stringify(nodeJwks))}`);
    await page.waitForFunction(() => window.__edgeJwt, null, { timeout: 30_000 });
    const out = await page.evaluate(() => window.__edgeJwt);
    const elapsed = performance.now() - started;
    assert.equal(out.fatal, undefined, out.fatal);
    assert.deepEqual(problems, []);
    t.diagnostic(`${label}: navigation to first verify ${elapsed.toFixed(0)} ms (in page: module load + first sign/verify ${out.firstVerifyMs.toFixed(0)} ms)`);
    return out;
  } finally {
    await page.close();
  }
}

/** Serves a built app on 127.0.0.1 and checks its page. */
async function checkStatic(t, dir, label) {
  const server = await serve(dir);
  try {
    checkPage(await runPage(t, `http://127.0.0.1:${server.address().port}/index.html`, label));
  } finally {
    server.close();
  }
}

function checkPage(out) {
  assert.match(out.beforeReady, /await init\(\)|await ready/, "calls before the module is loaded say what to do");
  assert.deepEqual({ ...out.claims, iat: 0, exp: 0 }, { sub: "browser-user", scope: "read", iss: "page", aud: "node", iat: 0, exp: 0 });
  assert.equal(out.claims.exp - out.claims.iat, 600);
  assert.deepEqual(out.info, { expired: false, expiresAt: out.claims.exp * 1000, isDate: true });
  assert.ok(out.refreshAt > Date.now() && out.refreshAt <= out.claims.exp * 1000 - 60_000);
  assert.deepEqual(out.fromNode, { sub: "from-node", aud: "browser", iat: out.fromNode.iat });
  assert.deepEqual(out.error, { isJwtError: true, name: "JwtError", code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  // The browser's token verifies in Node.js with the JWKS the page published.
  const { claims } = pkg.verify(out.token, pkg.KeySet.fromJwks(out.jwks), { algorithms: ["ES256"], audience: "node" });
  assert.equal(claims.sub, "browser-user");
}

describe("browser (headless Chromium)", () => {
  before(async () => {
    pkg = await importPackage();
    const key = pkg.Key.generate("EdDSA");
    nodeToken = pkg.sign({ sub: "from-node" }, key, { audience: "browser" });
    nodeJwks = new pkg.KeySet([key.publicKey()]).toJwks();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--disable-sync", "--no-first-run"],
    });
  });
  after(async () => {
    await browser?.close();
  });

  test("esbuild bundle (the .wasm copied next to it)", async (t) => {
    const dir = join(consumerDir(), "web-esbuild");
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "main.js"), PAGE_SCRIPT);
    writeFileSync(join(dir, "out", "index.html"), INDEX_HTML("./main.js"));
    execFileSync(bin("esbuild"), ["main.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=out/main.js", "--log-level=warning"], { cwd: dir, stdio: "inherit" });
    copyFileSync(join(installedPackageDir(), "edge_jwt_bg.wasm"), join(dir, "out", "edge_jwt_bg.wasm"));
    await checkStatic(t, join(dir, "out"), "chromium esbuild");
  });

  test("Vite production build (the .wasm emitted as an asset by Vite)", async (t) => {
    const dir = join(consumerDir(), "web-vite");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.js"), PAGE_SCRIPT);
    writeFileSync(join(dir, "index.html"), INDEX_HTML("./main.js"));
    execFileSync(bin("vite"), ["build", "--logLevel", "warn", "--outDir", "dist", "--emptyOutDir"], { cwd: dir, stdio: "inherit" });
    await checkStatic(t, join(dir, "dist"), "chromium vite build");
  });

  test("Vite dev server", async (t) => {
    const { createServer: createViteServer } = await import("vite");
    const dir = join(consumerDir(), "web-vite");
    const server = await createViteServer({ root: dir, configFile: false, logLevel: "warn", server: { host: "127.0.0.1", port: 0, strictPort: false } });
    await server.listen();
    try {
      checkPage(await runPage(t, `${server.resolvedUrls.local[0]}index.html`, "chromium vite dev"));
    } finally {
      await server.close();
    }
  });
});
