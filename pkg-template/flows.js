// The sign-in flows: a thin wrapper over the wasm `WasmAuth`. Methods that can take a ledger
// return promises (with or without one); the others are synchronous. All rules are in Rust.
import { adoptError, call, currentGeneration } from "./core.js";
import { Key, JwtError } from "./api.js";

const rawKeyOf = (key) => Key[Symbol.for("edge-jwt.internals")].rawKeyOf(key);

async function settled(promise) {
  try {
    return await promise;
  } catch (error) {
    throw adoptError(error);
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
    const { signingKey, ...rest } = options;
    if (signingKey !== undefined && signingKey !== null && !(signingKey instanceof Key)) {
      throw new JwtError("ERR_INVALID_ARGUMENT", "signingKey must be a Key (EdDSA or ES256, private)", { claim: "signingKey" });
    }
    // A snapshot: the instance may have to be rebuilt after a trap, and by then the caller may
    // have wiped or reused the Uint8Array it passed as a secret.
    const copy = (secret) => (secret instanceof Uint8Array ? secret.slice() : secret);
    const snapshot = { ...rest, secret: copy(rest.secret) };
    if (Array.isArray(rest.previousSecrets)) snapshot.previousSecrets = rest.previousSecrets.map(copy);
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
      return settled(this.#sync(method, ...args));
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
