// What `npm pack` ships: exactly the runtime files, a package.json whose exports all resolve,
// a real CommonJS build, and a .wasm of bounded size.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createRequire } from "node:module";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { consumerDir, installedPackageDir, root } from "./helpers.mjs";

// Every entry point and the glue; pkg-template/package.json "files" may add more runtime modules.
const REQUIRED_FILES = ["api.js", "browser.js", "core.js", "edge_jwt.js", "edge_jwt_bg.wasm", "index.d.ts", "index.d.cts", "node.cjs", "node.mjs", "workerd.js"];
const manifestFiles = JSON.parse(readFileSync(join(root, "pkg-template", "package.json"), "utf8")).files;
// npm adds these whenever they exist
const DOC_FILES = ["README.md", "LICENSE", "LICENSE-MIT", "LICENSE-APACHE"].filter((f) => existsSync(join(root, f)));

// Budgets: the package must not grow unnoticed. Raise them deliberately, with the reason in the commit.
const WASM_GZIP_BUDGET = 512 * 1024;
const TARBALL_BUDGET = 560 * 1024;

function tarball() {
  const dir = consumerDir();
  return join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz")));
}

test("the tarball holds exactly the runtime files: no sources, tests or build leftovers", (t) => {
  const listing = execFileSync("tar", ["tzvf", tarball()], { encoding: "utf8" }).trim().split("\n");
  const files = listing.map((line) => line.split(/\s+/).pop().replace(/^package\//, "")).sort();
  assert.deepEqual(files, [...new Set([...REQUIRED_FILES, ...manifestFiles, "package.json", ...DOC_FILES])].sort());
  for (const file of files) {
    assert.match(file, /^[^/]+\.(js|cjs|mjs|d\.ts|d\.cts|wasm|json|md)$|^LICENSE/, `${file}: only runtime modules, typings and docs ship`);
    assert.doesNotMatch(file, /test|\.rs$|\.map$|^src\//, `${file} must not ship`);
  }
  for (const line of listing) {
    const fields = line.split(/\s+/);
    t.diagnostic(`${fields[2].padStart(9)}  ${fields.at(-1)}`);
  }
  const size = statSync(tarball()).size;
  t.diagnostic(`tarball: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  assert.ok(size < TARBALL_BUDGET, `tarball ${size} bytes exceeds the budget of ${TARBALL_BUDGET}`);
});

test("the wasm is optimised and within its size budget", (t) => {
  const wasm = readFileSync(join(installedPackageDir(), "edge_jwt_bg.wasm"));
  const gzip = gzipSync(wasm, { level: 9 }).length;
  t.diagnostic(`edge_jwt_bg.wasm: ${wasm.length} bytes raw (${(wasm.length / 1024).toFixed(1)} KiB), ${gzip} bytes gzip -9 (${(gzip / 1024).toFixed(1)} KiB)`);
  assert.ok(WebAssembly.validate(wasm), "the module validates");
  const module = new WebAssembly.Module(wasm);
  // Stripped: no name section or DWARF in the shipped module.
  assert.deepEqual(WebAssembly.Module.customSections(module, "name"), []);
  assert.deepEqual(WebAssembly.Module.customSections(module, ".debug_info"), []);
  assert.ok(gzip < WASM_GZIP_BUDGET, `wasm gzip ${gzip} bytes exceeds the budget of ${WASM_GZIP_BUDGET}`);
});

test("package.json: name, version, licence, types, side effects, engines, conditional exports", () => {
  const dir = installedPackageDir();
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  assert.equal(manifest.name, "edge-jwt");
  assert.equal(manifest.version, "0.1.0");
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.equal(manifest.type, "module");
  assert.equal(manifest.engines.node, ">=18");
  assert.match(manifest.repository.url, /github\.com\/edge-jwt\/edge-jwt/);
  assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
  const main = manifest.exports["."];
  // Order matters: the first matching condition wins, and "types" must come first.
  assert.deepEqual(Object.keys(main), ["types", "workerd", "worker", "node", "browser", "default"]);
  const targets = [main.types.import, main.types.require, main.workerd, main.worker, main.node.import, main.node.require, main.browser, main.default, manifest.main, manifest.types];
  for (const target of targets) assert.ok(existsSync(join(dir, target)), `${target} is in the package`);
  // Only the entry points have side effects (each hands its runtime's .wasm to the core), so
  // bundlers keep them and may drop any other module nothing uses.
  const entries = [main.workerd, main.worker, main.node.import, main.node.require, main.browser, main.default];
  assert.deepEqual([...new Set(manifest.sideEffects)].sort(), [...new Set(entries)].sort());
  // The .wasm is importable by name, for bundlers and servers that copy or serve it.
  assert.equal(createRequire(join(dir, "..", "..", "package.json")).resolve("edge-jwt/edge_jwt_bg.wasm"), join(dir, "edge_jwt_bg.wasm"));
});

test("the README npm shows is for package users: install, JS quick start, flows, errors; no repository set-up", () => {
  const readme = readFileSync(join(installedPackageDir(), "README.md"), "utf8");
  for (const part of ["npm install edge-jwt", "## Quick start (JavaScript)", "### Sign-in flows", "## Errors", "ERR_OTP_ATTEMPTS_EXCEEDED"]) {
    assert.ok(readme.includes(part), `README has ${part}`);
  }
  for (const part of ["npm run demo", "npm test", "## Quick start (Rust)", "## Demo", "How the code is laid out"]) {
    assert.ok(!readme.includes(part), `README has no ${part}`);
  }
});

test("node.cjs is a real CommonJS script and every ESM entry is a module", () => {
  const dir = installedPackageDir();
  // vm.Script parses classic scripts only: any import/export statement would be a SyntaxError.
  assert.doesNotThrow(() => new vm.Script(readFileSync(join(dir, "node.cjs"), "utf8"), { filename: "node.cjs" }));
  for (const file of ["node.mjs", "workerd.js", "browser.js", "api.js", "core.js", "edge_jwt.js"]) {
    assert.match(readFileSync(join(dir, file), "utf8"), /^(import|export) /m, `${file} is an ES module`);
  }
});

test("the workerd entry imports the .wasm as a module and the browser entry references it by URL", () => {
  const dir = installedPackageDir();
  assert.match(readFileSync(join(dir, "workerd.js"), "utf8"), /^import wasmModule from "\.\/edge_jwt_bg\.wasm";$/m);
  assert.match(readFileSync(join(dir, "browser.js"), "utf8"), /new URL\("\.\/edge_jwt_bg\.wasm", import\.meta\.url\)/);
  // The raw glue must not fetch anything by itself (built with --omit-default-module-path).
  assert.doesNotMatch(readFileSync(join(dir, "edge_jwt.js"), "utf8"), /new URL\(/);
});
