// The runtime core shared by every entry point: loads the WebAssembly instance lazily, runs every
// call into it through one guard, and recovers from a trap.
//
// Each entry point (workerd.js, node.js, browser.js) tells the core where the compiled module
// comes from with setSource(); nothing here touches randomness, timers or I/O at import time, so
// importing is safe in a Workers global scope. The instance is created synchronously inside the
// first call, and never by awaiting a promise shared between requests.
//
// Trap recovery: an instance that trapped (WebAssembly.RuntimeError: a Rust panic aborts with
// `unreachable`, or a bad memory access) or overflowed the native stack (RangeError) stopped in
// the middle of a call, with its allocator and shadow stack in whatever state they had. Such an
// error marks the instance dead; the next call builds a fresh instance from the same compiled
// module (wasm-bindgen's __wbg_reset_state) and bumps `generation`. Raw handles from the old
// instance are never used again: Key and KeySet remember how to rebuild theirs (api.js).
// Other errors (a JwtError, a TypeError from bad input, a rejection from a user's ledger) leave
// the instance as it is: a reset also abandons every async call still pending in the instance
// (their callbacks refuse to run against a new one), so it happens only when it must.
import * as glue from "./edge_jwt.js";

const NOT_LOADED = 0;
const LIVE = 1;
const DEAD = 2;

let state = NOT_LOADED;
let source;
let generation = 0;
let JwtErrorClass;
// Rejects when the live instance dies, for the calls still waiting in it (see whenInstanceDies).
let abandonPending;
let instanceDies = nextDeath();

function nextDeath() {
  const dies = new Promise((_, reject) => {
    abandonPending = reject;
  });
  dies.catch(() => {}); // no call waiting is fine
  return dies;
}

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
// JwtError instances. A trap or a stack overflow means the call did not finish inside the instance.
export function adoptError(error) {
  return adopt(error);
}

function adopt(error) {
  if (error instanceof Error && error.name === "JwtError" && typeof error.code === "string") {
    if (!(error instanceof JwtErrorClass)) Object.setPrototypeOf(error, JwtErrorClass.prototype);
    return error;
  }
  if (error instanceof WebAssembly.RuntimeError || (error instanceof RangeError && /call stack/i.test(error.message))) {
    state = DEAD;
    // Calls awaiting a ledger inside the dead instance can never finish: fail them now.
    abandonPending(
      new Error("edge-jwt: the WebAssembly instance failed while this call was waiting for its ledger; the call was abandoned, try again", { cause: error }),
    );
    instanceDies = nextDeath();
  }
  return error;
}

/**
 * A promise that rejects once the instance live now has died (trapped): an async call that was
 * started in it and still waits for its ledger can never finish, and races this instead.
 */
export function whenInstanceDies() {
  return instanceDies;
}

/** Whether the instance of `gen` is still the live one (not dead, not replaced). */
export function isLiveGeneration(gen) {
  return state === LIVE && generation === gen;
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
