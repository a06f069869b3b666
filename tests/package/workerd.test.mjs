// Cloudflare Workers: a tiny worker importing the packed package, bundled by wrangler 4 exactly as
// `wrangler deploy` bundles it (--dry-run --outdir), run on real workerd through Miniflare 4.
// Covers the first request in a cold isolate, keys cached across requests, concurrent cold
// requests, tokens crossing between the worker and Node, and 1,000,000 verify calls in one
// isolate (wasm memory from the package's internals, JS heap through workerd's inspector).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Log, LogLevel, Miniflare } from "miniflare";
import WebSocket from "ws";
import { bin, consumerDir, importPackage } from "./helpers.mjs";

const COMPATIBILITY_DATE = "2025-09-01";

const WORKER = `
// As users write it: no init()/ready on Workers. (The entry's own body must survive
// tree-shaking: it is what hands the .wasm module to the package.)
import { Key, KeySet, JwtError, sign, verify, inspect, decode } from "edge-jwt";

const SECRET = "a-32-byte-secret-for-hs256-tests";
let cached; // a key made by one request and used by later ones

const json = (value, status = 200) => Response.json(value, { status });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const t0 = Date.now();
    try {
      switch (url.pathname) {
        case "/roundtrip": {
          const key = Key.fromSecret(SECRET, "HS256");
          const token = sign({ sub: "worker-user", n: Number(url.searchParams.get("n") ?? 0) }, key, { expiresIn: "5m", issuer: "worker" });
          const { claims } = verify(token, key, { algorithms: ["HS256"], issuer: "worker" });
          const info = inspect(token);
          return json({ token, claims, expired: info.expired, expiresAt: info.expiresAt.toISOString() });
        }
        case "/issue": {
          cached ??= Key.generate(url.searchParams.get("alg") ?? "ES256");
          const token = sign({ sub: "from-worker" }, cached, { expiresIn: "5m", audience: "node" });
          return json({ token, kid: cached.kid, jwks: new KeySet([cached.publicKey()]).toJwks() });
        }
        case "/verify": {
          const { token, jwks, alg } = await request.json();
          const { header, claims } = verify(token, KeySet.fromJwks(jwks), { algorithms: [alg], audience: "worker" });
          return json({ header, claims });
        }
        case "/error": {
          try {
            verify("eyJhbGciOiJIUzI1NiJ9.e30.AAAA", Key.fromSecret(SECRET, "HS256"), { algorithms: ["HS256"] });
            return json({ verified: true });
          } catch (error) {
            return json({ isJwtError: error instanceof JwtError, name: error.name, code: error.code });
          }
        }
        case "/decode":
          return json(decode(url.searchParams.get("token")));
        case "/verify-many": {
          // n verify calls in this request, alternating a Key and a KeySet, plus failing ones;
          // answers the wasm linear memory size afterwards.
          const key = Key.fromSecret(SECRET, "HS256", { kid: "hs" });
          const set = new KeySet([key]);
          const token = sign({ sub: "u", scope: "read write" }, key, { expiresIn: "1h", issuer: "worker", audience: "api" });
          const expired = sign({ sub: "u" }, key, { expiresIn: 1, now: 1_700_000_000 });
          const options = { algorithms: ["HS256"], issuer: "worker", audience: "api" };
          const n = Number(url.searchParams.get("n"));
          for (let i = 0; i < n; i++) {
            if (verify(token, i % 2 ? key : set, options).claims.sub !== "u") throw new Error("wrong claims");
            if (i % 10 === 0) {
              try {
                verify(expired, key, { algorithms: ["HS256"] });
                throw new Error("verified an expired token");
              } catch (error) {
                if (error.code !== "ERR_JWT_EXPIRED") throw error;
              }
            }
          }
          const internals = Key[Symbol.for("edge-jwt.internals")];
          return json({ wasm: internals.instanceExports().memory.buffer.byteLength, ms: Date.now() - t0 });
        }
      }
      return json({ error: "not found" }, 404);
    } catch (error) {
      return json({ error: String(error && error.stack || error), code: error && error.code }, 500);
    }
  },
};
`;

let workerDir;
let bundle;

function miniflare(extra = {}) {
  return new Miniflare({
    ...extra,
    modules: true,
    scriptPath: join(bundle, "index.js"),
    modulesRoot: bundle,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
    cf: false, // a placeholder request.cf; never fetch the real one (no network here)
    log: new Log(LogLevel.WARN),
  });
}

async function get(mf, path, init) {
  const response = await mf.dispatchFetch(`http://worker.test${path}`, init);
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

describe("workerd (wrangler bundle, Miniflare 4)", () => {
  before(() => {
    workerDir = join(consumerDir(), "worker");
    mkdirSync(join(workerDir, "src"), { recursive: true });
    writeFileSync(join(workerDir, "src", "index.js"), WORKER);
    writeFileSync(join(workerDir, "wrangler.toml"), `name = "edge-jwt-test"\nmain = "src/index.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
    bundle = join(workerDir, "dist");
    execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", bundle], {
      cwd: workerDir,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", XDG_CONFIG_HOME: join(workerDir, ".config") },
    });
  });

  test("wrangler bundles the package with the .wasm as a separate module", () => {
    const files = readdirSync(bundle);
    assert.ok(files.includes("index.js"), files.join(", "));
    assert.ok(files.some((f) => f.endsWith("edge_jwt_bg.wasm")), `a .wasm module beside the bundle: ${files.join(", ")}`);
  });

  test("the first request in a cold isolate signs and verifies; later requests reuse a cached key", async (t) => {
    const started = performance.now();
    const mf = miniflare();
    try {
      await mf.ready;
      const ready = performance.now();
      const first = await get(mf, "/roundtrip?n=1");
      const firstDone = performance.now();
      t.diagnostic(`workerd: Miniflare start ${(ready - started).toFixed(0)} ms; first request (cold isolate, wasm instantiated in it) ${(firstDone - ready).toFixed(0)} ms`);
      assert.deepEqual({ ...first.claims, iat: 0, exp: 0 }, { sub: "worker-user", n: 1, iss: "worker", iat: 0, exp: 0 });
      assert.equal(first.claims.exp - first.claims.iat, 300);
      assert.equal(first.expired, false);
      assert.equal(Date.parse(first.expiresAt), first.claims.exp * 1000);

      const a = await get(mf, "/issue?alg=ES256");
      const b = await get(mf, "/issue");
      assert.equal(a.kid, b.kid, "the key cached by the first request serves the second");

      const error = await get(mf, "/error");
      assert.deepEqual(error, { isJwtError: true, name: "JwtError", code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
      const decoded = await get(mf, `/decode?token=${encodeURIComponent(first.token)}`);
      assert.equal(decoded.claims.sub, "worker-user");
    } finally {
      await mf.dispose();
    }
  });

  test("tokens cross between the worker and Node.js both ways", async () => {
    const { Key, KeySet, sign, verify } = await importPackage();
    const mf = miniflare();
    try {
      const issued = await get(mf, "/issue?alg=EdDSA");
      const { claims } = verify(issued.token, KeySet.fromJwks(issued.jwks), { algorithms: ["EdDSA"], audience: "node" });
      assert.equal(claims.sub, "from-worker");

      const key = Key.generate("ES384");
      const token = sign({ sub: "from-node" }, key, { audience: "worker" });
      const body = JSON.stringify({ token, alg: "ES384", jwks: new KeySet([key.publicKey()]).toJwks() });
      const verified = await get(mf, "/verify", { method: "POST", body });
      assert.equal(verified.claims.sub, "from-node");
      assert.equal(verified.header.kid, key.kid);
    } finally {
      await mf.dispose();
    }
  });

  test("concurrent first requests in a cold isolate all succeed", async () => {
    const mf = miniflare();
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, n) => get(mf, `/roundtrip?n=${n}`)));
      assert.deepEqual(results.map((r) => r.claims.n), [0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await mf.dispose();
    }
  });

  test("1,000,000 verify calls in one workerd isolate: wasm memory flat after warm-up, JS heap bounded", async (t) => {
    const port = await freePort();
    const mf = miniflare({ inspectorPort: port });
    let inspector;
    try {
      await mf.ready;
      const MiB = 1024 * 1024;
      const mib = (n) => `${(n / MiB).toFixed(2)} MiB`;
      const first = await get(mf, "/verify-many?n=1");
      inspector = await inspectWorker(port, () => get(mf, "/verify-many?n=0"));
      const start = { heap: await inspector.heapAfterGc(), wasm: first.wasm };
      const warm = { ...(await get(mf, "/verify-many?n=20000")), heap: await inspector.heapAfterGc() };
      let ms = 0;
      let last;
      for (let request = 0; request < 10; request++) {
        last = await get(mf, "/verify-many?n=100000"); // 10 requests of 100k: one isolate throughout
        ms += last.ms;
        assert.equal(last.wasm, warm.wasm, `wasm memory after request ${request + 1}`);
      }
      const after = { wasm: last.wasm, heap: await inspector.heapAfterGc() };
      t.diagnostic(`workerd start:      heap ${mib(start.heap)}, wasm memory ${mib(start.wasm)}`);
      t.diagnostic(`after warm-up:      heap ${mib(warm.heap)}, wasm memory ${mib(warm.wasm)}`);
      t.diagnostic(`after 1M verify + 100k failing: heap ${mib(after.heap)}, wasm memory ${mib(after.wasm)} (${((1e6 / ms) * 1000).toFixed(0)} verify/s HS256 in workerd)`);
      assert.equal(after.wasm, warm.wasm, "wasm linear memory did not grow after warm-up");
      assert.ok(after.heap - warm.heap < 16 * MiB, `JS heap grew by ${mib(after.heap - warm.heap)}`);
    } finally {
      inspector?.close();
      await mf.dispose();
    }
  });
});

/** A Chrome DevTools Protocol session with the user worker's isolate (workerd's inspector). */
async function inspectWorker(port, poke) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.id.startsWith("core:user"));
  assert.ok(target, `the user worker's isolate among ${targets.map((t) => t.id).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const send = (method) =>
    new Promise((resolve, reject) => {
      pending.set(++id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      ws.send(JSON.stringify({ id, method }));
    });
  return {
    /** JS heap in use after a full garbage collection, in bytes. */
    async heapAfterGc() {
      for (let i = 0; i < 2; i++) {
        // workerd answers a collection only once its isolate next runs: poke it with a request
        // until the answer comes.
        const collected = send("HeapProfiler.collectGarbage");
        let done = false;
        collected.finally(() => (done = true));
        while (!done) await Promise.race([collected, poke().then(() => new Promise((r) => setTimeout(r, 50)))]);
        await collected;
      }
      return (await send("Runtime.getHeapUsage")).usedSize;
    },
    close: () => ws.terminate(),
  };
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
