// The edge-jwt reference worker: password sign-in with SMS two-factor, magic links, SMS codes,
// refresh-token rotation with reuse detection, sign-out, a protected API and the public JWKS.
// The ledger, rate limits and dev outbox are Durable Objects; the page is in public/ and page/.
import { Auth, JwtError, Key, decode, ready } from "edge-jwt";
import { HttpError, bearer, cookies, errorResponse, field, json, randomId, readJson, setCookie, sha256, bytesToBase64url } from "./http.js";
import { LedgerObject, durableLedger } from "./ledger.js";
import { verifyUserPassword } from "./passwords.js";
import { RateLimiterObject, checkLimits, clientKey, countFailure, limit } from "./ratelimit.js";
import { OutboxObject, senderFor } from "./sender.js";
import { maskPhone, normalizeEmail, normalizePhone, publicUser, userByEmail, userById, userByPhone } from "./users.js";
import { magicPage } from "./pages.js";

export { LedgerObject, OutboxObject, RateLimiterObject };

const REFRESH_COOKIE = "rt";
const REFRESH_PATH = "/auth/refresh";
const ATTEMPT_COOKIE = "la";
// Magic links point at this path of the server's own origin (see ownOrigin).
const MAGIC_PATH = "/auth/magic";
const ATTEMPT_PATH = MAGIC_PATH;
const MAGIC_LINK_TTL = 600;

// ---------------------------------------------------------------------------------------------
// Configuration: one Auth per isolate, made inside the first request (workerd allows no
// randomness at global scope) and remade if the environment changes.

let cached;
let devSecret;
let devKey;

class ConfigError extends Error {}

/** A var of seconds: its fallback when unset; a value that is not a number is a ConfigError. */
function seconds(env, name, fallback, { zero = false } = {}) {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero)) {
    throw new ConfigError(`${name} must be a number of seconds${zero ? " (0 or more)" : " (more than 0)"}, not ${JSON.stringify(String(value))}`);
  }
  return n;
}

/**
 * The Auth for this environment. Whatever goes wrong while making it (a missing secret, a var
 * that is not a number, a SIGNING_JWK that is not a private JWK, options the library refuses)
 * is a ConfigError: every endpoint answers 500 ERR_NOT_CONFIGURED and the log has the detail.
 */
function authFor(env) {
  const fingerprint = JSON.stringify([env.AUTH_SECRET, env.SIGNING_JWK, env.ISSUER, env.AUDIENCE, env.ACCESS_TTL, env.REFRESH_TTL, env.SESSION_MAX_AGE, env.REFRESH_REUSE_GRACE, env.DEV]);
  if (cached?.fingerprint === fingerprint) return cached.auth;
  let auth;
  try {
    auth = makeAuth(env);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`the Auth options were refused: ${error?.message ?? error}`);
  }
  cached = { fingerprint, auth };
  return auth;
}

function makeAuth(env) {
  let secret = env.AUTH_SECRET;
  if (!secret) {
    if (!env.DEV) throw new ConfigError("AUTH_SECRET is not set: wrangler secret put AUTH_SECRET");
    console.warn("AUTH_SECRET is not set: using a random one for this isolate (DEV)");
    secret = devSecret ??= randomId(48);
  }
  let signingKey;
  if (env.SIGNING_JWK) {
    let jwk;
    try {
      jwk = JSON.parse(env.SIGNING_JWK);
    } catch {
      // Not the parser's message: it quotes the text, which is a private key.
      throw new ConfigError("SIGNING_JWK is not JSON (a private Ed25519 JWK)");
    }
    try {
      signingKey = Key.fromJwk(jwk);
    } catch (error) {
      throw new ConfigError(`SIGNING_JWK is not a usable private JWK: ${error?.message ?? error}`);
    }
  } else {
    if (!env.DEV) throw new ConfigError("SIGNING_JWK is not set: wrangler secret put SIGNING_JWK");
    console.warn("SIGNING_JWK is not set: using a generated Ed25519 key for this isolate (DEV)");
    signingKey = devKey ??= Key.generate("EdDSA");
  }
  return new Auth({
    issuer: env.ISSUER || "edge-jwt-demo",
    audience: env.AUDIENCE || "edge-jwt-demo-api",
    secret,
    signingKey,
    accessTtl: seconds(env, "ACCESS_TTL", 60),
    refreshTtl: seconds(env, "REFRESH_TTL", 3600),
    sessionMaxAge: seconds(env, "SESSION_MAX_AGE", 8 * 3600),
    refreshReuseGrace: seconds(env, "REFRESH_REUSE_GRACE", 10, { zero: true }),
    magicLinkTtl: MAGIC_LINK_TTL,
    otpTtl: 300,
    otpMaxAttempts: 5,
  });
}

/**
 * The server's own origin: PUBLIC_ORIGIN when it is set, else the request URL's. Magic links are
 * made for it, only links to its /auth/magic are redeemed, and POSTs must come from it. On
 * Cloudflare the request URL's host is the route the request came in on; `wrangler dev` takes
 * it from the Host header, which any client sets: set PUBLIC_ORIGIN wherever that matters.
 */
function ownOrigin(env, url) {
  const configured = env.PUBLIC_ORIGIN;
  if (configured === undefined || configured === "") return url.origin;
  let parsed;
  try {
    parsed = new URL(configured);
  } catch {
    // refused below
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== String(configured).replace(/\/$/, "")) {
    throw new ConfigError(`PUBLIC_ORIGIN must be an origin such as https://auth.example.com (scheme, host, port; no path), not ${JSON.stringify(String(configured))}`);
  }
  return parsed.origin;
}

/** Whether `url` is this server's magic-link callback: same origin, path /auth/magic. */
function isOwnCallback(c, url) {
  try {
    const parsed = new URL(url);
    return parsed.origin === c.origin && parsed.pathname === MAGIC_PATH;
  } catch {
    return false;
  }
}

const notOurLink = () => unauthorized("ERR_JWT_CLAIM_VALIDATION_FAILED", "this link was made for another site: ask for a new one here");

// ---------------------------------------------------------------------------------------------
// Responses

function sessionResponse(c, session, user, body, extra = {}) {
  const out = {
    accessToken: session.accessToken,
    tokenType: session.tokenType,
    expiresIn: session.expiresIn,
    refreshExpiresIn: session.refreshExpiresIn,
    sessionId: session.sessionId,
    user: publicUser(user),
    ...extra,
  };
  const headers = new Headers();
  // Non-browser clients ask for the refresh token in the body; browsers get an HttpOnly cookie
  // that only /auth/refresh ever receives.
  if (body?.client === "native") out.refreshToken = session.refreshToken;
  else headers.append("set-cookie", setCookie(REFRESH_COOKIE, session.refreshToken, { path: REFRESH_PATH, maxAge: session.refreshExpiresIn }));
  return json(out, 200, headers);
}

const clearRefreshCookie = () => setCookie(REFRESH_COOKIE, "", { path: REFRESH_PATH, maxAge: 0 });

function unauthorized(code, message, headers = {}) {
  return new HttpError(401, code, message, headers);
}

/** The user a session is for; a token for a user who no longer exists is refused. */
function sessionUser(sub) {
  const user = userById(sub);
  if (!user) throw unauthorized("ERR_INVALID_CREDENTIALS", "no such account");
  return user;
}

// ---------------------------------------------------------------------------------------------
// Endpoints. `c` = { request, env, url, origin (the server's own, see ownOrigin), auth, ledger, ip }

async function password(c) {
  const body = await readJson(c.request);
  const email = field(body, "email", 254);
  const secret = field(body, "password", 1024);
  const account = normalizeEmail(email);
  const failures = [["password-failure:account-ip", `${account}|${c.ip}`], ["password-failure:account", account]];
  await limit(c.env, ["password:ip", c.ip]);
  await checkLimits(c.env, ...failures);
  const user = userByEmail(email);
  // Unknown users cost the same PBKDF2 work and get the same answer.
  if (!(await verifyUserPassword(user, secret))) {
    await countFailure(c.env, ...failures);
    throw unauthorized("ERR_INVALID_CREDENTIALS", "wrong email or password");
  }
  if (user.twoFactor.length > 0) {
    const sender = senderFor(c.env);
    await limit(c.env, ["2fa-send:account", user.id]);
    return json(await secondFactor(c, sender, user, ["pwd"]));
  }
  const session = c.auth.issueSession({ sub: user.id, amr: ["pwd"], claims: { name: user.name } });
  return sessionResponse(c, session, user, body);
}

/**
 * The first factor (`amr`: ["pwd"] or ["email"]) of a user with two-factor sign-in has passed:
 * no session yet, but a pending token that remembers it and the second factor's challenge. The
 * demo's only second factor is an SMS code (users.js). Callers count "2fa-send:account" first.
 */
async function secondFactor(c, sender, user, amr) {
  const pending = c.auth.beginTwoFactor({ sub: user.id, methods: user.twoFactor, amr, claims: { name: user.name } });
  const otp = c.auth.createOtpChallenge({ sub: user.id, channel: "sms" });
  await sender.sendSms({ to: user.phone, text: `${otp.code} is your edge-jwt demo verification code. It expires in 5 minutes.` });
  return {
    twoFactor: true,
    pendingToken: pending.pendingToken,
    challenge: otp.challenge,
    methods: pending.methods,
    expiresAt: pending.expiresAt,
    sentTo: maskPhone(user.phone),
  };
}

async function twoFactorVerify(c) {
  const body = await readJson(c.request);
  const pendingToken = field(body, "pendingToken", 16384);
  const challenge = field(body, "challenge", 16384);
  const code = field(body, "code", 32);
  await limit(c.env, ["code:ip", c.ip]);
  const session = await c.auth.completeTwoFactor(pendingToken, challenge, code, { ledger: c.ledger });
  const sub = c.auth.verifyAccessToken(session.accessToken).sub;
  return sessionResponse(c, session, sessionUser(sub), body);
}

async function magicLinkRequest(c) {
  const body = await readJson(c.request);
  const email = field(body, "email", 254);
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw new HttpError(400, "ERR_INVALID_ARGUMENT", "email must be an email address");
  const sender = senderFor(c.env);
  await limit(c.env, ["send:ip", c.ip], ["send:destination", normalizeEmail(email)]);
  const user = userByEmail(email);
  // The "login attempt": a random value in an HttpOnly cookie of this browser, its hash in the
  // link. Opening the link elsewhere still works but the page says so.
  const attempt = randomId();
  const tag = bytesToBase64url(await sha256(attempt)).slice(0, 22);
  const link = c.auth.createMagicLink({
    sub: user?.id ?? "usr_unknown",
    email: normalizeEmail(email),
    url: `${c.origin}${MAGIC_PATH}?la=${tag}`,
  });
  if (user) {
    await sender.sendEmail({
      to: user.email,
      subject: "Your edge-jwt demo sign-in link",
      text: `Hello ${user.name},\n\nOpen this link to sign in (it works once, for 10 minutes):\n${link.url}\n\nIf you did not ask for it, ignore this email.`,
      link: link.url,
    });
  }
  return json(
    { sent: true, message: "If this address belongs to an account, a sign-in link is on its way.", expiresAt: link.expiresAt },
    200,
    { "set-cookie": setCookie(ATTEMPT_COOKIE, attempt, { path: ATTEMPT_PATH, maxAge: MAGIC_LINK_TTL, sameSite: "Lax" }) },
  );
}

/** GET: only a confirmation page (mail scanners open links before people do). */
async function magicConfirm(c) {
  let claims;
  try {
    // Stateless (nothing is used up), and for the link as made: on the server's own origin.
    claims = await c.auth.redeemMagicLink(`${c.origin}${c.url.pathname}${c.url.search}`);
  } catch (error) {
    if (!isJwtError(error)) throw error;
  }
  const user = claims && userById(claims.sub);
  return magicPage(user ? { name: user.name, email: user.email } : null);
}

/**
 * POST { url } (the whole link, as the confirm page sends it) or { token } (the token alone,
 * e.g. from an app that opened the link): either way only a link made for this server's own
 * /auth/magic signs in.
 */
async function magicRedeem(c) {
  const body = await readJson(c.request);
  const fromUrl = typeof body.url === "string";
  const input = fromUrl ? field(body, "url", 20000) : field(body, "token", 16384);
  await limit(c.env, ["magic:ip", c.ip]);
  if (fromUrl && !isOwnCallback(c, input)) throw notOurLink();
  // First without the ledger (signature, purpose, expiry, the URL it is bound to; nothing is
  // used up), so that a link for another address is refused before it is consumed.
  const checked = await c.auth.redeemMagicLink(input);
  if (typeof checked.url !== "string" || !isOwnCallback(c, checked.url)) throw notOurLink();
  const user = sessionUser(checked.sub);
  // A magic link proves the mailbox: a first factor. A user with two-factor sign-in continues
  // with the second, as after a password; what can refuse that (limits, no sender) comes first.
  const twoFactor = user.twoFactor.length > 0;
  const sender = twoFactor ? senderFor(c.env) : null;
  if (twoFactor) await limit(c.env, ["2fa-send:account", user.id]);
  const claims = await c.auth.redeemMagicLink(input, { ledger: c.ledger });
  const tag = new URL(claims.url).searchParams.get("la");
  const attempt = cookies(c.request).get(ATTEMPT_COOKIE);
  const sameBrowser = attempt !== undefined && tag !== null && bytesToBase64url(await sha256(attempt)).slice(0, 22) === tag;
  let response;
  if (twoFactor) {
    response = json({ ...(await secondFactor(c, sender, user, ["email"])), sameBrowser });
  } else {
    const session = c.auth.issueSession({ sub: user.id, amr: ["email"], claims: { name: user.name } });
    response = sessionResponse(c, session, user, body, { sameBrowser });
  }
  response.headers.append("set-cookie", setCookie(ATTEMPT_COOKIE, "", { path: ATTEMPT_PATH, maxAge: 0, sameSite: "Lax" }));
  return response;
}

// SMS sign-in challenges are made for the subject "login:<user id>", two-factor ones for the
// user id itself: a code sent for one step can never complete the other.
const LOGIN_PREFIX = "login:";
const isSignInChallenge = (claims) => typeof claims.sub === "string" && claims.sub.startsWith(LOGIN_PREFIX) && claims.chn === "sms";
const wrongStep = () => unauthorized("ERR_TOKEN_PURPOSE", "this code is for another step of signing in");

async function smsRequest(c) {
  const body = await readJson(c.request);
  const phone = normalizePhone(field(body, "phone", 32));
  if (!phone) throw new HttpError(400, "ERR_INVALID_ARGUMENT", "phone must be a phone number, e.g. +15555550101");
  const sender = senderFor(c.env);
  await limit(c.env, ["send:ip", c.ip], ["send:destination", phone]);
  const user = userByPhone(phone);
  const otp = c.auth.createOtpChallenge({ sub: LOGIN_PREFIX + (user?.id ?? "usr_unknown"), channel: "sms" });
  if (user) await sender.sendSms({ to: user.phone, text: `${otp.code} is your edge-jwt demo sign-in code. It expires in 5 minutes.` });
  return json({ challenge: otp.challenge, expiresAt: otp.expiresAt, sentTo: maskPhone(phone) });
}

async function smsVerify(c) {
  const body = await readJson(c.request);
  const challenge = field(body, "challenge", 16384);
  const code = field(body, "code", 32);
  await limit(c.env, ["code:ip", c.ip]);
  // verifyOtp uses the challenge up (and counts attempts): a challenge of another kind, e.g. a
  // two-factor code, is refused before that, by its unverified claims, so that it still works
  // where it belongs. verifyOtp then checks everything for real, and the claims again after it.
  if (!isSignInChallenge(decode(challenge).claims)) throw wrongStep();
  const claims = await c.auth.verifyOtp(challenge, code, { ledger: c.ledger });
  if (!isSignInChallenge(claims)) throw wrongStep();
  const user = sessionUser(claims.sub.slice(LOGIN_PREFIX.length));
  // An SMS code is a first factor, and the demo's second factor is an SMS code to the same
  // phone: one phone cannot be both. Said only now, after the code (so only to the phone's
  // holder): /auth/sms answers every number alike.
  if (user.twoFactor.length > 0) {
    throw unauthorized(
      "ERR_TWO_FACTOR_REQUIRED",
      "this account has two-factor sign-in, and a text message code cannot be both factors: sign in with your password or a magic link, then enter the code we text you",
    );
  }
  const session = c.auth.issueSession({ sub: user.id, amr: ["sms"], claims: { name: user.name } });
  return sessionResponse(c, session, user, body);
}

async function refresh(c) {
  const body = await readJson(c.request, { optional: true });
  const fromBody = body.refreshToken !== undefined;
  const token = fromBody ? field(body, "refreshToken", 16384) : cookies(c.request).get(REFRESH_COOKIE);
  const clear = fromBody ? {} : { "set-cookie": clearRefreshCookie() };
  if (!token) throw unauthorized("ERR_INVALID_ARGUMENT", "no session: send the refresh token cookie or { refreshToken }", clear);
  await limit(c.env, ["refresh:ip", c.ip]);
  let session;
  try {
    session = await c.auth.refreshSession(token, { accessToken: bearer(c.request), ledger: c.ledger });
  } catch (error) {
    if (!isJwtError(error)) throw error;
    throw new HttpError(error.code === "ERR_INVALID_ARGUMENT" ? 400 : 401, error.code, error.message, clear);
  }
  const user = sessionUser(c.auth.verifyAccessToken(session.accessToken).sub);
  return sessionResponse(c, session, user, fromBody ? { client: "native" } : body);
}

async function signout(c) {
  const claims = accessClaims(c);
  if (!claims.sid) throw new HttpError(400, "ERR_INVALID_ARGUMENT", "this access token has no session");
  await c.auth.revokeSession(claims.sid, c.ledger);
  return json({ signedOut: true, sessionId: claims.sid }, 200, { "set-cookie": clearRefreshCookie() });
}

function accessClaims(c) {
  const token = bearer(c.request);
  if (!token) throw unauthorized("ERR_INVALID_ARGUMENT", "Authorization: Bearer <access token> is required", { "www-authenticate": "Bearer" });
  try {
    return c.auth.verifyAccessToken(token);
  } catch (error) {
    if (!isJwtError(error)) throw error;
    throw unauthorized(error.code, error.message, { "www-authenticate": 'Bearer error="invalid_token"' });
  }
}

async function me(c) {
  const claims = accessClaims(c);
  // Access tokens are stateless; this one check makes a revoked (or reused) session fail at once.
  if (claims.sid && (await c.ledger.isRevoked(claims.sid))) {
    throw unauthorized("ERR_SESSION_REVOKED", "this session was signed out or revoked", { "www-authenticate": 'Bearer error="invalid_token"' });
  }
  const user = sessionUser(claims.sub);
  return json({ user: publicUser(user), sessionId: claims.sid, claims });
}

function jwks(c) {
  return json(c.auth.jwks(), 200, { "cache-control": "public, max-age=300" });
}

async function outbox(c) {
  if (!c.env.DEV) throw new HttpError(404, "ERR_NOT_FOUND", "no such endpoint");
  return json({ messages: await senderFor(c.env).list() });
}

// ---------------------------------------------------------------------------------------------
// Routing

const ROUTES = {
  "/auth/password": { POST: password },
  "/auth/2fa/verify": { POST: twoFactorVerify },
  "/auth/magic-link": { POST: magicLinkRequest },
  "/auth/magic": { GET: magicConfirm, POST: magicRedeem },
  "/auth/sms": { POST: smsRequest },
  "/auth/sms/verify": { POST: smsVerify },
  "/auth/refresh": { POST: refresh },
  "/auth/signout": { POST: signout },
  "/api/me": { GET: me },
  "/.well-known/jwks.json": { GET: jwks },
  "/dev/outbox": { GET: outbox },
};

const isJwtError = (error) => error instanceof JwtError || error?.name === "JwtError";

function toResponse(error) {
  if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers);
  if (isJwtError(error) && typeof error.code === "string") {
    return errorResponse(error.code === "ERR_INVALID_ARGUMENT" ? 400 : 401, error.code, error.message);
  }
  if (error instanceof ConfigError) {
    console.error(`configuration: ${error.message}`);
    return errorResponse(500, "ERR_NOT_CONFIGURED", "the server is not configured");
  }
  console.error(error);
  return errorResponse(500, "ERR_INTERNAL", "internal error");
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = ROUTES[url.pathname];
    if (!route) return errorResponse(404, "ERR_NOT_FOUND", "no such endpoint");
    const method = request.method === "HEAD" && route.GET ? "GET" : request.method;
    const handler = route[method];
    if (!handler) {
      return errorResponse(405, "ERR_METHOD_NOT_ALLOWED", `use ${Object.keys(route).join(" or ")}`, { allow: Object.keys(route).join(", ") });
    }
    try {
      const own = ownOrigin(env, url);
      // Cookies are SameSite; this also refuses cross-site form posts (login CSRF).
      const origin = request.headers.get("origin");
      if (method === "POST" && origin && origin !== own) {
        throw new HttpError(403, "ERR_FORBIDDEN", "cross-origin requests are not allowed");
      }
      await ready; // settled at once on Workers; also keeps the package's workerd entry in the bundle
      const c = { request, env, url, origin: own, auth: authFor(env), ledger: durableLedger(env.LEDGER), ip: clientKey(request) };
      return await handler(c);
    } catch (error) {
      return toResponse(error);
    }
  },
};
