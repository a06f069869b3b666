// JSON in, JSON out: body limits, field checks, errors as `{ error: { code, message } }`.

export const MAX_BODY = 16 * 1024;

/** An error answered as `{ error: { code, message } }` with `status` (and extra headers). */
export class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

/**
 * A JSON response; `headers` may be a Headers (to carry several Set-Cookie) or an object. A
 * header given here replaces the default of that name (e.g. Cache-Control); Set-Cookie lines
 * are all kept.
 */
export function json(value, status = 200, headers = {}) {
  const out = new Headers(JSON_HEADERS);
  const given = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, v] of given) {
    if (name.toLowerCase() === "set-cookie") out.append(name, v);
    else out.set(name, v);
  }
  return new Response(JSON.stringify(value), { status, headers: out });
}

export function errorResponse(status, code, message, headers = {}) {
  return json({ error: { code, message } }, status, headers);
}

/**
 * Reads a JSON object body of at most MAX_BODY bytes: 413 when larger (whatever Content-Length
 * says), 415 when it is not sent as application/json, 400 ERR_INVALID_ARGUMENT when it is not a
 * JSON object. `optional`: an empty body is {}.
 */
export async function readJson(request, { optional = false } = {}) {
  const declared = Number(request.headers.get("content-length"));
  if (declared > MAX_BODY) throw tooLarge();
  const chunks = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  if (optional && size === 0) return {};
  // A JSON API answers JSON bodies only: a text/plain or form body (what a cross-site HTML form
  // can send without a preflight) is refused, whatever it contains.
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(415, "ERR_INVALID_ARGUMENT", "the body must be sent as application/json");
  }
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "ERR_INVALID_ARGUMENT", "the body must be a JSON object");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "ERR_INVALID_ARGUMENT", "the body must be a JSON object");
  }
  return value;
}

function tooLarge() {
  return new HttpError(413, "ERR_INVALID_ARGUMENT", `the body is larger than ${MAX_BODY} bytes`);
}

/** A required string field of at most `max` characters. */
export function field(body, name, max = 320) {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new HttpError(400, "ERR_INVALID_ARGUMENT", `${name} is required (a string)`);
  }
  if (value.length > max) throw new HttpError(400, "ERR_INVALID_ARGUMENT", `${name} is too long`);
  return value;
}

/** Cookies of the request as a Map. */
export function cookies(request) {
  const out = new Map();
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** A Set-Cookie value: HttpOnly and Secure always (browsers accept Secure on http://localhost). */
export function setCookie(name, value, { path, maxAge, sameSite = "Strict" }) {
  return `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAge))}; HttpOnly; Secure; SameSite=${sameSite}`;
}

/** The `Authorization: Bearer` token, or undefined. */
export function bearer(request) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match ? match[1] : undefined;
}

export function bytesToBase64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function base64urlToBytes(text) {
  const s = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function randomId(bytes = 16) {
  return bytesToBase64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compares two byte arrays in time independent of where they differ. */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
