#!/usr/bin/env node
// `npm run bench`: sign and verify throughput of edge-jwt (the built pkg/, WebAssembly) beside
// jose (WebCrypto), @tsndr/cloudflare-worker-jwt (WebCrypto) and fast-jwt (node:crypto), in one
// Node.js process on this machine, same keys and same claims. Not part of `npm test`.
//
// Each cell is operations per second for one call after another (async libraries awaited one by
// one, i.e. the latency a request handler sees), over BENCH_SECONDS (default 1) after a warm-up.
// Every library verifies signature, exp, and (where it supports them) iss and aud. fast-jwt's
// verify cache is off. tsndr has no EdDSA.
import crypto from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import tsndr from "@tsndr/cloudflare-worker-jwt";
import { createSigner, createVerifier } from "fast-jwt";
import * as jose from "jose";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const edge = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ALGS = (process.env.BENCH_ALGS ?? "HS256,EdDSA,ES256,RS256").split(",");
const ISS = "https://issuer.example";
const AUD = "api";
const claims = { sub: "user-123", scope: "read write", role: "member" };

async function measure(fn) {
  const isAsync = fn() instanceof Promise;
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) isAsync ? await fn() : fn();
  let n = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) isAsync ? await fn() : fn();
    n += 10;
  }
  return (n * 1000) / (performance.now() - start);
}

async function keysFor(alg) {
  if (alg === "HS256") {
    const secret = crypto.randomBytes(32);
    const cryptoKey = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return { secret, sign: cryptoKey, verify: cryptoKey, edgeSign: edge.Key.fromSecret(new Uint8Array(secret), alg), pemPrivate: secret, pemPublic: secret };
  }
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  const edgeKey = edge.Key.fromJwk({ ...(await jose.exportJWK(privateKey)), alg });
  return { sign: privateKey, verify: publicKey, edgeSign: edgeKey, pemPrivate: await jose.exportPKCS8(privateKey), pemPublic: await jose.exportSPKI(publicKey) };
}

const libraries = {
  "edge-jwt": async (alg, k) => {
    const pub = alg === "HS256" ? k.edgeSign : k.edgeSign.publicKey();
    const options = { algorithms: [alg], issuer: ISS, audience: AUD };
    return {
      sign: () => edge.sign(claims, k.edgeSign, { expiresIn: 3600, issuer: ISS, audience: AUD }),
      verifier: (token) => () => edge.verify(token, pub, options),
    };
  },
  jose: async (alg, k) => ({
    sign: () => new jose.SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("1h").setIssuer(ISS).setAudience(AUD).sign(k.sign),
    verifier: (token) => () => jose.jwtVerify(token, k.verify, { algorithms: [alg], issuer: ISS, audience: AUD }),
  }),
  "@tsndr/cloudflare-worker-jwt": async (alg, k) => {
    if (alg === "EdDSA") return undefined;
    return {
      sign: () => tsndr.sign({ ...claims, iss: ISS, aud: AUD, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 }, k.sign, { algorithm: alg }),
      verifier: (token) => () => tsndr.verify(token, k.verify, { algorithm: alg, throwError: true }),
    };
  },
  "fast-jwt": async (alg, k) => {
    const signer = createSigner({ key: k.pemPrivate, algorithm: alg, expiresIn: 3600_000, iss: ISS, aud: AUD });
    const verifier = createVerifier({ key: k.pemPublic, algorithms: [alg], allowedIss: ISS, allowedAud: AUD, cache: false });
    return { sign: () => signer(claims), verifier: (token) => () => verifier(token) };
  },
};

const rows = [];
for (const alg of ALGS) {
  const keys = await keysFor(alg);
  for (const op of ["sign", "verify"]) {
    const row = { alg, op };
    for (const [name, make] of Object.entries(libraries)) {
      const lib = await make(alg, keys);
      if (!lib) {
        row[name] = undefined;
        continue;
      }
      const token = await lib.sign();
      // The token a library signs must verify in edge-jwt too: everyone does the same work.
      edge.verify(token, alg === "HS256" ? keys.edgeSign : keys.edgeSign.publicKey(), { algorithms: [alg], issuer: ISS, audience: AUD });
      const fn = op === "sign" ? lib.sign : lib.verifier(token);
      await fn();
      row[name] = await measure(fn);
    }
    rows.push(row);
    process.stderr.write(".");
  }
}
process.stderr.write("\n");

const names = Object.keys(libraries);
const fmt = (n) => (n === undefined ? "n/a" : n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
const ratio = (n, base) => (n === undefined ? "" : ` (${(n / base).toFixed(2)}x)`);
const header = ["alg", "op", ...names];
const table = rows.map((r) => [r.alg, r.op, ...names.map((name) => `${fmt(r[name])}${name === "jose" ? "" : ratio(r[name], r.jose)}`)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(`ops/s, ratio vs jose in parentheses; Node ${process.version}, ${SECONDS}s per cell`);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const r of table) console.log(line(r));
