// Measures a built glue + .wasm pair (a directory holding edge_jwt.js and edge_jwt_bg.wasm) with
// the raw wasm-bindgen interface: instantiation time and sign/verify ops/s for a few algorithms.
// Prints one JSON object. Used by `node scripts/build.mjs --compare` to choose the wasm-opt level.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const glue = await import(pathToFileURL(join(dir, "edge_jwt.js")).href);
const bytes = readFileSync(join(dir, "edge_jwt_bg.wasm"));
let t = performance.now();
glue.initSync({ module: new WebAssembly.Module(bytes) });
const result = { "init ms": +(performance.now() - t).toFixed(1) };

function rate(fn) {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

const claims = { sub: "user-123", iss: "https://issuer.example", aud: "api", iat: 1700000000, exp: 4102444800, scope: "read write" };
const keys = {
  HS256: glue.WasmKey.fromSecret("a-secret-that-is-at-least-32-bytes-long!", "HS256"),
  EdDSA: glue.WasmKey.generate("EdDSA"),
  ES256: glue.WasmKey.generate("ES256"),
  RS256: glue.WasmKey.generate("RS256"),
};
for (const [alg, key] of Object.entries(keys)) {
  const token = glue.sign(claims, key);
  const pub = alg === "HS256" ? key : key.publicKey();
  const options = { algorithms: [alg], issuer: claims.iss, audience: "api" };
  result[`${alg} sign/s`] = rate(() => glue.sign(claims, key));
  result[`${alg} verify/s`] = rate(() => glue.verifyWithKey(token, pub, options));
}
console.log(JSON.stringify(result));
