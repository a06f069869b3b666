// Node.js: the packed package through `import` and `require`, in this process and in fresh ones.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { consumerDir, importPackage, requirePackage } from "./helpers.mjs";

const SECRET = "a-32-byte-secret-for-hs256-tests";

test("import and require resolve to one module: same classes, same instance", async () => {
  const esm = await importPackage();
  const cjs = requirePackage();
  for (const name of ["Key", "KeySet", "JwtError", "sign", "verify", "verifyCompact", "decode", "inspect", "refreshAt", "init"]) {
    assert.equal(typeof esm[name], "function", `${name} is exported`);
    assert.equal(esm[name], cjs[name], `${name} is the same object from import and require`);
  }
  // A key made through require verifies a token signed through import.
  const key = cjs.Key.fromSecret(SECRET, "HS256");
  const token = esm.sign({ sub: "alice" }, key, { expiresIn: "5m" });
  assert.equal(cjs.verify(token, key, { algorithms: ["HS256"] }).claims.sub, "alice");
});

// A fresh process per module system: the first call loads the wasm synchronously from disk.
const program = (load) => `${load}
const t0 = performance.now();
const key = Key.generate("EdDSA");
const hs = Key.fromSecret(${JSON.stringify(SECRET)}, "HS256");
const token = sign({ sub: "bob", role: "admin" }, key, { expiresIn: "10m", issuer: "https://issuer.test" });
const verified = verify(token, key.publicKey(), { algorithms: ["EdDSA"], issuer: "https://issuer.test" });
const firstVerifyMs = performance.now() - t0;
const hsToken = sign({ sub: "bob" }, hs);
let error;
try { verify(hsToken, Key.fromSecret("another-32-byte-secret-for-tests", "HS256"), { algorithms: ["HS256"] }); }
catch (e) { error = { isJwtError: e instanceof JwtError, isError: e instanceof Error, name: e.name, code: e.code }; }
console.log(JSON.stringify({ claims: verified.claims, header: verified.header, hs: verify(hsToken, hs, { algorithms: ["HS256"] }).claims, error, firstVerifyMs }));
`;

function runFresh(file, source) {
  const dir = consumerDir();
  writeFileSync(join(dir, file), source);
  const started = performance.now();
  const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" }));
  out.processMs = performance.now() - started;
  return out;
}

function checkFresh(t, out, label) {
  assert.equal(out.claims.sub, "bob");
  assert.equal(out.claims.role, "admin");
  assert.equal(out.claims.iss, "https://issuer.test");
  assert.equal(out.claims.exp - out.claims.iat, 600);
  assert.equal(out.header.alg, "EdDSA");
  assert.deepEqual(out.hs, { sub: "bob", iat: out.hs.iat });
  assert.deepEqual(out.error, { isJwtError: true, isError: true, name: "JwtError", code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  const installMs = Number(readFileSync(join(consumerDir(), "install-ms.txt"), "utf8"));
  t.diagnostic(
    `${label}: npm install of the tarball ${installMs} ms; fresh process start to first verify ${out.processMs.toFixed(0)} ms ` +
      `(first sign+verify incl. wasm load ${out.firstVerifyMs.toFixed(1)} ms)`,
  );
}

test("ESM: a fresh process imports, signs and verifies", (t) => {
  const out = runFresh("fresh-esm.mjs", program('import { Key, JwtError, sign, verify } from "edge-jwt";'));
  checkFresh(t, out, "node ESM");
});

test("CommonJS: a fresh process requires, signs and verifies", (t) => {
  const out = runFresh("fresh-cjs.cjs", program('"use strict";\nconst { Key, JwtError, sign, verify } = require("edge-jwt");'));
  checkFresh(t, out, "node CJS");
});
