// Browser (and generic ESM) entry. Browsers do not allow compiling a module of this size
// synchronously on the main thread, so the module is fetched and compiled once, asynchronously:
// `await ready` (or `await init()`) before the first call; every call after that is synchronous.
// The `new URL(..., import.meta.url)` form lets Vite, webpack, Parcel and Rollup emit the .wasm
// file as an asset; with esbuild, copy edge_jwt_bg.wasm next to the bundle or pass init() a URL.
import { hasSource, setSource } from "./core.js";
import { scheduleRefreshAfter } from "./scheduler.js";

export * from "./api.js";

let loading;

async function compile(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (typeof input === "string" || input instanceof URL || (typeof Request === "function" && input instanceof Request)) {
    input = fetch(input);
  }
  input = await input;
  if (typeof Response === "function" && input instanceof Response) {
    if (!input.ok) throw new Error(`edge-jwt: failed to fetch the WebAssembly module: ${input.status} ${input.statusText} (${input.url})`);
    if (typeof WebAssembly.compileStreaming === "function" && input.headers.get("Content-Type") === "application/wasm") {
      return WebAssembly.compileStreaming(input);
    }
    input = await input.arrayBuffer();
  }
  return WebAssembly.compile(input);
}

/**
 * Loads the WebAssembly module once. `input` (optional): a URL, Request, Response, bytes or
 * WebAssembly.Module, for serving the .wasm from elsewhere. Safe to call many times.
 */
export function init(input) {
  if (hasSource()) return Promise.resolve();
  if (loading === undefined || input !== undefined) {
    const attempt = compile(input ?? new URL("./edge_jwt_bg.wasm", import.meta.url)).then((module) => {
      if (!hasSource()) setSource(() => module);
    });
    // A failed load can be retried by calling init() again.
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
    loading = attempt;
  }
  return loading;
}

/** Settles once the module is loaded from its default URL next to this file. */
export const ready = {
  then(onFulfilled, onRejected) {
    return init().then(onFulfilled, onRejected);
  },
};

/**
 * scheduleRefresh (see scheduler.js), loading the module first when it is not loaded yet. Defined
 * here rather than through a module-level hook, so that bundlers which drop the top-level code of
 * a side-effect-free module still leave it able to load the module from its default URL.
 */
export function scheduleRefresh(options) {
  return scheduleRefreshAfter(() => init(), options);
}
