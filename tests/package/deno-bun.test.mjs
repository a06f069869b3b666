// Deno and Bun (from their npm packages): the packed package through ESM import and CommonJS
// require, in the consumer project's node_modules, as those runtimes resolve it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { bin, consumerDir, importPackage } from "./helpers.mjs";

const ESM = `
import { Key, KeySet, JwtError, sign, verify, inspect, ready } from "edge-jwt";
const t0 = performance.now();
await ready;
const key = Key.generate("ES256", { kid: "rt" });
const token = sign({ sub: "runtime-user" }, key, { expiresIn: 60, audience: "node" });
const claims = verify(token, key.publicKey(), { algorithms: ["ES256"], audience: "node" }).claims;
const firstVerifyMs = performance.now() - t0;
let error;
try { verify(token, Key.generate("ES256", { kid: "rt" }).publicKey(), { algorithms: ["ES256"], audience: "node" }); }
catch (e) { error = { isJwtError: e instanceof JwtError, code: e.code }; }
console.log(JSON.stringify({ claims, error, expired: inspect(token).expired, token, jwks: new KeySet([key.publicKey()]).toJwks(), firstVerifyMs }));
`;
const CJS = `
const { Key, sign, verify } = require("edge-jwt");
const key = Key.fromSecret("a-32-byte-secret-for-hs256-tests", "HS256");
console.log(JSON.stringify(verify(sign({ sub: "cjs-user" }, key), key, { algorithms: ["HS256"] }).claims));
`;

const RUNTIMES = {
  bun: { command: bin("bun"), args: (file) => [file] },
  deno: { command: bin("deno"), args: (file) => ["run", "--allow-read", "--allow-env", "--no-prompt", file] },
};

for (const [name, runtime] of Object.entries(RUNTIMES)) {
  describe(name, () => {
    const run = (file, source) => {
      const dir = consumerDir();
      writeFileSync(join(dir, file), source);
      const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(dir, ".deno") };
      return execFileSync(runtime.command, runtime.args(file), { cwd: dir, encoding: "utf8", env });
    };

    test(`${name}: ESM import signs, verifies, inspects; its tokens verify in Node.js`, async (t) => {
      const version = execFileSync(runtime.command, ["--version"], { encoding: "utf8" }).split("\n")[0];
      const started = performance.now();
      const out = JSON.parse(run(`${name}-esm.mjs`, ESM));
      t.diagnostic(`${name} ${version.replace(/^deno /, "")}: process start to first verify ${(performance.now() - started).toFixed(0)} ms (in process ${out.firstVerifyMs.toFixed(0)} ms)`);
      assert.deepEqual({ ...out.claims, iat: 0, exp: 0 }, { sub: "runtime-user", aud: "node", iat: 0, exp: 0 });
      assert.deepEqual(out.error, { isJwtError: true, code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
      assert.equal(out.expired, false);
      const { KeySet, verify } = await importPackage();
      assert.equal(verify(out.token, KeySet.fromJwks(out.jwks), { algorithms: ["ES256"], audience: "node" }).claims.sub, "runtime-user");
    });

    test(`${name}: CommonJS require signs and verifies`, () => {
      const claims = JSON.parse(run(`${name}-cjs.cjs`, CJS));
      assert.equal(claims.sub, "cjs-user");
      assert.equal(typeof claims.iat, "number");
    });
  });
}
