#!/usr/bin/env node
// The whole test suite, as `npm test` runs it (after scripts/setup.sh --test):
//   rust  cargo test                         native Rust unit + integration tests
//   wasm  scripts/test-wasm.sh               the crate on wasm32 in Node (wasm-bindgen-test)
//   js    build pkg/, npm pack, install the tarball into a fresh temp project, then node:test on
//         every tests/*/*.test.mjs: tests/js (API, jose interop, memory), tests/package (Node
//         ESM/CJS, tarball, typings, workerd, Chromium, Deno, Bun), tests/browser, tests/demo;
//         the package tests run against that installed package.
// `node scripts/test.mjs js` (or rust, wasm) runs only those steps. Every step runs even when an
// earlier one failed (except js without a build); the exit code is non-zero if any failed.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { prepareConsumer, root } from "../tests/package/helpers.mjs";

process.env.PATH = `${join(process.env.HOME ?? "/root", ".cargo", "bin")}:${process.env.PATH}`;
const only = new Set(process.argv.slice(2));
const want = (name) => only.size === 0 || only.has(name);
const results = [];

function step(name, fn) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  let ok;
  try {
    ok = fn();
  } catch (error) {
    console.error(error);
    ok = false;
  }
  results.push({ name, ok, seconds: (performance.now() - started) / 1000 });
  return ok;
}

function run(command, args, env = {}) {
  const { status, signal } = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (signal) console.error(`${command} killed by ${signal}`);
  return status === 0;
}

// Every tests/<dir>/*.test.mjs (js, package, browser, demo, ...): a new folder of JS tests joins
// the suite without editing this file.
const testFiles = () =>
  readdirSync(join(root, "tests"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(root, "tests", dir.name))
        .filter((f) => f.endsWith(".test.mjs"))
        .map((f) => join("tests", dir.name, f)),
    )
    .sort();

if (want("rust")) step("rust: cargo test", () => run("cargo", ["test"]));
if (want("wasm")) step("wasm: scripts/test-wasm.sh", () => run("bash", ["scripts/test-wasm.sh"]));
if (want("js")) {
  const built = step("js: build pkg/", () => run(process.execPath, ["scripts/build.mjs"]));
  if (built) {
    let consumer;
    step("js: node:test against the packed package", () => {
      consumer = prepareConsumer();
      console.log(`packed and installed into ${consumer}`);
      try {
        return run(process.execPath, ["--test", "--test-reporter=spec", ...testFiles()], { EDGE_JWT_CONSUMER: consumer });
      } finally {
        if (!process.env.KEEP_CONSUMER) rmSync(consumer, { recursive: true, force: true });
      }
    });
  }
}

console.log("\n=== edge-jwt test steps ===");
for (const { name, ok, seconds } of results) console.log(`${ok ? "ok  " : "FAIL"}  ${name}  (${seconds.toFixed(0)} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
