// Passwords: salted PBKDF2-SHA256 through WebCrypto (100 000 iterations, the most Workers
// allows). Records look like { alg: "PBKDF2-SHA256", iterations, salt, hash } (base64url).
import { base64urlToBytes, bytesToBase64url, equalBytes } from "./http.js";

export const ITERATIONS = 100_000;

async function derive(password, salt, iterations) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** A new record for `password` with a random 16-byte salt. */
export async function hashPassword(password, iterations = ITERATIONS) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return { alg: "PBKDF2-SHA256", iterations, salt: bytesToBase64url(salt), hash: bytesToBase64url(hash) };
}

/** True when `password` matches `record` (compared in constant time). */
export async function checkPassword(password, record) {
  const hash = await derive(password, base64urlToBytes(record.salt), record.iterations);
  return equalBytes(hash, base64urlToBytes(record.hash));
}

// Checked instead when there is no such user, so that both cases cost the same.
const DUMMY = { alg: "PBKDF2-SHA256", iterations: ITERATIONS, salt: "AAAAAAAAAAAAAAAAAAAAAA", hash: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };

/** Checks a password against the user's record, or a dummy one when there is no user. */
export async function verifyUserPassword(user, password) {
  const ok = await checkPassword(password, user?.password ?? DUMMY);
  return ok && user !== undefined;
}
