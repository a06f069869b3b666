// The sign-in flows: a thin wrapper over the wasm `WasmAuth`. Methods that can take a ledger
// return promises (with or without one); the others are synchronous. All rules are in Rust.
import { adoptError, call, currentGeneration, isLiveGeneration, whenInstanceDies } from "./core.js";
import { Key, JwtError } from "./api.js";

const rawKeyOf = (key) => Key[Symbol.for("edge-jwt.internals")].rawKeyOf(key);

async function settled(promise, dies) {
  try {
    return await Promise.race([promise, dies]);
  } catch (error) {
    throw adoptError(error);
  }
}

const LEDGER_METHODS = ["consume", "countAttempt", "rotate", "revoke", "isRevoked"];
const NEVER = new Promise(() => {});

/**
 * The caller's ledger as the instance sees it: each answer that arrives after the instance it was
 * asked from has died is held back for good, so no callback ever runs in a dead or replaced
 * instance (wasm-bindgen would throw "closure invoked from previous instance", uncaught).
 */
function guardLedger(ledger) {
  if (ledger === null || typeof ledger !== "object") return ledger; // the bindings say what is wrong
  const guarded = {};
  for (const name of LEDGER_METHODS) {
    const method = ledger[name];
    guarded[name] =
      typeof method !== "function"
        ? method
        : (...args) => {
            const gen = currentGeneration();
            const answer = method.apply(ledger, args);
            if (answer === null || typeof answer?.then !== "function") return answer;
            return Promise.resolve(answer).then(
              (value) => (isLiveGeneration(gen) ? value : NEVER),
              (error) => (isLiveGeneration(gen) ? Promise.reject(error) : NEVER),
            );
          };
  }
  return guarded;
}

/** `args` with the ledger (the last argument, or its `ledger` option) guarded. */
function withGuardedLedger(method, args) {
  const last = args.length - 1;
  if (method === "revokeSession") return [...args.slice(0, last), guardLedger(args[last])];
  const options = args[last];
  if (options === null || typeof options !== "object") return args;
  return [...args.slice(0, last), readable(() => ("ledger" in options ? { ...options, ledger: guardLedger(options.ledger) } : options), "options")];
}

/** `read()`, with an exception from a caller's getter or Proxy trap as ERR_INVALID_ARGUMENT. */
function readable(read, what) {
  try {
    return read();
  } catch (error) {
    throw new JwtError("ERR_INVALID_ARGUMENT", `${what} could not be read (a getter or Proxy threw)`, { cause: error });
  }
}

/**
 * Access and refresh sessions, magic links, one-time codes and two-factor sign-in over one
 * configuration: `new Auth({ issuer, audience, secret, ... })`.
 */
export class Auth {
  #raw;
  #generation;
  #config;

  constructor(options) {
    if (options === null || typeof options !== "object") {
      throw new JwtError("ERR_INVALID_ARGUMENT", "Auth needs options: { issuer, audience, secret }");
    }
    const { signingKey, ...rest } = readable(() => ({ ...options }), "Auth options");
    if (signingKey !== undefined && signingKey !== null && !(signingKey instanceof Key)) {
      throw new JwtError("ERR_INVALID_ARGUMENT", "signingKey must be a Key (EdDSA or ES256, private)", { claim: "signingKey" });
    }
    // A snapshot: the instance may have to be rebuilt after a trap, and by then the caller may
    // have wiped or reused the Uint8Array it passed as a secret.
    const copy = (secret) => (secret instanceof Uint8Array ? secret.slice() : secret);
    const snapshot = { ...rest, secret: copy(rest.secret) };
    if (Array.isArray(rest.previousSecrets)) snapshot.previousSecrets = readable(() => {
        if (rest.previousSecrets.length > 1000) throw new RangeError("too many");
        return Array.from(rest.previousSecrets, copy);
      }, "previousSecrets");
    if (!("secret" in rest)) delete snapshot.secret;
    this.#config = { rest: snapshot, signingKey: signingKey ?? undefined };
    this.#raw = call((g) => this.#build(g));
    this.#generation = currentGeneration();
  }

  #build(g) {
    const { rest, signingKey } = this.#config;
    return new g.WasmAuth(rest, signingKey === undefined ? undefined : rawKeyOf(signingKey).copy());
  }

  #handle() {
    if (this.#generation !== currentGeneration()) {
      this.#raw = call((g) => this.#build(g));
      this.#generation = currentGeneration();
    }
    return this.#raw;
  }

  #sync(method, ...args) {
    return call(() => this.#handle()[method](...args));
  }

  #async(method, ...args) {
    try {
      const dies = whenInstanceDies();
      return settled(this.#sync(method, ...withGuardedLedger(method, args)), dies);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Issues an access token (`typ: at+jwt`). */
  issueAccessToken(request) {
    return this.#sync("issueAccessToken", request);
  }

  /** Verifies an access token and, when asked, its role and scopes; returns its claims. */
  verifyAccessToken(token, options) {
    return this.#sync("verifyAccessToken", token, options);
  }

  /** Starts a session: `{ accessToken, refreshToken, tokenType, expiresIn, refreshExpiresIn, sessionId }`. */
  issueSession(request) {
    return this.#sync("issueSession", request);
  }

  /** Rotates a refresh token. With a ledger, reuse of an old one revokes the session. */
  refreshSession(refreshToken, options) {
    return this.#async("refreshSession", refreshToken, options);
  }

  /** Revokes a session in the ledger. */
  revokeSession(sessionId, ledger) {
    return this.#async("revokeSession", sessionId, ledger);
  }

  /** Creates a magic link: `{ url, token, jti, expiresAt }`. */
  createMagicLink(request) {
    return this.#sync("createMagicLink", request);
  }

  /** Redeems a magic link (the token or the whole URL); single-use with a ledger. */
  redeemMagicLink(tokenOrUrl, options) {
    return this.#async("redeemMagicLink", tokenOrUrl, options);
  }

  /** Creates a one-time code: `{ code, challenge, jti, expiresAt }`. Send `code`; give the client `challenge`. */
  createOtpChallenge(request) {
    return this.#sync("createOtpChallenge", request);
  }

  /** Checks a one-time code; with a ledger, attempts are limited and the code is single-use. */
  verifyOtp(challenge, code, options) {
    return this.#async("verifyOtp", challenge, code, options);
  }

  /** Begins a two-factor sign-in after the first factor: `{ pendingToken, methods, expiresAt }`. */
  beginTwoFactor(request) {
    return this.#sync("beginTwoFactor", request);
  }

  /** Completes a two-factor sign-in with an OTP challenge (or `{ totp: secret }`) and a code. */
  completeTwoFactor(pendingToken, challenge, code, options) {
    return this.#async("completeTwoFactor", pendingToken, challenge, code, options);
  }

  /** The public JWKS of asymmetric access tokens (with `signingKey`). */
  jwks() {
    return this.#sync("jwks");
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `Auth { issuer: '${this.#config.rest.issuer}', audience: '${this.#config.rest.audience}' }`;
  }
}

/** The current TOTP code for a secret (base32 or bytes): for enrolment screens and tests. */
export function totpCode(secret, options) {
  return call((g) => g.totpCode(secret, options));
}
