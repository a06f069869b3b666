// Cloudflare Workers: a tiny worker importing the packed package, bundled by wrangler 4 exactly as
// `wrangler deploy` bundles it (--dry-run --outdir), run on real workerd through Miniflare 4.
// Covers the first request in a cold isolate, keys cached across requests, concurrent cold
// requests, and tokens crossing between the worker and Node.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Log, LogLevel, Miniflare } from "miniflare";
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

function miniflare() {
  return new Miniflare({
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
});
