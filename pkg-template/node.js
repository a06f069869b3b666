// Node.js entry source. The build bundles it into node.cjs (a real CommonJS file), and node.mjs
// re-exports that file for `import`, so require() and import share one instance and the same
// classes. The .wasm is read and compiled synchronously on the first call.
import { readFileSync } from "node:fs";
import { setSource } from "./core.js";

setSource(() => new WebAssembly.Module(readFileSync(new URL("./edge_jwt_bg.wasm", import.meta.url))));

export * from "./api.js";

/** Nothing to wait for in Node.js; present so the same code runs everywhere. */
export function init() {
  return Promise.resolve();
}

/** Already settled in Node.js; present so `await ready` runs everywhere. */
export const ready = Promise.resolve();
