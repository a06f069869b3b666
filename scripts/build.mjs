#!/usr/bin/env node
// Builds the npm package into pkg/:
//   cargo (release, wasm32) -> wasm-bindgen (--target web) -> wasm-opt (npm binaryen) -> pkg/
// pkg/ = pkg-template/ + the wasm-bindgen glue + the optimised .wasm + node.cjs/node.mjs.
//
// Options:
//   --if-stale   do nothing when pkg/ is newer than every input (used by `npm run bench`)
//   --compare    also build with -O3 and -Oz and print size and speed of both (see WASM_OPT)
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = join(root, ".tmp", `build-${process.pid}`); // per build: builds may overlap
const pkg = join(root, "pkg");
const template = join(root, "pkg-template");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = new Set(process.argv.slice(2));
process.env.PATH = `${join(process.env.HOME ?? "/root", ".cargo", "bin")}:${process.env.PATH}`;

// The module uses what Rust's wasm32 target emits by default (LLVM's "generic" CPU); wasm-opt
// must be told, since the release profile strips the target_features section. Every runtime the
// package supports (Node >= 18, workerd, current browsers) has all of them.
const FEATURES = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];
// The optimisation level: see the comparison in the comment at the end of this file (rerun with
// `node scripts/build.mjs --compare`).
const WASM_OPT = ["-O3"];

function run(cmd, argv, options = {}) {
  execFileSync(cmd, argv, { stdio: "inherit", cwd: root, ...options });
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

if (args.has("--if-stale")) {
  const built = existsSync(join(pkg, "edge_jwt_bg.wasm")) ? statSync(join(pkg, "edge_jwt_bg.wasm")).mtimeMs : 0;
  const inputs = ["src", "Cargo.toml", "Cargo.lock", "pkg-template", "scripts/build.mjs"].map((p) => newestMtime(join(root, p)));
  if (built > Math.max(...inputs)) {
    console.log("build: pkg/ is up to date");
    process.exit(0);
  }
}

// 1. Rust -> wasm
run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--lib"]);

// 2. wasm-bindgen: ES module glue with initSync; weak refs free wasm objects the GC collects;
// the reset function lets core.js replace an instance that trapped.
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
run("wasm-bindgen", [
  "--target", "web",
  "--weak-refs",
  "--experimental-reset-state-function",
  "--omit-default-module-path",
  "--no-typescript",
  "--out-dir", tmp,
  "--out-name", "edge_jwt",
  join(root, "target", "wasm32-unknown-unknown", "release", "edge_jwt.wasm"),
]);

// 3. wasm-opt
function optimise(level, out) {
  run(bin("wasm-opt"), [...level, ...FEATURES, "--strip-debug", "--strip-producers", join(tmp, "edge_jwt_bg.wasm"), "-o", out]);
  return out;
}

function sizes(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

// 4. pkg/, assembled beside it and swapped in at the end, so pkg/ is never half-built (tests
// and a concurrent build may be reading it).
const stage = join(tmp, "pkg");
mkdirSync(stage, { recursive: true });
const SOURCE_ONLY = new Set(["node.js"]); // bundled into node.cjs, not shipped as is
for (const name of readdirSync(template)) {
  if (!SOURCE_ONLY.has(name)) copyFileSync(join(template, name), join(stage, name));
}
for (const name of ["LICENSE-MIT", "LICENSE-APACHE", "LICENSE"]) {
  if (existsSync(join(root, name))) copyFileSync(join(root, name), join(stage, name));
}
writeFileSync(join(stage, "README.md"), packageReadme(readFileSync(join(root, "README.md"), "utf8")));
// CommonJS consumers (TypeScript's node16/nodenext resolution) need the typings as a .d.cts.
copyFileSync(join(template, "index.d.ts"), join(stage, "index.d.cts"));
// The glue's types describe the raw wasm interface, which is not public: drop its reference.
const glue = readFileSync(join(tmp, "edge_jwt.js"), "utf8").replace(/^\/\* @ts-self-types=.*\*\/\n/m, "");
writeFileSync(join(stage, "edge_jwt.js"), glue);
optimise(WASM_OPT, join(stage, "edge_jwt_bg.wasm"));

// node.cjs: a real CommonJS file bundled from the ESM sources; node.mjs re-exports it, so both
// module systems share one instance and the same classes (no dual-package hazard).
copyFileSync(join(template, "node.js"), join(tmp, "node.js"));
for (const name of readdirSync(stage).filter((n) => n.endsWith(".js"))) copyFileSync(join(stage, name), join(tmp, name));
run(bin("esbuild"), [
  join(tmp, "node.js"),
  "--bundle",
  "--format=cjs",
  "--platform=node",
  "--target=node18",
  "--log-level=warning",
  "--define:import.meta.url=__edge_jwt_module_url",
  "--banner:js=\"use strict\";\nconst __edge_jwt_module_url = require(\"node:url\").pathToFileURL(__filename).href;",
  `--outfile=${join(stage, "node.cjs")}`,
]);
const exported = Object.keys(await import(join(tmp, "api.js"))).concat(["init", "ready"]).sort();
writeFileSync(
  join(stage, "node.mjs"),
  `// Node.js ESM entry: the CommonJS build, re-exported, so import and require share one instance.\n` +
    `import cjs from "./node.cjs";\n\n` +
    `export const { ${exported.join(", ")} } = cjs;\n`,
);

const previous = join(tmp, "previous-pkg");
if (existsSync(pkg)) renameSync(pkg, previous);
renameSync(stage, pkg);
rmSync(previous, { recursive: true, force: true });

const { raw, gzip } = sizes(join(pkg, "edge_jwt_bg.wasm"));
console.log(`build: pkg/edge_jwt_bg.wasm ${WASM_OPT.join(" ")}: ${raw} bytes raw (${kib(raw)}), ${gzip} bytes gzip -9 (${kib(gzip)})`);

if (args.has("--compare")) await compare();
rmSync(tmp, { recursive: true, force: true });

async function compare() {
  // Same inputs, both levels, measured in this process with the raw glue (no package layer).
  const rows = [];
  for (const level of [["-O3"], ["-Oz"]]) {
    const dir = join(tmp, `cmp${level[0]}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(pkg, "edge_jwt.js"), join(dir, "edge_jwt.js"));
    const file = optimise(level, join(dir, "edge_jwt_bg.wasm"));
    const out = execFileSync(process.execPath, [join(root, "scripts", "wasm-speed.mjs"), dir], { encoding: "utf8" });
    rows.push({ level: level[0], ...sizes(file), ...JSON.parse(out) });
  }
  console.table(rows);
}

// Why -O3 (measured with `node scripts/build.mjs --compare`, Node 20, this 2-core machine, the
// crate at rustc opt-level 3 + fat LTO, 2026-12-03):
//
//   wasm-opt  raw bytes  gzip -9   HS256 sign/verify   EdDSA sign/verify   ES256 sign/verify   RS256 sign/verify
//   -O3       1,181,657  424,119   106,889 / 44,288    6,686 / 6,076       1,341 / 793         99 / 1,344
//   -Oz       1,156,631  421,874    79,685 / 44,215    5,939 / 5,931       1,330 / 782         98 / 1,333
//
// -Oz saves 2.1% raw and 0.5% gzipped (what is downloaded), and costs up to 25% on the paths
// dominated by JS<->wasm glue and small functions (HS256 sign, EdDSA sign); the big-number paths
// are the same either way. The size is decided by rustc's opt-level and the crates, not by
// wasm-opt, so the package takes the faster -O3.

/**
 * The README npm shows: the repository's README without what only concerns a checkout (set-up,
 * the Rust crate, the demo worker, the code map), and with the install command. One source, so
 * the two never disagree.
 */
function packageReadme(text) {
  const REPO_ONLY = new Set(["Set-up (a fresh machine)", "Quick start (Rust)", "Demo", "How the code is laid out"]);
  const out = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    const h2 = /^## (.+)$/.exec(line);
    if (h2) skipping = REPO_ONLY.has(h2[1].trim());
    if (!skipping) out.push(line);
  }
  const body = out.join("\n").replace(/\n{3,}/g, "\n\n");
  const repo = "https://github.com/edge-jwt/edge-jwt";
  const install = `\n\`\`\`sh\nnpm install edge-jwt\n\`\`\`\n\nThe Rust crate, the reference Cloudflare Worker with every sign-in flow, and how to build and\ntest: ${repo}.\n`;
  // After the intro paragraphs, before the first "## " section.
  const first = body.indexOf("\n## ");
  return first < 0 ? body + install : body.slice(0, first) + install + body.slice(first);
}
