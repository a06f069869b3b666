//! Project Wycheproof signature and MAC vectors against [`verify_bytes`], the primitive under
//! every JWS algorithm. They sign raw messages, not JWS signing inputs, so they cannot go
//! through the public API; this in-crate test reaches the primitive without exposing it. The
//! data lives in `tests/vectors/wycheproof/` (provenance in its SOURCES.md).
//!
//! Every "valid" vector must verify and every "invalid" one must fail. "acceptable" vectors may
//! go either way; the outcome is pinned so that a change of behaviour is noticed.

use std::collections::BTreeMap;

use serde_json::Value;
use zeroize::Zeroizing;

use super::{verify_bytes, Alg};
use crate::keys::{Key, Material};

fn load(file: &str) -> Value {
    let path = format!(
        "{}/tests/vectors/wycheproof/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Outcome counts by (label, accepted), and the tcIds whose outcome was not the label's.
#[derive(Default, Debug)]
struct Tally {
    counts: BTreeMap<(String, bool), usize>,
    /// "valid" vectors refused.
    valid_refused: Vec<u64>,
    /// "invalid" vectors accepted.
    invalid_accepted: Vec<u64>,
    /// "acceptable" vectors accepted.
    acceptable_accepted: Vec<u64>,
    /// Tests run.
    total: usize,
}

/// Runs every test of the groups of `file` that `applies` selects, verifying with the material
/// `key_of` gives for the group and test (a test counts as refused when it gives `None`).
fn run(
    file: &str,
    alg: Alg,
    applies: impl Fn(&Value) -> bool,
    key_of: impl Fn(&Value, &Value) -> Option<Material>,
) -> Tally {
    let data = load(file);
    let mut tally = Tally::default();
    let mut total = 0;
    for group in data["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| applies(g))
    {
        for test in group["tests"].as_array().unwrap() {
            let material = key_of(group, test);
            let id = test["tcId"].as_u64().unwrap();
            let label = test["result"].as_str().unwrap().to_owned();
            let message = hex(test["msg"].as_str().unwrap());
            let signature = hex(test
                .get("sig")
                .or(test.get("tag"))
                .and_then(Value::as_str)
                .unwrap());
            let accepted = material
                .as_ref()
                .is_some_and(|m| verify_bytes(m, alg, &message, &signature));
            match (label.as_str(), accepted) {
                ("valid", false) => tally.valid_refused.push(id),
                ("invalid", true) => tally.invalid_accepted.push(id),
                ("acceptable", true) => tally.acceptable_accepted.push(id),
                _ => {}
            }
            *tally.counts.entry((label, accepted)).or_default() += 1;
            total += 1;
        }
    }
    tally.total = total;
    tally
}

/// The key of a group, through the public JWK import (weak keys are refused there).
fn jwk_key(member: &'static str) -> impl Fn(&Value, &Value) -> Option<Material> {
    move |group, _| {
        Key::from_jwk(&group[member])
            .ok()
            .map(|key| key.material().clone())
    }
}

/// Runs all of `file`.
fn run_all(file: &str, alg: Alg, key_of: impl Fn(&Value, &Value) -> Option<Material>) -> Tally {
    let tally = run(file, alg, |_| true, key_of);
    let expected = load(file)["numberOfTests"].as_u64().unwrap();
    assert_eq!(tally.total as u64, expected, "{file}");
    tally
}

fn count(tally: &Tally, label: &str, accepted: bool) -> usize {
    tally
        .counts
        .get(&(label.to_owned(), accepted))
        .copied()
        .unwrap_or(0)
}

/// Asserts the exact outcome: how many vectors of each label were accepted and refused.
fn assert_tally(
    tally: &Tally,
    valid: (usize, usize),
    invalid: (usize, usize),
    acceptable: (usize, usize),
) {
    let got = [
        (count(tally, "valid", true), count(tally, "valid", false)),
        (
            count(tally, "invalid", true),
            count(tally, "invalid", false),
        ),
        (
            count(tally, "acceptable", true),
            count(tally, "acceptable", false),
        ),
    ];
    assert_eq!(
        got,
        [valid, invalid, acceptable],
        "(accepted, refused) per label: {tally:?}"
    );
}

#[test]
fn ed25519() {
    let tally = run_all("ed25519_test.json", Alg::EdDSA, jwk_key("publicKeyJwk"));
    assert_tally(&tally, (88, 0), (0, 63), (0, 0));
}

/// An ECDSA group's key: its JWK, or (for the few groups without one) a JWK made from the
/// uncompressed point.
fn ec_key(crv: &'static str) -> impl Fn(&Value, &Value) -> Option<Material> {
    move |group, _| {
        let jwk = group.get("publicKeyJwk").cloned().unwrap_or_else(|| {
            let point = hex(group["publicKey"]["uncompressed"].as_str().unwrap());
            assert_eq!((point[0], point.len()), (4, 65));
            let b64 = crate::token::base64url::encode;
            serde_json::json!({"kty": "EC", "crv": crv, "x": b64(&point[1..33]), "y": b64(&point[33..])})
        });
        Key::from_jwk(&jwk).ok().map(|key| key.material().clone())
    }
}

#[test]
fn ecdsa_p256_p1363() {
    let tally = run_all(
        "ecdsa_secp256r1_sha256_p1363_test.json",
        Alg::ES256,
        ec_key("P-256"),
    );
    assert_tally(&tally, (173, 0), (0, 89), (0, 0));
}

#[test]
fn ecdsa_secp256k1_p1363() {
    let tally = run_all(
        "ecdsa_secp256k1_sha256_p1363_test.json",
        Alg::ES256K,
        ec_key("secp256k1"),
    );
    assert_tally(&tally, (167, 0), (0, 85), (0, 0));
}

#[test]
fn rsa_pkcs1_2048_sha256() {
    let tally = run_all(
        "rsa_signature_2048_sha256_test.json",
        Alg::RS256,
        jwk_key("keyJwk"),
    );
    // The one "acceptable" vector, tcId 8 (DigestInfo without the NULL parameter), is refused:
    // stricter than the label, as RFC 8017 §9.2 encodes the NULL.
    assert!(tally.acceptable_accepted.is_empty());
    assert_tally(&tally, (9, 0), (0, 249), (0, 1));
}

#[test]
fn rsa_pss_2048_sha256_mgf1_32() {
    let tally = run_all(
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        Alg::PS256,
        jwk_key("publicKeyJwk"),
    );
    assert_tally(&tally, (63, 0), (0, 45), (0, 0));
}

/// The HMAC key of a test (each test of the HMAC file has its own).
fn hmac_key(_: &Value, test: &Value) -> Option<Material> {
    let key = hex(test["key"].as_str().unwrap());
    Some(Material::Hmac(Zeroizing::new(key)))
}

#[test]
fn hmac_sha256_full_length_tags() {
    // Truncated tags do not exist in JWS (RFC 7518 §3.2: HS256 compares all 256 bits), so only
    // the groups with 256-bit tags apply. The primitive is checked with every key size of the
    // file, including the 128-bit keys that `Key::from_secret` refuses as weak.
    let full = |group: &Value| group["tagSize"] == 256;
    let tally = run("hmac_sha256_test.json", Alg::HS256, full, hmac_key);
    assert_eq!(tally.total, 81 + 3 + 3);
    assert_tally(&tally, (33, 0), (0, 54), (0, 0));
}

#[test]
fn hmac_sha256_truncated_tags_are_refused() {
    // Even a correct 128-bit prefix of the MAC must not pass for HS256.
    let truncated = |group: &Value| group["tagSize"] == 128;
    let tally = run("hmac_sha256_test.json", Alg::HS256, truncated, hmac_key);
    assert_eq!(tally.total, 81 + 3 + 3);
    assert_eq!(
        tally.valid_refused.len(),
        33,
        "every correct truncated tag is refused"
    );
    assert_tally(&tally, (0, 33), (0, 54), (0, 0));
}
