// Shared by the JS tests: every test runs against the PACKED package (`npm pack pkg/`) installed
// into a fresh project outside the source tree, exactly as a user gets it.
//
// scripts/test.mjs prepares that project once and passes it in EDGE_JWT_CONSUMER; a test file
// run on its own (node --test tests/js/x.test.mjs, after `npm run build`) prepares its own.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const bin = (name) => join(root, "node_modules", ".bin", name);

/** Packs pkg/ and installs the tarball into a new temp project; returns its directory. */
export function prepareConsumer() {
  if (!existsSync(join(root, "pkg", "edge_jwt_bg.wasm"))) throw new Error("pkg/ is not built: run `npm run build` first");
  const dir = mkdtempSync(join(tmpdir(), "edge-jwt-consumer-"));
  execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", dir, "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "edge-jwt-consumer", private: true, type: "module" }, null, 2));
  const start = performance.now();
  execFileSync("npm", ["install", `./${tarball}`, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const installMs = performance.now() - start;
  // Entry files living in the consumer project, so "edge-jwt" resolves as it does for a user.
  writeFileSync(join(dir, "esm.mjs"), 'export * from "edge-jwt";\n');
  writeFileSync(join(dir, "cjs.cjs"), 'module.exports = require("edge-jwt");\n');
  writeFileSync(join(dir, "install-ms.txt"), String(Math.round(installMs)));
  return dir;
}

let cached;
/** The consumer project: EDGE_JWT_CONSUMER, or one made for this process. */
export function consumerDir() {
  cached ??= process.env.EDGE_JWT_CONSUMER || prepareConsumer();
  return cached;
}

/** The package as `import "edge-jwt"` from the consumer project gives it. */
export function importPackage() {
  return import(pathToFileURL(join(consumerDir(), "esm.mjs")).href);
}

/** The package as `require("edge-jwt")` from the consumer project gives it. */
export function requirePackage() {
  return createRequire(join(consumerDir(), "package.json"))("edge-jwt");
}

/** The installed package's directory. */
export function installedPackageDir() {
  return join(consumerDir(), "node_modules", "edge-jwt");
}

/** All the algorithms of the spec. */
export const ALGS = ["HS256", "HS384", "HS512", "EdDSA", "ES256", "ES384", "ES256K", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** Answers a GET with the file under `dir` (index.html for "/"), or 404; for the browser tests' servers. */
export function serveFile(dir, request, response) {
  const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  try {
    const body = readFileSync(join(dir, path === "/" ? "index.html" : path));
    response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
}

/**
 * Makes the live instance trap for real, through the package's internals: a raw key handle
 * pointing outside linear memory (detached again, so its finaliser never runs against any
 * instance). Throws the WebAssembly.RuntimeError.
 */
export function forceTrap(internals) {
  return internals.call((glue) => {
    const bogus = glue.WasmKey.__wrap(0xfffffff0);
    try {
      return bogus.alg;
    } finally {
      bogus.__destroy_into_raw();
    }
  });
}
