//! PEM interop with the keys other tools write and read: OpenSSL's own PEM files (Ed25519
//! PKCS#8, `openssl ecparam -genkey` output, RSA keys over 4096 bits), the formatting PEM picks
//! up on its way through editors, environment variables and Windows, and errors that say what
//! is actually wrong. The fixtures under `tests/vectors/keys/` were written by OpenSSL (see the
//! README there), so these tests need no OpenSSL at run time.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use edge_jwt::{verify, Alg, ErrorCode, Key};
use serde_json::json;

/// The DER inside a single-block PEM.
fn der_of(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    Base64::decode_vec(body.trim()).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A PEM block with this label around this DER, wrapped at 64 columns.
fn pem_of(label: &str, der: &[u8]) -> String {
    let text = Base64::encode_string(der);
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

/// Signs with `key` and checks that its public half verifies the token.
fn assert_signs(key: &Key) {
    let token = sign_at_now(json!({"sub": "pem"}), key);
    let public = key.public_key().unwrap();
    let verified = verify(&token, &public, &options(key.alg())).unwrap();
    assert_eq!(verified.claims["sub"], "pem");
}

/// The error message of a refused PEM, checking it is `ERR_JWK_INVALID`.
fn refusal(pem: &str, alg: Alg) -> String {
    let err = error(Key::from_pem(pem, alg));
    assert_eq!(err.code(), ErrorCode::JwkInvalid, "{pem:?}: {err}");
    err.message().to_owned()
}

// --- 1. Ed25519 private keys are written as PKCS#8 v1 (RFC 8410), as OpenSSL writes them ---

#[test]
fn eddsa_private_pem_is_the_pkcs8_v1_openssl_writes() {
    // `openssl genpkey -algorithm ed25519`, read and written back: byte for byte the same.
    let openssl = vector("keys/ed25519-pkcs8.pem");
    let key = Key::from_pem(&openssl, Alg::EdDSA).unwrap();
    assert_eq!(key.to_pem(true).unwrap(), openssl);
    assert_eq!(key.to_pem(false).unwrap(), vector("keys/ed25519-spki.pem"));
    // A generated key: version 0, Ed25519, the 32-byte seed and nothing else (no [1] public
    // key, which OpenSSL 3, WebCrypto and jose refuse).
    let der = der_of(&Key::generate(Alg::EdDSA).unwrap().to_pem(true).unwrap());
    assert_eq!(der.len(), 48, "{der:02x?}");
    assert_eq!(der[..16], hex("302e020100300506032b657004220420")[..]);
}

#[test]
fn eddsa_pkcs8_v2_is_still_read_and_written_back_as_v1() {
    // The same key as ed25519-pkcs8.pem in the v2 (OneAsymmetricKey) form edge-jwt used to write.
    let v2 = vector("keys/ed25519-pkcs8-v2.pem");
    let v1 = vector("keys/ed25519-pkcs8.pem");
    assert_eq!(der_of(&v2)[2..5], [2, 1, 1], "fixture is version 1 (v2)");
    let key = Key::from_pem(&v2, Alg::EdDSA).unwrap();
    assert!(key.is_private());
    assert_eq!(key.kid(), Key::from_pem(&v1, Alg::EdDSA).unwrap().kid());
    assert_eq!(key.to_pem(true).unwrap(), v1);
    assert_signs(&key);
    // A v2 key whose public key is not the private key's is refused.
    let mut der = der_of(&v2);
    *der.last_mut().unwrap() ^= 1;
    refusal(&pem_of("PRIVATE KEY", &der), Alg::EdDSA);
}
