// The public JavaScript API, identical in every runtime. A thin layer: it turns Key/KeySet into
// raw wasm handles, dispatches verify on the kind of key, and lets the core adopt errors. All
// rules live in the Rust core.
import { call, currentGeneration, instanceExports, setErrorClass } from "./core.js";

const INTERNAL = Symbol("edge-jwt.internal");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** An error with a stable `code` (ERR_*), and `claim`/`reason` where they apply. */
export class JwtError extends Error {
  constructor(code, message, options = undefined) {
    super(message ?? code, options && "cause" in options ? { cause: options.cause } : undefined);
    this.name = "JwtError";
    this.code = code;
    if (options?.claim !== undefined) this.claim = options.claim;
    if (options?.reason !== undefined) this.reason = options.reason;
  }
}
Object.defineProperty(JwtError.prototype, "name", { value: "JwtError", writable: true, configurable: true });
setErrorClass(JwtError);

function invalidArgument(message) {
  return new JwtError("ERR_INVALID_ARGUMENT", message);
}

// A snapshot of what the user passed, so a key can be rebuilt the same way in a fresh instance.
// Runs after the wasm accepted the input, i.e. the input is plain data.
function snapshot(value) {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}

let keyHandle; // (key: Key) => WasmKey of the current instance; set in Key's static block
let setHandle; // (set: KeySet) => WasmKeySet of the current instance

function replay(factory, args) {
  const copy = snapshot(args);
  return copy === undefined ? undefined : (g) => g.WasmKey[factory](...copy);
}

/** A key bound to one algorithm. Create with Key.generate, Key.fromJwk, Key.fromPem or Key.fromSecret. */
export class Key {
  #raw;
  #generation;
  #rebuild;
  #alg;
  #kid;
  #isPrivate;

  constructor(token, raw, rebuild) {
    if (token !== INTERNAL) {
      throw new TypeError("edge-jwt: create keys with Key.generate, Key.fromJwk, Key.fromPem or Key.fromSecret");
    }
    this.#raw = raw;
    this.#generation = currentGeneration();
    this.#alg = raw.alg;
    this.#kid = raw.kid;
    this.#isPrivate = raw.isPrivate;
    // Rebuild from the call that made the key; when that input cannot be copied, from its JWK.
    if (rebuild === undefined) {
      const jwk = raw.toJwk({ private: this.#isPrivate });
      const alg = this.#alg;
      rebuild = (g) => g.WasmKey.fromJwk(jwk, { alg });
    }
    this.#rebuild = rebuild;
  }

  static {
    keyHandle = (key) => {
      if (!(key instanceof Key)) {
        throw invalidArgument("expected a Key (from Key.generate, Key.fromJwk, Key.fromPem or Key.fromSecret)");
      }
      if (key.#generation !== currentGeneration()) {
        key.#raw = call(key.#rebuild);
        key.#generation = currentGeneration();
      }
      return key.#raw;
    };
  }

  /** Generates a new key for `alg`; `kid` defaults to the RFC 7638 thumbprint. */
  static generate(alg, options) {
    return call((g) => new Key(INTERNAL, g.WasmKey.generate(alg, options)));
  }

  /** Imports a JWK (public or private); honours its alg/use/key_ops and rejects weak keys. */
  static fromJwk(jwk, options) {
    return call((g) => new Key(INTERNAL, g.WasmKey.fromJwk(jwk, options), replay("fromJwk", [jwk, options])));
  }

  /** Imports a PEM key: SPKI, PKCS#8, or PKCS#1 RSA. */
  static fromPem(pem, alg, options) {
    return call((g) => new Key(INTERNAL, g.WasmKey.fromPem(pem, alg, options), replay("fromPem", [pem, alg, options])));
  }

  /** An HMAC key (HS256/HS384/HS512) from raw bytes or a UTF-8 string, at least as long as the hash output. */
  static fromSecret(secret, alg, options) {
    return call((g) => new Key(INTERNAL, g.WasmKey.fromSecret(secret, alg, options), replay("fromSecret", [secret, alg, options])));
  }

  get alg() {
    return this.#alg;
  }

  get kid() {
    return this.#kid;
  }

  /** Whether the key can sign (a private key or an HMAC secret). */
  get isPrivate() {
    return this.#isPrivate;
  }

  /** The key as a JWK; private members only with { private: true }. */
  toJwk(options) {
    return call(() => keyHandle(this).toJwk(options));
  }

  /** The key as PEM: SPKI, or PKCS#8 with { private: true }. */
  toPem(options) {
    return call(() => keyHandle(this).toPem(options));
  }

  /** The public half of an asymmetric key. */
  publicKey() {
    return call(() => new Key(INTERNAL, keyHandle(this).publicKey(), () => keyHandle(this).publicKey()));
  }

  [INSPECT]() {
    return `Key { alg: '${this.#alg}', kid: '${this.#kid}', private: ${this.#isPrivate} }`;
  }
}

/** A set of keys, chosen from by the token's `kid` (and algorithm). */
export class KeySet {
  #raw;
  #generation;
  #jwks;
  #added = [];

  /** An empty set, or one holding `keys`. */
  constructor(keys, raw, jwks) {
    if (keys === INTERNAL) {
      this.#raw = raw;
      this.#jwks = jwks;
    } else {
      this.#raw = call((g) => new g.WasmKeySet());
    }
    this.#generation = currentGeneration();
    if (keys !== INTERNAL && keys !== undefined && keys !== null) {
      if (typeof keys[Symbol.iterator] !== "function") throw invalidArgument("KeySet expects an iterable of Key");
      for (const key of keys) this.add(key);
    }
  }

  static {
    setHandle = (set) => {
      if (set.#generation !== currentGeneration()) {
        set.#raw = call((g) => {
          const raw = set.#jwks === undefined ? new g.WasmKeySet() : g.WasmKeySet.fromJwks(...set.#jwks);
          for (const key of set.#added) raw.add(keyHandle(key));
          return raw;
        });
        set.#generation = currentGeneration();
      }
      return set.#raw;
    };
  }

  /** Imports a JWK Set ({ keys: [...] }); `alg` binds keys whose JWK names none. */
  static fromJwks(jwks, options) {
    return call((g) => {
      const raw = g.WasmKeySet.fromJwks(jwks, options);
      const copy = snapshot([jwks, options]) ?? [raw.toJwks(), options];
      return new KeySet(INTERNAL, raw, copy);
    });
  }

  add(key) {
    call(() => setHandle(this).add(keyHandle(key)));
    this.#added.push(key);
  }

  /** The public JWK Set, ready to publish. */
  toJwks() {
    return call(() => setHandle(this).toJwks());
  }

  get size() {
    return call(() => setHandle(this).size);
  }

  [INSPECT]() {
    return `KeySet { size: ${this.size} }`;
  }
}

/** Signs `claims` as a compact JWS with `key`. */
export function sign(claims, key, options) {
  return call((g) => g.sign(claims, keyHandle(key), options));
}

function dispatch(g, keys, withSet, withKey, token, options) {
  return keys instanceof KeySet ? g[withSet](token, setHandle(keys), options) : g[withKey](token, keyHandle(keys), options);
}

/** Verifies a JWT: signature, algorithm (from options.algorithms, never from the token) and claims. */
export function verify(token, keys, options) {
  return call((g) => dispatch(g, keys, "verifyWithKeySet", "verifyWithKey", token, options));
}

/** Verifies a compact JWS whose payload is not JSON claims. */
export function verifyCompact(token, keys, options) {
  return call((g) => dispatch(g, keys, "verifyCompactWithKeySet", "verifyCompactWithKey", token, options));
}

/** Decodes a JWT WITHOUT verifying it. Never trust what it returns. */
export function decode(token) {
  return call((g) => g.decode(token));
}

/** decode() plus the token's times; for browsers deciding when to refresh. No verification. */
export function inspect(token, options) {
  return call((g) => g.inspect(token, options));
}

/** When to refresh the token, in epoch milliseconds (its exp less skew, with jitter). */
export function refreshAt(token, options) {
  return call((g) => g.refreshAt(token, options));
}


export { Auth, totpCode } from "./flows.js";
export { MemoryLedger, StoreLedger } from "./ledger.js";
export { scheduleRefresh } from "./scheduler.js";

// For the package's own tests (not public, not typed): run code in the guarded call, read the
// instance generation and the instance's exports.
// flows.js reaches a Key's raw handle the same way, so the handle never becomes a public export.
Object.defineProperty(Key, Symbol.for("edge-jwt.internals"), { value: { call, currentGeneration, instanceExports, rawKeyOf: (key) => keyHandle(key) } });
