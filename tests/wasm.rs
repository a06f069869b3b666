//! The Rust API compiled to wasm32 and run in Node: the JS clock (`Date.now()`), the JS CSPRNG
//! (`crypto.getRandomValues`) behind key generation and `jti`, every algorithm, and the strict
//! rules, in the environment the package ships to. Run by `scripts/test-wasm.sh`; the raw JS
//! bindings are tested by `src/wasm/tests.rs` in the same run.

#![cfg(target_arch = "wasm32")]

use edge_jwt::{
    decode, inspect, now, sign, verify, Alg, ErrorCode, Jti, Key, KeyFamily, SignOptions,
    VerifyOptions,
};
use serde_json::{json, Map, Value};
use wasm_bindgen_test::wasm_bindgen_test;

const RSA_PKCS8: &str = include_str!("vectors/keys/rsa2048-pkcs8.pem");

fn claims(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn key_for(alg: Alg) -> Key {
    match alg.family() {
        // RSA key generation in an unoptimised wasm build takes far too long.
        KeyFamily::Rsa => Key::from_pem(RSA_PKCS8, alg).unwrap(),
        _ => Key::generate(alg).unwrap(),
    }
}

#[wasm_bindgen_test]
fn clock_is_date_now_in_seconds() {
    let js = js_sys::Date::now() / 1000.0;
    let rust = now();
    assert!((rust - js).abs() < 5.0, "{rust} vs {js}");
    assert!(
        rust > 1.7e9 && rust < 1e11,
        "seconds, not milliseconds: {rust}"
    );
}

#[wasm_bindgen_test]
fn every_alg_signs_and_verifies() {
    for alg in Alg::ALL {
        let key = key_for(alg);
        let options = SignOptions {
            expires_in: Some(60.0),
            ..Default::default()
        };
        let token = sign(
            &claims(json!({"alg": alg.as_str(), "é": "東京 😀"})),
            &key,
            &options,
        )
        .unwrap();
        let verifier = if alg.is_asymmetric() {
            key.public_key().unwrap()
        } else {
            key.clone()
        };
        let verified = verify(&token, &verifier, &VerifyOptions::new([alg])).unwrap();
        assert_eq!(verified.claims["alg"], alg.as_str());
        assert_eq!(verified.claims["é"], "東京 😀");
        let mut forged: Vec<char> = token.chars().collect();
        let middle = token.find('.').unwrap() + 2;
        forged[middle] = if forged[middle] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        assert!(
            verify(&forged, &verifier, &VerifyOptions::new([alg])).is_err(),
            "{alg}"
        );
    }
}

#[wasm_bindgen_test]
fn generated_keys_and_ids_are_random() {
    let a = Key::generate(Alg::HS256).unwrap();
    let b = Key::generate(Alg::HS256).unwrap();
    assert_ne!(a.kid(), b.kid());
    let options = SignOptions {
        jti: Some(Jti::Random),
        now: Some(1_700_000_000.0),
        ..Default::default()
    };
    let one = decode(&sign(&Map::new(), &a, &options).unwrap())
        .unwrap()
        .claims["jti"]
        .clone();
    let two = decode(&sign(&Map::new(), &a, &options).unwrap())
        .unwrap()
        .claims["jti"]
        .clone();
    assert_ne!(one, two);
    assert_eq!(one.as_str().unwrap().len(), 22, "128 bits, base64url");
}

#[wasm_bindgen_test]
fn strict_rules_hold_in_wasm() {
    let key = Key::from_secret(b"a-wasm-test-secret-of-32-bytes!!", Alg::HS256).unwrap();
    let options = SignOptions {
        expires_in: Some(60.0),
        now: Some(1_000_000.0),
        ..Default::default()
    };
    let token = sign(&Map::new(), &key, &options).unwrap();
    let at = |now| VerifyOptions::new([Alg::HS256]).at(now);
    assert!(verify(&token, &key, &at(1_000_059.0)).is_ok());
    assert_eq!(
        verify(&token, &key, &at(1_000_060.0)).unwrap_err().code(),
        ErrorCode::JwtExpired
    );
    assert_eq!(
        verify(&token, &key, &at(1.7e12)).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    let none = "eyJhbGciOiJub25lIn0.e30.";
    assert_eq!(
        verify(none, &key, &VerifyOptions::new(Alg::ALL))
            .unwrap_err()
            .code(),
        ErrorCode::JoseAlgNotAllowed
    );
    assert_eq!(
        decode(&format!("{token}=")).unwrap_err().code(),
        ErrorCode::JwsInvalid
    );
    assert!(inspect(&token, Some(1_000_060.0)).unwrap().expired);
    assert_eq!(
        Key::from_secret(&[1; 31], Alg::HS256).unwrap_err().code(),
        ErrorCode::JwkInvalid
    );
}
