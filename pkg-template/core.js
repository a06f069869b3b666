// The runtime core shared by every entry point: loads the WebAssembly instance lazily, runs every
// call into it through one guard, and recovers from a trap.
//
// Each entry point (workerd.js, node.js, browser.js) tells the core where the compiled module
// comes from with setSource(); nothing here touches randomness, timers or I/O at import time, so
// importing is safe in a Workers global scope. The instance is created synchronously inside the
// first call, and never by awaiting a promise shared between requests.
//
// Trap recovery: the WebAssembly spec leaves an instance that trapped (or that a JS exception
// unwound through) in whatever state it had, so a call that throws anything other than a
// JwtError marks the instance dead; the next call builds a fresh instance from the same compiled
// module (wasm-bindgen's __wbg_reset_state) and bumps `generation`. Raw handles from the old
// instance are never used again: Key and KeySet remember how to rebuild theirs (api.js).
import * as glue from "./edge_jwt.js";

const NOT_LOADED = 0;
const LIVE = 1;
const DEAD = 2;

let state = NOT_LOADED;
let source;
let generation = 0;
let JwtErrorClass;

/** Where the compiled module comes from: a function returning a WebAssembly.Module or bytes, synchronously. */
export function setSource(fn) {
  source = fn;
}

/** Whether a module source is available, i.e. whether calls can work now (browser: after init()). */
export function hasSource() {
  return source !== undefined;
}

/** The JwtError class, registered by api.js (which defines it) so the core can adopt errors. */
export function setErrorClass(cls) {
  JwtErrorClass = cls;
}

/** The instance generation: changes whenever a fresh instance replaces a dead one. */
export function currentGeneration() {
  return generation;
}

function ensureLive() {
  if (state === NOT_LOADED) {
    if (source === undefined) {
      throw new Error(
        "edge-jwt: the WebAssembly module is not loaded yet; `await init()` (or `await ready`) once before the first call",
      );
    }
    glue.initSync({ module: source() });
    state = LIVE;
  } else if (state === DEAD) {
    glue.__wbg_reset_state();
    generation++;
    state = LIVE;
  }
}

// Errors thrown by the wasm are plain Error objects named "JwtError" carrying `code`; they become
// JwtError instances. Anything else means the call did not finish normally inside the instance.
export function adoptError(error) {
  return adopt(error);
}

function adopt(error) {
  if (error instanceof Error && error.name === "JwtError" && typeof error.code === "string") {
    if (!(error instanceof JwtErrorClass)) Object.setPrototypeOf(error, JwtErrorClass.prototype);
    return error;
  }
  state = DEAD;
  return error;
}

/** The live instance's exports (the package's own tests read its memory size). */
export function instanceExports() {
  if (state !== LIVE) ensureLive();
  return glue.initSync(); // with an instance present, initSync only returns its exports
}

/** Runs fn(glue) against a live instance; the one way api.js reaches the wasm. */
export function call(fn) {
  if (state !== LIVE) ensureLive();
  try {
    return fn(glue);
  } catch (error) {
    throw adopt(error);
  }
}
