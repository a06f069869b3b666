//! Weak keys are refused when a key is made (RFC 8725 §3.5, RFC 7518 §3.2–3.3): HMAC secrets
//! shorter than the hash output, RSA moduli under 2048 bits or e = 1, small-order Ed25519 keys.

mod common;

use base64ct::Encoding;
use common::*;
use edge_jwt::{Alg, ErrorCode, JwtError, Key};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;

fn assert_weak(result: Result<Key, JwtError>, what: &str) {
    let err = error(result);
    assert_eq!(
        (err.code(), err.reason()),
        (ErrorCode::JwkInvalid, Some("weak_key")),
        "{what}: {err}"
    );
}

#[test]
fn hmac_secret_must_be_as_long_as_the_hash() {
    for (alg, min) in [(Alg::HS256, 32), (Alg::HS384, 48), (Alg::HS512, 64)] {
        assert_eq!(alg.hmac_min_key_len(), Some(min));
        assert_weak(Key::from_secret(&vec![7u8; min - 1], alg), alg.as_str());
        assert_weak(Key::from_secret(&[], alg), alg.as_str());
        assert_eq!(Key::from_secret(&vec![7u8; min], alg).unwrap().alg(), alg);
        assert_eq!(
            Key::from_secret(&vec![7u8; min + 1], alg).unwrap().alg(),
            alg
        );
    }
}

#[test]
fn hmac_jwk_must_be_as_long_as_the_hash() {
    for (alg, min) in [(Alg::HS256, 32), (Alg::HS384, 48), (Alg::HS512, 64)] {
        let short = json!({"kty": "oct", "alg": alg.as_str(), "k": b64(vec![7u8; min - 1])});
        assert_weak(Key::from_jwk(&short), alg.as_str());
        let enough = json!({"kty": "oct", "alg": alg.as_str(), "k": b64(vec![7u8; min])});
        assert_eq!(Key::from_jwk(&enough).unwrap().alg(), alg);
    }
    // A secret long enough for HS256 is too short for HS512.
    let k = json!({"kty": "oct", "k": b64(SECRET)});
    assert_weak(
        Key::from_jwk_with_alg(&k, Some(Alg::HS512)),
        "HS512 with 32 bytes",
    );
}

#[test]
fn weak_secret_errors_do_not_echo_the_secret() {
    let err = error(Key::from_secret(b"hunter2-hunter2", Alg::HS256));
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(err.message().contains("32 bytes"), "{err}");
}

#[test]
fn generated_hmac_keys_are_full_length() {
    for (alg, len) in [(Alg::HS256, 32), (Alg::HS384, 48), (Alg::HS512, 64)] {
        let jwk = Key::generate(alg).unwrap().to_jwk(true).unwrap();
        assert_eq!(unb64(jwk["k"].as_str().unwrap()).len(), len);
    }
}

#[test]
fn rsa_1024_pem_is_refused() {
    assert_weak(
        Key::from_pem(&vector("keys/rsa1024-pkcs1.pem"), Alg::RS256),
        "PKCS#1 private",
    );
    assert_weak(
        Key::from_pem(&vector("keys/rsa1024-spki.pem"), Alg::PS256),
        "SPKI",
    );
}

#[test]
fn rsa_1024_jwk_is_refused() {
    let public = rsa::RsaPublicKey::from_public_key_pem(&vector("keys/rsa1024-spki.pem")).unwrap();
    assert_eq!(public.n().bits(), 1024);
    let jwk = json!({"kty": "RSA", "alg": "RS256", "n": b64(public.n().to_bytes_be()), "e": b64(public.e().to_bytes_be())});
    assert_weak(Key::from_jwk(&jwk), "1024-bit JWK");
}

#[test]
fn rsa_modulus_boundary_is_2048_bits() {
    let public = rsa::RsaPublicKey::from_public_key_pem(&vector("keys/rsa2048-spki.pem")).unwrap();
    let n = public.n().to_bytes_be();
    assert_eq!(public.n().bits(), 2048);
    let jwk = |n: &[u8]| json!({"kty": "RSA", "alg": "RS256", "n": b64(n), "e": "AQAB"});
    assert_eq!(Key::from_jwk(&jwk(&n)).unwrap().alg(), Alg::RS256);
    // 2047 bits: clear the top bit of the real modulus.
    let mut short = n.clone();
    short[0] &= 0x7f;
    assert_weak(Key::from_jwk(&jwk(&short)), "2047-bit modulus");
    // Leading zero bytes do not make a modulus longer.
    let mut padded = vec![0u8; 4];
    padded.extend_from_slice(&short);
    assert_weak(Key::from_jwk(&jwk(&padded)), "zero-padded 2047-bit modulus");
}

#[test]
fn rsa_exponent_one_is_refused() {
    let public = rsa::RsaPublicKey::from_public_key_pem(&vector("keys/rsa2048-spki.pem")).unwrap();
    let n = b64(public.n().to_bytes_be());
    for e in ["AQ", "AAE", "AAAB"] {
        let jwk = json!({"kty": "RSA", "alg": "RS256", "n": n, "e": e});
        assert_weak(Key::from_jwk(&jwk), e);
    }
    let pem = pkcs1_public_pem(&public.n().to_bytes_be(), &[1]);
    assert_eq!(code(Key::from_pem(&pem, Alg::RS256)), ErrorCode::JwkInvalid);
    // The same encoding with e = 65537 is accepted, so the refusal above is about e.
    let pem = pkcs1_public_pem(&public.n().to_bytes_be(), &[1, 0, 1]);
    assert_eq!(Key::from_pem(&pem, Alg::RS256).unwrap().alg(), Alg::RS256);
}

/// DER of RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, as PEM.
fn pkcs1_public_pem(n: &[u8], e: &[u8]) -> String {
    fn length(len: usize) -> Vec<u8> {
        match len {
            0..=127 => vec![len as u8],
            128..=255 => vec![0x81, len as u8],
            _ => vec![0x82, (len >> 8) as u8, len as u8],
        }
    }
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let mut value = if bytes[0] & 0x80 != 0 {
            vec![0]
        } else {
            vec![]
        };
        value.extend_from_slice(bytes);
        [vec![0x02], length(value.len()), value].concat()
    }
    let body = [integer(n), integer(e)].concat();
    let der = [vec![0x30], length(body.len()), body].concat();
    pem_of("RSA PUBLIC KEY", &der)
}

/// Small-order points of edwards25519 (compressed): the identity, the point of order 2
/// (y = -1) and a point of order 4 (y = 0).
const SMALL_ORDER: [&str; 3] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
];

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn small_order_ed25519_jwk_is_refused() {
    for point in SMALL_ORDER {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(hex(point))});
        assert_weak(Key::from_jwk(&jwk), point);
    }
    let fine = Key::generate(Alg::EdDSA).unwrap().to_jwk(false).unwrap();
    assert_eq!(
        Key::from_jwk(&serde_json::Value::Object(fine))
            .unwrap()
            .alg(),
        Alg::EdDSA
    );
}

#[test]
fn small_order_ed25519_spki_is_refused() {
    // SPKI prefix for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
    let pem = |point: &[u8]| {
        let der = [hex("302a300506032b6570032100"), point.to_vec()].concat();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64ct::Base64::encode_string(&der)
        )
    };
    for point in SMALL_ORDER {
        assert_weak(Key::from_pem(&pem(&hex(point)), Alg::EdDSA), point);
    }
    let fine = Key::generate(Alg::EdDSA).unwrap();
    let x = unb64(fine.to_jwk(false).unwrap()["x"].as_str().unwrap());
    assert_eq!(
        Key::from_pem(&pem(&x), Alg::EdDSA).unwrap().kid(),
        fine.kid()
    );
}
