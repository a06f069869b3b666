//! Keys: generate / to_jwk / from_jwk / to_pem / from_pem round trips for every algorithm (sign
//! with the private key, verify with the public one), the PEM forms (SPKI, PKCS#8, PKCS#1,
//! SEC1), and `Debug` output that never shows secret material.

mod common;

use common::*;
use edge_jwt::{
    sign, verify, Alg, ErrorCode, GenerateOptions, Key, KeySet, SignOptions, VerifyOptions,
};
use serde_json::{json, Map, Value};

/// A private key for `alg`: generated, except RSA, which comes from the committed fixture
/// (generating 2048-bit keys in a debug build takes seconds each).
fn private_key(alg: Alg) -> Key {
    if alg.family() == edge_jwt::KeyFamily::Rsa {
        rsa_key(alg)
    } else {
        Key::generate(alg).unwrap()
    }
}

/// The verifying half: the public key, or the secret itself for HMAC.
fn verifying_half(key: &Key) -> Key {
    if alg_is_hmac(key.alg()) {
        key.clone()
    } else {
        key.public_key().unwrap()
    }
}

fn alg_is_hmac(alg: Alg) -> bool {
    !alg.is_asymmetric()
}

/// Signs with `signer` and checks that `verifier` accepts it and a stranger's key does not.
fn assert_pair(signer: &Key, verifier: &Key) {
    let alg = signer.alg();
    let token = sign_at_now(json!({"alg": alg.as_str()}), signer);
    let verified = verify(&token, verifier, &options(alg)).unwrap_or_else(|e| panic!("{alg}: {e}"));
    assert_eq!(verified.claims["alg"], alg.as_str());
    assert_eq!(verified.header["kid"], signer.kid());
    let stranger = verifying_half(&private_key_other(alg));
    assert_eq!(
        code(verify(&token, &stranger, &options(alg))),
        ErrorCode::JwsSignatureVerificationFailed,
        "{alg}"
    );
}

/// Another key for `alg` than [`private_key`] gives.
fn private_key_other(alg: Alg) -> Key {
    if alg.family() == edge_jwt::KeyFamily::Rsa {
        Key::from_pem(&vector("keys/rsa2048-other-pkcs8.pem"), alg).unwrap()
    } else {
        Key::generate(alg).unwrap()
    }
}

#[test]
fn generate_sign_verify_every_alg() {
    for alg in Alg::ALL {
        let key = private_key(alg);
        assert_eq!(key.alg(), alg);
        assert!(key.is_private());
        assert_eq!(
            key.kid(),
            key.thumbprint(),
            "kid defaults to the RFC 7638 thumbprint"
        );
        assert_eq!(key.kid().len(), 43);
        assert_pair(&key, &verifying_half(&key));
    }
}

#[test]
fn generate_rsa_once() {
    let key = Key::generate(Alg::PS256).unwrap();
    let jwk = key.to_jwk(false).unwrap();
    assert_eq!(unb64(jwk["n"].as_str().unwrap()).len(), 256);
    assert_eq!(jwk["e"], "AQAB");
    assert_pair(&key, &key.public_key().unwrap());
    let small = GenerateOptions {
        modulus_bits: Some(1024),
        ..Default::default()
    };
    assert_eq!(
        code(Key::generate_with(Alg::RS256, &small)),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn generate_with_kid() {
    let options = GenerateOptions {
        kid: Some("2026-01".into()),
        ..Default::default()
    };
    let key = Key::generate_with(Alg::EdDSA, &options).unwrap();
    assert_eq!(key.kid(), "2026-01");
    assert_ne!(key.thumbprint(), "2026-01");
    assert_eq!(key.public_key().unwrap().kid(), "2026-01");
}

#[test]
fn jwk_round_trip_every_alg() {
    for alg in Alg::ALL {
        let key = private_key(alg);
        let private_jwk = Value::Object(key.to_jwk(true).unwrap());
        assert_eq!(private_jwk["alg"], alg.as_str());
        assert_eq!(private_jwk["use"], "sig");
        assert_eq!(private_jwk["kid"], key.kid());
        let imported = Key::from_jwk(&private_jwk).unwrap();
        assert_eq!((imported.alg(), imported.kid()), (alg, key.kid()));
        assert_eq!(
            Value::Object(imported.to_jwk(true).unwrap()),
            private_jwk,
            "{alg}: stable export"
        );
        // Signed by the imported private key, verified by the original's public half...
        assert_pair(&imported, &verifying_half(&key));
        if alg.is_asymmetric() {
            // ...and the other way round, through the public JWK.
            let public_jwk = Value::Object(key.to_jwk(false).unwrap());
            assert!(
                public_jwk.get("d").is_none() && public_jwk.get("p").is_none(),
                "{alg}"
            );
            let public = Key::from_jwk(&public_jwk).unwrap();
            assert!(!public.is_private());
            assert_eq!(public.kid(), key.kid());
            assert_pair(&key, &public);
        }
    }
}

#[test]
fn pem_round_trip_every_asymmetric_alg() {
    for alg in Alg::ALL.into_iter().filter(|alg| alg.is_asymmetric()) {
        let key = private_key(alg);
        let private_pem = key.to_pem(true).unwrap();
        let public_pem = key.to_pem(false).unwrap();
        assert!(
            private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
            "{alg}"
        );
        assert!(
            public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{alg}"
        );
        let private = Key::from_pem(&private_pem, alg).unwrap();
        let public = Key::from_pem(&public_pem, alg).unwrap();
        assert_eq!((private.kid(), public.kid()), (key.kid(), key.kid()));
        assert!(private.is_private() && !public.is_private());
        assert_pair(&private, &public);
        assert_pair(&key, &public);
    }
}

#[test]
fn hmac_has_no_public_or_pem_form() {
    let key = hs256_key();
    assert_eq!(code(key.public_key()), ErrorCode::InvalidArgument);
    assert_eq!(code(key.to_jwk(false)), ErrorCode::InvalidArgument);
    assert_eq!(code(key.to_pem(true)), ErrorCode::InvalidArgument);
    assert_eq!(
        code(Key::from_pem(&vector("keys/rsa2048-spki.pem"), Alg::HS256)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(Key::from_secret(&SECRET, Alg::ES256)),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn public_keys_cannot_sign_or_export_private_parts() {
    let public = Key::generate(Alg::ES384).unwrap().public_key().unwrap();
    assert_eq!(
        code(sign(&Map::new(), &public, &SignOptions::default())),
        ErrorCode::InvalidArgument
    );
    assert_eq!(code(public.to_jwk(true)), ErrorCode::InvalidArgument);
    assert_eq!(code(public.to_pem(true)), ErrorCode::InvalidArgument);
}

// --- PEM forms of one RSA key ---

#[test]
fn rsa_pem_forms_are_one_key() {
    let forms = [
        "rsa2048-pkcs1.pem",
        "rsa2048-pkcs1-public.pem",
        "rsa2048-spki.pem",
        "rsa2048-pkcs8.pem",
    ];
    let keys: Vec<Key> = forms
        .iter()
        .map(|f| Key::from_pem(&vector(&format!("keys/{f}")), Alg::RS256).unwrap())
        .collect();
    for (form, key) in forms.iter().zip(&keys) {
        assert_eq!(key.kid(), keys[0].kid(), "{form}");
        assert_eq!(
            key.is_private(),
            !form.contains("public") && !form.contains("spki"),
            "{form}"
        );
    }
    let pkcs1 = &keys[0];
    for public in &keys[1..3] {
        assert_pair(pkcs1, public);
    }
    assert_pair(&keys[3], &keys[1]);
}

#[test]
fn pkcs1_private_key_exports_as_pkcs8() {
    let pkcs1 = Key::from_pem(&vector("keys/rsa2048-pkcs1.pem"), Alg::PS384).unwrap();
    let pkcs8 = pkcs1.to_pem(true).unwrap();
    assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_eq!(
        Key::from_pem(&pkcs8, Alg::PS384).unwrap().kid(),
        pkcs1.kid()
    );
}

#[test]
fn openssl_signed_token_verifies_with_every_public_form() {
    let token = vector("keys/rsa2048-openssl-rs256.jwt");
    let token = token.trim_end();
    for form in [
        "rsa2048-pkcs1-public.pem",
        "rsa2048-spki.pem",
        "rsa2048-pkcs1.pem",
    ] {
        let key = Key::from_pem(&vector(&format!("keys/{form}")), Alg::RS256).unwrap();
        let verified = verify(token, &key, &options(Alg::RS256)).unwrap();
        assert_eq!(verified.claims["sub"], "openssl", "{form}");
        let ps = Key::from_pem(&vector(&format!("keys/{form}")), Alg::PS256).unwrap();
        assert_eq!(
            code(verify(token, &ps, &options(Alg::RS256))),
            ErrorCode::JoseAlgNotAllowed
        );
    }
}

#[test]
fn sec1_ec_private_key() {
    let key = Key::from_pem(&vector("keys/p256-sec1.pem"), Alg::ES256).unwrap();
    assert!(key.is_private());
    assert_pair(&key, &key.public_key().unwrap());
    assert_eq!(
        code(Key::from_pem(&vector("keys/p256-sec1.pem"), Alg::ES384)),
        ErrorCode::JwkInvalid
    );
    assert_eq!(
        code(Key::from_pem(&vector("keys/p256-sec1.pem"), Alg::ES256K)),
        ErrorCode::JwkInvalid
    );
}

#[test]
fn pem_must_fit_the_alg() {
    let ec = Key::generate(Alg::ES256).unwrap().to_pem(false).unwrap();
    let ed = Key::generate(Alg::EdDSA).unwrap().to_pem(true).unwrap();
    for (pem, alg) in [
        (&ec, Alg::ES384),
        (&ec, Alg::RS256),
        (&ec, Alg::EdDSA),
        (&ed, Alg::ES256),
    ] {
        assert_eq!(
            code(Key::from_pem(pem, alg)),
            ErrorCode::JwkInvalid,
            "{alg}"
        );
    }
    let rsa = vector("keys/rsa2048-spki.pem");
    assert_eq!(code(Key::from_pem(&rsa, Alg::ES256)), ErrorCode::JwkInvalid);
    assert_eq!(
        code(Key::from_pem(
            &vector("keys/rsa2048-pkcs1-public.pem"),
            Alg::EdDSA
        )),
        ErrorCode::JwkInvalid
    );
}

#[test]
fn malformed_pem_is_refused() {
    let spki = vector("keys/rsa2048-spki.pem");
    let broken = spki.replacen("MII", "MIX", 1);
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    for pem in [
        "",
        "not a pem",
        broken.as_str(),
        encrypted,
        certificate,
        &spki[..spki.len() / 2],
    ] {
        assert_eq!(
            code(Key::from_pem(pem, Alg::RS256)),
            ErrorCode::JwkInvalid,
            "{pem:?}"
        );
    }
}

#[test]
fn private_jwk_must_match_its_public_part() {
    for alg in [Alg::EdDSA, Alg::ES256, Alg::ES384, Alg::ES256K] {
        let mut jwk = Key::generate(alg).unwrap().to_jwk(true).unwrap();
        let other = Key::generate(alg).unwrap().to_jwk(true).unwrap();
        jwk.insert("d".into(), other["d"].clone());
        assert_eq!(
            code(Key::from_jwk(&Value::Object(jwk))),
            ErrorCode::JwkInvalid,
            "{alg}"
        );
    }
    let mut rsa = rsa_key(Alg::RS256).to_jwk(true).unwrap();
    let other = private_key_other(Alg::RS256).to_jwk(true).unwrap();
    rsa.insert("d".into(), other["d"].clone());
    assert_eq!(
        code(Key::from_jwk(&Value::Object(rsa))),
        ErrorCode::JwkInvalid
    );
}

#[test]
fn malformed_jwks_are_refused() {
    let ec = Key::generate(Alg::ES256).unwrap().to_jwk(false).unwrap();
    let with = |name: &str, value: Value| {
        let mut jwk = ec.clone();
        jwk.insert(name.into(), value);
        Value::Object(jwk)
    };
    let cases = [
        (json!([]), ErrorCode::JwkInvalid),
        (json!("jwk"), ErrorCode::JwkInvalid),
        (json!({}), ErrorCode::JwkInvalid),
        (json!({"kty": 1}), ErrorCode::JwkInvalid),
        (json!({"kty": "oct", "alg": "HS256"}), ErrorCode::JwkInvalid),
        (
            json!({"kty": "oct", "alg": "HS256", "k": "not base64!"}),
            ErrorCode::JwkInvalid,
        ),
        (
            json!({"kty": "oct", "alg": "HS256", "k": format!("{}=", b64(SECRET))}),
            ErrorCode::JwkInvalid,
        ),
        (json!({"kty": "DSA"}), ErrorCode::JoseNotSupported),
        (
            json!({"kty": "OKP", "crv": "X25519", "x": b64([9u8; 32])}),
            ErrorCode::JoseNotSupported,
        ),
        (
            json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}),
            ErrorCode::JoseNotSupported,
        ),
        (with("x", json!(b64([1u8; 31]))), ErrorCode::JwkInvalid),
        (with("y", json!(b64([1u8; 32]))), ErrorCode::JwkInvalid),
        (with("crv", json!("P-384")), ErrorCode::JwkInvalid),
        (with("kid", json!(7)), ErrorCode::JwkInvalid),
    ];
    for (jwk, expected) in cases {
        assert_eq!(code(Key::from_jwk(&jwk)), expected, "{jwk}");
    }
}

#[test]
fn jwk_kid_is_kept_and_thumbprint_is_not_affected() {
    let key = Key::generate(Alg::ES256K).unwrap();
    let mut jwk = key.to_jwk(false).unwrap();
    jwk.insert("kid".into(), json!("mine"));
    jwk.insert("x5t".into(), json!("ignored"));
    let imported = Key::from_jwk(&Value::Object(jwk)).unwrap();
    assert_eq!(imported.kid(), "mine");
    assert_eq!(imported.thumbprint(), key.thumbprint());
}

#[test]
fn jwks_export_leaves_out_secrets() {
    let mut set = KeySet::new();
    for alg in Alg::ALL {
        set.add(private_key(alg));
    }
    let jwks = set.to_jwks().unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 10, "13 algorithms minus 3 HMAC");
    for jwk in keys {
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(jwk.get(secret).is_none(), "{jwk}");
        }
    }
    assert_eq!(KeySet::from_jwks(&jwks).unwrap().len(), 10);
}

// --- Debug never shows secrets ---

/// Every rendering of the secret parts of `key` that could leak through `Debug`.
fn secret_renderings(key: &Key) -> Vec<String> {
    let jwk = key.to_jwk(true).unwrap();
    let mut out = Vec::new();
    for name in ["d", "p", "q", "dp", "dq", "qi", "k"] {
        if let Some(text) = jwk.get(name).and_then(Value::as_str) {
            let bytes = unb64(text);
            out.push(text.to_owned());
            out.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
            out.push(bytes.iter().map(|b| format!("{b:02X}")).collect());
            out.push(
                format!("{:?}", &bytes[..8])
                    .trim_end_matches(']')
                    .to_owned(),
            );
            out.push(bytes.iter().take(8).map(|b| format!("{b}, ")).collect());
        }
    }
    if key.alg().is_asymmetric() {
        let pem = key.to_pem(true).unwrap();
        out.push(pem.lines().nth(2).unwrap().to_owned());
    }
    out
}

#[test]
fn debug_never_shows_secret_material() {
    let mut set = KeySet::new();
    for alg in Alg::ALL {
        let key = private_key(alg);
        set.add(key.clone());
        let debug = format!("{key:?} {key:#?}");
        assert!(debug.contains(alg.as_str()), "{debug}");
        for secret in secret_renderings(&key) {
            assert!(!debug.contains(&secret), "{alg}: Debug shows {secret}");
        }
    }
    let set_debug = format!("{set:?} {set:#?}");
    for key in set.keys() {
        for secret in secret_renderings(key) {
            assert!(!set_debug.contains(&secret), "KeySet Debug shows {secret}");
        }
    }
}

#[test]
fn debug_of_a_known_secret() {
    let key = Key::from_secret(b"correct horse battery staple!!!!", Alg::HS256).unwrap();
    let debug = format!("{key:?}");
    for leak in ["correct", "horse", "99, 111, 114", "636f7272", "Y29ycmVjd"] {
        assert!(!debug.contains(leak), "{debug}");
    }
}

#[test]
fn a_token_whose_jwks_key_was_left_out_is_told_why() {
    // A provider's set with an RSA key without "alg" (it could serve RS256 or PS256) beside a
    // usable EC key: the RSA key is left out, and a token it signed says so, with the fix.
    let rsa = rsa_key(Alg::RS256);
    let mut rsa_jwk = rsa.public_key().unwrap().to_jwk(false).unwrap();
    rsa_jwk.remove("alg");
    rsa_jwk.insert("kid".into(), "rsa-1".into());
    let ec = Key::generate(Alg::ES256).unwrap();
    let ec_jwk = ec.public_key().unwrap().to_jwk(false).unwrap();
    let jwks = serde_json::json!({ "keys": [rsa_jwk, ec_jwk] });
    let set = KeySet::from_jwks(&jwks).unwrap();
    assert_eq!(set.len(), 1);
    let token = sign(
        serde_json::json!({ "sub": "ada" }).as_object().unwrap(),
        &rsa,
        &SignOptions {
            kid: Some("rsa-1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let error = verify(&token, &set, &VerifyOptions::new([Alg::RS256])).unwrap_err();
    assert_eq!(error.code(), ErrorCode::JwksNoMatchingKey);
    assert!(
        error.message().contains("\"rsa-1\" was left out") && error.message().contains("alg"),
        "{}",
        error.message()
    );
    // With the alg given, the same set verifies it.
    let bound = KeySet::from_jwks_with_alg(&jwks, Some(Alg::RS256)).unwrap();
    verify(&token, &bound, &VerifyOptions::new([Alg::RS256])).unwrap();
}
