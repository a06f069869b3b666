//! Helpers shared by the integration tests: hand-made tokens (any header, any payload bytes,
//! signed with HMAC-SHA-256 outside edge-jwt), claim maps and error codes.

#![allow(dead_code)]

use base64ct::{Base64UrlUnpadded, Encoding};
use edge_jwt::{sign, Alg, ErrorCode, JwtError, Key, SignOptions, VerifyOptions};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// A fixed time to judge tokens by (2023-11-14).
pub const NOW: f64 = 1_700_000_000.0;

/// The HS256 secret behind [`hs256_key`].
pub const SECRET: [u8; 32] = *b"an-hs256-test-secret-of-32-bytes";

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

pub fn unb64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).expect("test data is base64url")
}

pub fn hs256_key() -> Key {
    Key::from_secret(&SECRET, Alg::HS256).unwrap()
}

/// HMAC-SHA-256 of `message` under `secret`, computed without edge-jwt.
pub fn hmac_sha256(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A compact JWS over exactly these header and payload bytes, HS256-signed with `secret`.
pub fn hs256_raw(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = hmac_sha256(secret, input.as_bytes());
    format!("{input}.{}", b64(signature))
}

/// [`hs256_raw`] with the test [`SECRET`].
pub fn raw(header: &str, payload: &str) -> String {
    hs256_raw(&SECRET, header.as_bytes(), payload.as_bytes())
}

/// A token with the standard HS256 header and these claims (given as JSON text).
pub fn raw_claims(claims: &str) -> String {
    raw(r#"{"alg":"HS256","typ":"JWT"}"#, claims)
}

pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Signs `claims` with `key` at [`NOW`].
pub fn sign_at_now(claims: Value, key: &Key) -> String {
    sign(
        &object(claims),
        key,
        &SignOptions {
            now: Some(NOW),
            ..Default::default()
        },
    )
    .unwrap()
}

/// Options accepting only `alg`, judged at [`NOW`].
pub fn options(alg: Alg) -> VerifyOptions {
    VerifyOptions::new([alg]).at(NOW)
}

/// The code of the error, failing the test if there was none.
pub fn code<T: std::fmt::Debug>(result: Result<T, JwtError>) -> ErrorCode {
    result.expect_err("expected an error").code()
}

/// The error, failing the test if there was none.
pub fn error<T: std::fmt::Debug>(result: Result<T, JwtError>) -> JwtError {
    result.expect_err("expected an error")
}

/// Replaces segment `index` (0, 1 or 2) of a compact token.
pub fn with_segment(token: &str, index: usize, segment: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = segment;
    parts.join(".")
}

/// Reads a file of `tests/vectors/`.
pub fn vector(path: &str) -> String {
    let full = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Reads a JSON file of `tests/vectors/`.
pub fn vector_json(path: &str) -> Value {
    serde_json::from_str(&vector(path)).unwrap()
}

/// The committed 2048-bit RSA test key (PKCS#8), bound to `alg`.
pub fn rsa_key(alg: Alg) -> Key {
    Key::from_pem(&vector("keys/rsa2048-pkcs8.pem"), alg).unwrap()
}

/// A PEM block with this label around this DER, wrapped at 64 columns.
pub fn pem_of(label: &str, der: &[u8]) -> String {
    let text = base64ct::Base64::encode_string(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
