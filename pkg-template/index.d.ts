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

/** When to refresh the token: epoch MILLISECONDS, `skew` seconds before `exp`, less up to `jitter` seconds. */
export declare function refreshAt(token: string, options?: { skew?: number; jitter?: number; now?: Instant }): number;

/**
 * Loads the WebAssembly module. Browsers: `await init()` (or `await ready`) once before the
 * first call; `input` (a URL, Request, Response, bytes or WebAssembly.Module) serves the .wasm
 * from elsewhere. Workers and Node.js load on the first call; there it resolves at once.
 */
export declare function init(input?: unknown): Promise<void>;

/** `await ready` loads the module from its default location (see init). */
export declare const ready: PromiseLike<void>;
