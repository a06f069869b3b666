// Types of the public API of edge-jwt; the same in every runtime (Workers, Node.js, Deno, Bun,
// browsers). Numbers of time are seconds unless a name says otherwise.

/** The signature algorithms. A key is bound to exactly one. */
export type Alg =
  | "HS256" | "HS384" | "HS512"
  | "EdDSA"
  | "ES256" | "ES384" | "ES256K"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512";

/** The HMAC algorithms, for Key.fromSecret. */
export type HmacAlg = "HS256" | "HS384" | "HS512";

/** Seconds, or a string such as "90s", "15m", "12h", "30d". */
export type Duration = number | string;

/** A point in time: a Date, or seconds since the epoch (a number that looks like milliseconds is refused). */
export type Instant = Date | number;

/** The stable error codes. Those shared with jose mean the same as there. */
export type JwtErrorCode =
  | "ERR_JWS_INVALID"
  | "ERR_JWT_INVALID"
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
  | "ERR_JOSE_ALG_NOT_ALLOWED"
  | "ERR_JOSE_NOT_SUPPORTED"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_CLAIM_VALIDATION_FAILED"
  | "ERR_JWK_INVALID"
  | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
  | "ERR_TOKEN_PURPOSE"
  | "ERR_TOKEN_REUSED"
  | "ERR_SESSION_REVOKED"
  | "ERR_SUBJECT_MISMATCH"
  | "ERR_OTP_MISMATCH"
  | "ERR_OTP_ATTEMPTS_EXCEEDED"
  | "ERR_INVALID_ARGUMENT";

/** Every error edge-jwt reports about a token, a key or an argument. */
export declare class JwtError extends Error {
  constructor(code: JwtErrorCode, message?: string, options?: { claim?: string; reason?: string; cause?: unknown });
  readonly name: "JwtError";
  /** Stable; branch on this, not on the message. */
  readonly code: JwtErrorCode;
  /** The claim that failed, e.g. "exp", "aud", where one did. */
  readonly claim?: string;
  /** Why a claim failed, where the code alone does not say. */
  readonly reason?: string;
}

/** A JSON Web Key (RFC 7517). */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  [member: string]: unknown;
}

/** A JSON Web Key Set. */
export interface Jwks {
  keys: Jwk[];
}

/** A JOSE header. */
export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  cty?: string;
  crit?: string[];
  [name: string]: unknown;
}

/** JWT claims (RFC 7519) and any others. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [name: string]: unknown;
}

export interface SignOptions {
  /** The `typ` header, e.g. "at+jwt". */
  typ?: string;
  /** The `kid` header; defaults to the key's kid. */
  kid?: string;
  /** Sets `exp` to now + this. */
  expiresIn?: Duration;
  /** Sets `nbf` to now + this. */
  notBefore?: Duration;
  issuer?: string;
  subject?: string;
  audience?: string | string[];
  /** A `jti`; `true` makes a random one. */
  jti?: string | true;
  /** Other header members (never `alg`). */
  header?: Record<string, unknown>;
  /** The time `iat`, `exp` and `nbf` are counted from; defaults to the clock. */
  now?: Instant;
}

export interface VerifyOptions {
  /** The algorithms accepted, chosen by the verifier, never by the token. Required. */
  algorithms: Alg[];
  /** `iss` must equal this (or one of these). */
  issuer?: string | string[];
  /** `aud` must contain this (or one of these); a token with `aud` needs this set. */
  audience?: string | string[];
  /** `sub` must equal this. */
  subject?: string;
  /** The `typ` header, compared as a media type ("at+jwt" matches "application/at+jwt"). */
  typ?: string;
  /** Clock tolerance for exp, nbf and iat. */
  leeway?: Duration;
  /** Refuse tokens whose `iat` is older than this. */
  maxAge?: Duration;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** The time to verify at; defaults to the clock. */
  now?: Instant;
  /** The largest token accepted, in bytes (default 16384). */
  maxTokenSize?: number;
}

export interface VerifiedToken<C extends object = JwtClaims> {
  header: JwtHeader;
  claims: C & JwtClaims;
}

export interface VerifiedCompact {
  header: JwtHeader;
  payload: Uint8Array;
}

/** decode() plus the token's times. Nothing in it is verified. */
export interface TokenInfo<C extends object = JwtClaims> {
  header: JwtHeader;
  claims: C & JwtClaims;
  issuedAt?: Date;
  notBefore?: Date;
  expiresAt?: Date;
  /** Seconds until `exp` (negative once expired). */
  expiresIn?: number;
  expired: boolean;
}

/** A key bound to one algorithm. Create with the static methods; `new Key()` throws. */
export declare class Key {
  private constructor();
  /** Generates a key; `kid` defaults to the RFC 7638 thumbprint. */
  static generate(alg: Alg, options?: { kid?: string; modulusLength?: number }): Key;
  /** Imports a JWK; honours its alg/use/key_ops and rejects weak keys. `alg` is needed when the JWK has none. */
  static fromJwk(jwk: Jwk, options?: { alg?: Alg }): Key;
  /** Imports PEM: SPKI, PKCS#8, or PKCS#1 RSA. */
  static fromPem(pem: string, alg: Alg, options?: { kid?: string }): Key;
  /** An HMAC key; at least as many bytes as the hash output. */
  static fromSecret(secret: Uint8Array | string, alg: HmacAlg, options?: { kid?: string }): Key;
  readonly alg: Alg;
  readonly kid: string;
  /** Whether the key can sign (a private key or an HMAC secret). */
  readonly isPrivate: boolean;
  /** The key as a JWK; private members only with `{ private: true }`. */
  toJwk(options?: { private?: boolean }): Jwk;
  /** The key as PEM: SPKI, or PKCS#8 with `{ private: true }`. */
  toPem(options?: { private?: boolean }): string;
  /** The public half of an asymmetric key. */
  publicKey(): Key;
}

/** Keys chosen from by the token's `kid` and algorithm. */
export declare class KeySet {
  constructor(keys?: Iterable<Key>);
  /** Imports a JWK Set; `alg` binds the keys whose JWK names no `alg`. */
  static fromJwks(jwks: Jwks, options?: { alg?: Alg }): KeySet;
  add(key: Key): void;
  /** The public JWK Set, ready to publish. */
  toJwks(): Jwks;
  readonly size: number;
}

/** Signs `claims` as a compact JWS (a JWT) with `key`. */
export declare function sign(claims: Record<string, unknown>, key: Key, options?: SignOptions): string;

/** Verifies a JWT: signature, algorithm and claims, strictly. Throws JwtError. */
export declare function verify<C extends object = JwtClaims>(token: string, keys: Key | KeySet, options: VerifyOptions): VerifiedToken<C>;

/** Verifies a compact JWS whose payload is not JSON claims. Throws JwtError. */
export declare function verifyCompact(token: string, keys: Key | KeySet, options: { algorithms: Alg[] }): VerifiedCompact;

/** Decodes a JWT WITHOUT verifying anything. Never trust what it returns. */
export declare function decode<C extends object = JwtClaims>(token: string): { header: JwtHeader; claims: C & JwtClaims };

/** Decodes a JWT (WITHOUT verifying it) and reads its times; for clients deciding when to refresh. */
export declare function inspect<C extends object = JwtClaims>(token: string, options?: { now?: Instant }): TokenInfo<C>;

/**
 * When to refresh the token: epoch MILLISECONDS, `skew` seconds (default 60) before `exp`, less up
 * to `jitter` seconds, never in the past. With an `iat`, the target is kept between 50% and 90%
 * of the token's lifetime: a skew longer than the token lives refreshes at half its life, and a
 * long-lived token is refreshed no later than at 90% of it (a 1 h token: 6 min before `exp`).
 */
export declare function refreshAt(token: string, options?: { skew?: number; jitter?: number; now?: Instant }): number;

/**
 * Loads the WebAssembly module. Browsers: `await init()` (or `await ready`) once before the
 * first call; `input` (a URL, Request, Response, bytes or WebAssembly.Module) serves the .wasm
 * from elsewhere. Workers and Node.js load on the first call; there it resolves at once.
 */
export declare function init(input?: unknown): Promise<void>;

/** `await ready` loads the module from its default location (see init). */
export declare const ready: PromiseLike<void>;

// ---------------------------------------------------------------------------------------------
// Sign-in flows

/** Options of `new Auth(...)`. Durations are seconds or strings such as "15m". */
export interface AuthOptions {
  issuer: string;
  audience: string;
  /** At least 32 random bytes (or a string of at least 32 bytes); per-purpose keys are derived from it. */
  secret: Uint8Array | string;
  /** Earlier secrets: tokens signed under them still verify (key rotation). */
  previousSecrets?: Array<Uint8Array | string>;
  /** An EdDSA or ES256 private key: access tokens become asymmetric and `jwks()` publishes it. */
  signingKey?: Key;
  accessTtl?: Duration;
  refreshTtl?: Duration;
  /** Absolute lifetime of a session, however often it is refreshed. */
  sessionMaxAge?: Duration;
  magicLinkTtl?: Duration;
  otpTtl?: Duration;
  otpDigits?: number;
  otpMaxAttempts?: number;
  /** How long the previous refresh token still gets the successor already issued (two tabs racing). */
  refreshReuseGrace?: Duration;
  twoFactorTtl?: Duration;
  leeway?: Duration;
}

/** Who a token is for, and what it grants. */
export interface SubjectRequest {
  sub: string;
  role?: string;
  /** Scopes: a space-separated string or a list. */
  scope?: string | string[];
  /** Further claims (never the registered ones). */
  claims?: Record<string, unknown>;
  /** Authentication methods (RFC 8176), e.g. ["pwd", "otp"]. */
  amr?: string[];
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: number;
  sessionId: string;
}

export interface MagicLink {
  /** The URL to send, with the token in its query. */
  url: string;
  token: string;
  jti: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface OtpChallenge {
  /** The code to send by SMS or email. Never give it to the client. */
  code: string;
  /** The challenge token for the client; it holds only a MAC of the code. */
  challenge: string;
  jti: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface TwoFactorPending {
  /** Send back with the second factor. */
  pendingToken: string;
  methods: SecondFactorMethod[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** The second factors a user can have. */
export type SecondFactorMethod = "sms" | "email" | "totp";

/** A second factor checked against a TOTP secret (RFC 6238) instead of an OTP challenge. */
export interface TotpFactor {
  /** The enrolled secret: base32 text or bytes. */
  totp: string | Uint8Array;
  digits?: number;
  step?: number;
  window?: number;
  hash?: "SHA-1" | "SHA-256" | "SHA-512";
}

/** With a ledger: single use, attempt limits, refresh reuse detection, revocation. */
export interface LedgerOption {
  ledger?: Ledger;
}

/**
 * The state the flows need for security. Every method may return a value or a promise. Back it
 * with something strongly consistent (a Durable Object), never with Workers KV.
 */
export interface Ledger {
  /** Marks `id` used until `expiresAt` (seconds); true the first time, false after. */
  consume(id: string, expiresAt: number): boolean | Promise<boolean>;
  /** Counts one attempt at `id`; the count so far. */
  countAttempt(id: string, expiresAt: number): number | Promise<number>;
  /**
   * Compare-and-set on a refresh family's generation: the current generation rotates (keep
   * `successor`, the serialised new session); the previous one within `grace` seconds of that
   * gets the kept successor back; any other revokes the family.
   */
  rotate(
    family: string,
    generation: number,
    successor: string,
    options: { now: number; grace: number; expiresAt: number },
  ): LedgerRotation | Promise<LedgerRotation>;
  /** Revokes a family (a session id) until `expiresAt`. */
  revoke(family: string, expiresAt: number): void | Promise<void>;
  isRevoked(family: string): boolean | Promise<boolean>;
}

export type LedgerRotation =
  | { status: "rotated" }
  | { status: "grace"; successor: string }
  | { status: "reused" }
  | { status: "revoked" };

/** A synchronous key-value store a StoreLedger keeps its entries in. */
export interface LedgerStore {
  get(key: string): any;
  put(key: string, value: any): void;
  delete(key: string): unknown;
}

/** The ledger rules over a synchronous key-value store (e.g. a Durable Object's `ctx.storage.kv`). */
export declare class StoreLedger implements Ledger {
  constructor(store: LedgerStore, options?: { now?: () => number });
  consume(id: string, expiresAt: number): Promise<boolean>;
  countAttempt(id: string, expiresAt: number): Promise<number>;
  rotate(family: string, generation: number, successor: string, options: { now: number; grace: number; expiresAt: number }): Promise<LedgerRotation>;
  revoke(family: string, expiresAt: number): Promise<void>;
  isRevoked(family: string): Promise<boolean>;
}

/** A ledger in memory: tests, one process, one isolate. Lost on restart, not shared. */
export declare class MemoryLedger extends StoreLedger {
  constructor(options?: { now?: () => number });
  /** Entries held (expired ones until swept). */
  readonly size: number;
}

/** Access tokens, sessions, magic links, one-time codes and two-factor sign-in over one configuration. */
export declare class Auth {
  constructor(options: AuthOptions);
  /** An access token (`typ: at+jwt`, RFC 9068). */
  issueAccessToken(request: SubjectRequest & { sid?: string }): string;
  /** Verifies an access token (and a role/scopes when given); its claims. Throws JwtError. */
  verifyAccessToken<C extends object = JwtClaims>(token: string, options?: { role?: string; scope?: string | string[] }): C & JwtClaims;
  issueSession(request: SubjectRequest): Session;
  /** Rotates a refresh token; with a ledger, a reused one revokes the session (ERR_TOKEN_REUSED). */
  refreshSession(refreshToken: string, options?: LedgerOption & { accessToken?: string }): Promise<Session>;
  revokeSession(sessionId: string, ledger: Ledger): Promise<void>;
  createMagicLink(request: { sub: string; email?: string; url: string; ttl?: Duration }): MagicLink;
  /**
   * Single use with a ledger. Resolves to the link's claims. A whole URL must be the one the link
   * was made for; with `url` (the callback this server serves) the link must have been made for
   * that origin and path, so a bare token or a client-supplied URL cannot be redeemed elsewhere.
   */
  redeemMagicLink<C extends object = JwtClaims>(tokenOrUrl: string, options?: LedgerOption & { url?: string }): Promise<C & JwtClaims>;
  createOtpChallenge(request: { sub: string; channel: "sms" | "email"; digits?: number; ttl?: Duration }): OtpChallenge;
  /** With a ledger, attempts are limited and a used challenge cannot be used again. */
  verifyOtp<C extends object = JwtClaims>(challenge: string, code: string, options?: LedgerOption): Promise<C & JwtClaims>;
  beginTwoFactor(request: SubjectRequest & { methods: SecondFactorMethod[] }): TwoFactorPending;
  /**
   * The second factor: an OTP challenge and its code, or `{ totp: secret }` and a TOTP code.
   * With a ledger the pending token and the code are single-use and guesses are limited to
   * `otpMaxAttempts` (per challenge, or per pending token for TOTP), then
   * `ERR_OTP_ATTEMPTS_EXCEEDED` even for the right code. Without one, nothing limits guesses.
   */
  completeTwoFactor(pendingToken: string, challenge: string | TotpFactor, code: string, options?: LedgerOption): Promise<Session>;
  /** The public JWKS of access tokens signed with `signingKey`. */
  jwks(): Jwks;
}

/** The current TOTP code for a secret (base32 or bytes): enrolment screens and tests. */
export declare function totpCode(secret: string | Uint8Array, options?: { now?: Instant; digits?: number; step?: number }): string;

// ---------------------------------------------------------------------------------------------
// Browser

/** The runtime's AbortSignal (these typings do not require the DOM lib). */
export type RefreshAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : { readonly aborted: boolean };

/** What `refresh()` resolves to: the new access token, a Session, or a failed response (e.g. `fetch`'s) carrying `status`. */
export type RefreshResult = string | { accessToken: string } | { token: string } | { status: number };

/** What `onError` learns besides the error. */
export interface RefreshErrorInfo {
  /** The scheduler ended (an authentication failure, or a result that cannot be used); start a new one after signing in again. */
  stopped: boolean;
  /** Seconds until the next attempt, when there is one. */
  retryIn?: number;
}

/** Options of scheduleRefresh. */
export interface ScheduleRefreshOptions {
  /** The current access token (or nothing when signed out); must return what `onRefresh` last stored. */
  getToken(): string | null | undefined | Promise<string | null | undefined>;
  /**
   * Fetches a new access token. `token` is the one being replaced; `signal` aborts on cancel().
   * Throw, or return the failed response: `status` 401/403 (and other 4xx but 408/425/429) or a
   * JwtError such as ERR_TOKEN_REUSED / ERR_SESSION_REVOKED stop the scheduler; anything else is retried.
   */
  refresh(context: { token: string; signal: RefreshAbortSignal | undefined }): RefreshResult | Promise<RefreshResult>;
  /** Seconds before `exp` to aim at (60 by default; see refreshAt). */
  skew?: number | string;
  /** Up to this many seconds earlier, at random, so clients spread out (5 by default). */
  jitter?: number | string;
  /** Attempts after a failed refresh before waiting for a new token or the tab to come back (6 by default). */
  retries?: number;
  /** Every failure; without it they are logged to the console. */
  onError?(error: unknown, info: RefreshErrorInfo): void;
  /** Every new token, in every tab of the origin (the one that refreshed included): store it here. */
  onRefresh?(token: string): void;
  /** The Web Lock and BroadcastChannel name shared by the tabs ("edge-jwt-refresh" by default). */
  lockName?: string;
  /** The server's clock now (a Date, a response's HTTP `Date` header, or seconds), when the device's may be wrong. */
  serverTime?: Date | string | number;
}

/** A running schedule. */
export interface RefreshSchedule {
  /** Stops it: every timer, listener, lock request and channel is released at once; no callback runs afterwards. */
  cancel(): void;
}

/**
 * Refreshes the access token before it expires, from its absolute `exp`, once for all the tabs of
 * an origin (Web Locks + BroadcastChannel), re-checking when the tab comes back, the machine wakes
 * or the network returns, and planning in the server's time when the device clock is wrong.
 * Retries with backoff; stops on an authentication failure. Works before `ready`.
 *
 * @example
 * const schedule = scheduleRefresh({
 *   getToken: () => accessToken,
 *   refresh: async ({ signal }) => {
 *     const response = await fetch("/auth/refresh", { method: "POST", credentials: "include", signal });
 *     return response.ok ? (await response.json()).accessToken : response;
 *   },
 *   onRefresh: (token) => { accessToken = token; },
 *   onError: (error, { stopped }) => { if (stopped) showSignIn(); },
 * });
 */
export declare function scheduleRefresh(options: ScheduleRefreshOptions): RefreshSchedule;
