// Cloudflare Workers (workerd) entry. Wrangler and other Workers bundlers turn this import of the
// .wasm file into a compiled WebAssembly.Module. Importing does no I/O, no randomness and no
// timers (workerd refuses those at global scope); the instance is created synchronously inside
// the first call, within whichever request makes it, and no request ever awaits a promise made
// by another.
import wasmModule from "./edge_jwt_bg.wasm";
import { setSource } from "./core.js";

setSource(() => wasmModule);

export * from "./api.js";

/** Nothing to wait for on Workers; present so the same code runs everywhere. */
export function init() {
  return Promise.resolve();
}

/** Already settled on Workers; present so `await ready` runs everywhere. */
export const ready = {
  then(onFulfilled, onRejected) {
    return Promise.resolve().then(onFulfilled, onRejected);
  },
};
