//! The verifier, never the token, chooses the algorithm: `algorithms`, keys bound to one
//! algorithm, `none`, algorithm confusion, JWK `alg`/`use`/`key_ops`, key sets chosen from by
//! `kid`, and embedded keys (`jwk`, `jku`, `x5u`, `x5c`) that are never trusted.

mod common;

use common::*;
use edge_jwt::{
    sign, verify, verify_compact, Alg, ErrorCode, Key, KeySet, SignOptions, VerifyOptions,
};
use serde_json::{json, Map, Value};

fn alg_error(result: Result<impl std::fmt::Debug, edge_jwt::JwtError>) {
    let err = error(result);
    assert_eq!(
        (err.code(), err.claim()),
        (ErrorCode::JoseAlgNotAllowed, Some("alg")),
        "{err}"
    );
}

#[test]
fn token_alg_must_be_among_algorithms() {
    let token = raw_claims("{}");
    alg_error(verify(
        &token,
        &hs256_key(),
        &VerifyOptions::new([Alg::HS384, Alg::HS512]).at(NOW),
    ));
    alg_error(verify_compact(&token, &hs256_key(), &[Alg::RS256]));
    assert!(verify(
        &token,
        &hs256_key(),
        &VerifyOptions::new([Alg::HS512, Alg::HS256]).at(NOW)
    )
    .is_ok());
}

#[test]
fn key_bound_to_another_alg_is_refused() {
    let token = raw_claims("{}");
    let hs512 = Key::from_secret(&[SECRET, SECRET].concat(), Alg::HS512).unwrap();
    alg_error(verify(
        &token,
        &hs512,
        &VerifyOptions::new([Alg::HS256, Alg::HS512]).at(NOW),
    ));

    // The same RSA key bound to PS256 does not verify RS256, and the other way round.
    let rs256 = rsa_key(Alg::RS256);
    let ps256 = rsa_key(Alg::PS256);
    let rs_token = sign_at_now(json!({}), &rs256);
    let ps_token = sign_at_now(json!({}), &ps256);
    let both = VerifyOptions::new([Alg::RS256, Alg::PS256]).at(NOW);
    alg_error(verify(&rs_token, &ps256, &both));
    alg_error(verify(&ps_token, &rs256, &both));
    assert!(verify(&rs_token, &rs256, &both).is_ok());
    assert!(verify(&ps_token, &ps256, &both).is_ok());
}

#[test]
fn ecdsa_curves_do_not_mix() {
    let es256 = Key::generate(Alg::ES256).unwrap();
    let es256k = Key::generate(Alg::ES256K).unwrap();
    let token = sign_at_now(json!({}), &es256);
    alg_error(verify(
        &token,
        &es256k,
        &VerifyOptions::new([Alg::ES256, Alg::ES256K]).at(NOW),
    ));
}

#[test]
fn none_never_verifies_in_any_spelling() {
    for alg in ["none", "None", "NONE", "nOnE", "NoNe"] {
        for signature in ["", "AAAA"] {
            let token = format!(
                "{}.{}.{signature}",
                b64(format!(r#"{{"alg":"{alg}"}}"#)),
                b64(r#"{"sub":"admin"}"#)
            );
            let all = VerifyOptions::new(Alg::ALL).at(NOW);
            for key in [hs256_key(), Key::generate(Alg::EdDSA).unwrap()] {
                assert_eq!(
                    code(verify(&token, &key, &all)),
                    ErrorCode::JoseAlgNotAllowed,
                    "{alg}"
                );
                assert_eq!(
                    code(verify_compact(&token, &key, &Alg::ALL)),
                    ErrorCode::JoseAlgNotAllowed,
                    "{alg}"
                );
            }
            let mut set = KeySet::new();
            set.add(hs256_key());
            assert_eq!(
                code(verify(&token, &set, &all)),
                ErrorCode::JoseAlgNotAllowed,
                "{alg}"
            );
        }
    }
}

#[test]
fn none_cannot_be_an_algorithm() {
    assert_eq!(code("none".parse::<Alg>()), ErrorCode::JoseAlgNotAllowed);
    assert_eq!(code("NONE".parse::<Alg>()), ErrorCode::JoseAlgNotAllowed);
    assert_eq!(
        code("hs256".parse::<Alg>()),
        ErrorCode::JoseNotSupported,
        "names are case-sensitive"
    );
    assert_eq!(code("ES512".parse::<Alg>()), ErrorCode::JoseNotSupported);
}

#[test]
fn rfc_9864_ed25519_is_eddsa() {
    // jose 6 writes "alg":"Ed25519" (RFC 9864's fully-specified name) for Ed25519 keys.
    let key = Key::generate(Alg::EdDSA).unwrap();
    let input = format!(
        "{}.{}",
        b64(r#"{"alg":"Ed25519"}"#),
        b64(r#"{"sub":"ada"}"#)
    );
    let secret = ed25519_dalek::SigningKey::from_bytes(
        &unb64(key.to_jwk(true).unwrap()["d"].as_str().unwrap())
            .try_into()
            .unwrap(),
    );
    use ed25519_dalek::Signer;
    let token = format!("{input}.{}", b64(secret.sign(input.as_bytes()).to_bytes()));
    let verified = verify(&token, &key.public_key().unwrap(), &options(Alg::EdDSA)).unwrap();
    assert_eq!(verified.claims["sub"], "ada");
    // Allowed only where EdDSA is: an HS256 verifier still refuses it.
    assert_eq!(
        code(verify(&token, &hs256_key(), &options(Alg::HS256))),
        ErrorCode::JoseAlgNotAllowed
    );
}

#[test]
fn unsupported_token_alg() {
    for alg in ["ES512", "HS1", "RSA-OAEP", "hs256", "Ed448", ""] {
        let token = raw(&format!(r#"{{"alg":"{alg}"}}"#), "{}");
        assert_eq!(
            code(verify(&token, &hs256_key(), &options(Alg::HS256))),
            ErrorCode::JoseNotSupported,
            "{alg}"
        );
    }
}

#[test]
fn rsa_public_key_as_hmac_secret_is_refused() {
    // The classic confusion: an attacker HMACs a token with the server's public key bytes.
    let public = rsa_key(Alg::RS256).public_key().unwrap();
    let pem = public.to_pem(false).unwrap();
    let jwk_text = serde_json::to_string(&public.to_jwk(false).unwrap()).unwrap();
    let n = unb64(public.to_jwk(false).unwrap()["n"].as_str().unwrap());
    for secret in [
        pem.as_bytes(),
        pem.trim_end().as_bytes(),
        jwk_text.as_bytes(),
        &n[..],
    ] {
        let forged = hs256_raw(
            secret,
            br#"{"alg":"HS256","typ":"JWT"}"#,
            br#"{"sub":"admin"}"#,
        );
        alg_error(verify(
            &forged,
            &public,
            &VerifyOptions::new([Alg::RS256]).at(NOW),
        ));
        alg_error(verify(
            &forged,
            &public,
            &VerifyOptions::new([Alg::RS256, Alg::HS256]).at(NOW),
        ));
        alg_error(verify_compact(&forged, &public, &[Alg::RS256, Alg::HS256]));
        let mut set = KeySet::new();
        set.add(public.clone());
        let err = error(verify(
            &forged,
            &set,
            &VerifyOptions::new([Alg::RS256, Alg::HS256]).at(NOW),
        ));
        assert_eq!(err.code(), ErrorCode::JwksNoMatchingKey);
    }
}

#[test]
fn ec_public_key_as_hmac_secret_is_refused() {
    let public = Key::generate(Alg::ES256).unwrap().public_key().unwrap();
    let pem = public.to_pem(false).unwrap();
    let forged = hs256_raw(pem.as_bytes(), br#"{"alg":"HS256"}"#, b"{}");
    alg_error(verify(
        &forged,
        &public,
        &VerifyOptions::new([Alg::ES256, Alg::HS256]).at(NOW),
    ));
}

// --- JWK alg / use / key_ops ---

fn jwk_of(key: &Key, private: bool) -> Map<String, Value> {
    key.to_jwk(private).unwrap()
}

fn with(mut jwk: Map<String, Value>, name: &str, value: Value) -> Value {
    jwk.insert(name.into(), value);
    Value::Object(jwk)
}

#[test]
fn jwk_alg_binds_the_key() {
    let key = Key::generate(Alg::ES256).unwrap();
    let jwk = Value::Object(jwk_of(&key, false));
    assert_eq!(Key::from_jwk(&jwk).unwrap().alg(), Alg::ES256);
    assert_eq!(
        code(Key::from_jwk_with_alg(&jwk, Some(Alg::ES256K))),
        ErrorCode::JwkInvalid
    );

    let rsa = jwk_of(&rsa_key(Alg::RS256), false);
    let bound = Key::from_jwk(&Value::Object(rsa.clone())).unwrap();
    assert_eq!(bound.alg(), Alg::RS256);
    assert_eq!(
        code(Key::from_jwk_with_alg(
            &Value::Object(rsa.clone()),
            Some(Alg::PS256)
        )),
        ErrorCode::JwkInvalid
    );
    let ps_token = sign_at_now(json!({}), &rsa_key(Alg::PS256));
    alg_error(verify(
        &ps_token,
        &bound,
        &VerifyOptions::new([Alg::PS256, Alg::RS256]).at(NOW),
    ));
}

#[test]
fn jwk_alg_must_fit_the_key_type() {
    let ec = jwk_of(&Key::generate(Alg::ES256).unwrap(), false);
    for alg in ["ES256K", "ES384", "RS256", "HS256", "EdDSA"] {
        assert_eq!(
            code(Key::from_jwk(&with(ec.clone(), "alg", json!(alg)))),
            ErrorCode::JwkInvalid,
            "{alg}"
        );
    }
    let oct = json!({"kty": "oct", "k": b64(SECRET), "alg": "RS256"});
    assert_eq!(code(Key::from_jwk(&oct)), ErrorCode::JwkInvalid);
    let okp = jwk_of(&Key::generate(Alg::EdDSA).unwrap(), false);
    assert_eq!(
        code(Key::from_jwk(&with(okp, "alg", json!("ES256")))),
        ErrorCode::JwkInvalid
    );
}

#[test]
fn jwk_alg_none_or_unknown_is_refused() {
    let ec = jwk_of(&Key::generate(Alg::ES256).unwrap(), false);
    for alg in ["none", "ES512", "es256"] {
        assert_eq!(
            code(Key::from_jwk(&with(ec.clone(), "alg", json!(alg)))),
            ErrorCode::JoseNotSupported,
            "{alg}"
        );
    }
    assert_eq!(
        code(Key::from_jwk(&with(ec, "alg", json!(256)))),
        ErrorCode::JwkInvalid
    );
}

#[test]
fn oct_and_rsa_jwks_need_an_alg() {
    let oct = json!({"kty": "oct", "k": b64(SECRET)});
    let err = error(Key::from_jwk(&oct));
    assert_eq!(
        (err.code(), err.reason()),
        (ErrorCode::JwkInvalid, Some("alg_required"))
    );
    assert_eq!(
        Key::from_jwk_with_alg(&oct, Some(Alg::HS256))
            .unwrap()
            .alg(),
        Alg::HS256
    );
    let mut rsa = jwk_of(&rsa_key(Alg::RS256), false);
    rsa.remove("alg");
    assert_eq!(
        error(Key::from_jwk(&Value::Object(rsa))).reason(),
        Some("alg_required")
    );
}

#[test]
fn jwk_use_must_be_sig() {
    let jwk = jwk_of(&Key::generate(Alg::EdDSA).unwrap(), false);
    for key_use in ["enc", "SIG", ""] {
        let err = error(Key::from_jwk(&with(jwk.clone(), "use", json!(key_use))));
        assert_eq!(
            (err.code(), err.reason()),
            (ErrorCode::JwkInvalid, Some("use")),
            "{key_use}"
        );
    }
    assert!(Key::from_jwk(&with(jwk, "use", json!("sig"))).is_ok());
}

#[test]
fn jwk_key_ops_are_honoured() {
    let private = jwk_of(&Key::generate(Alg::EdDSA).unwrap(), true);
    let signer = Key::from_jwk(&with(private.clone(), "key_ops", json!(["sign"]))).unwrap();
    let verifier = Key::from_jwk(&with(private.clone(), "key_ops", json!(["verify"]))).unwrap();
    let token = sign_at_now(json!({"sub": "a"}), &signer);

    let err = error(verify(&token, &signer, &options(Alg::EdDSA)));
    assert_eq!(
        (err.code(), err.reason()),
        (ErrorCode::JwkInvalid, Some("key_ops"))
    );
    assert_eq!(
        verify(&token, &verifier, &options(Alg::EdDSA))
            .unwrap()
            .claims["sub"],
        "a"
    );
    assert_eq!(
        code(sign(&Map::new(), &verifier, &SignOptions::default())),
        ErrorCode::InvalidArgument
    );

    let both = Key::from_jwk(&with(
        private.clone(),
        "key_ops",
        json!(["sign", "verify", "deriveKey"]),
    ))
    .unwrap();
    assert!(verify(&sign_at_now(json!({}), &both), &both, &options(Alg::EdDSA)).is_ok());

    for ops in [json!(["encrypt", "decrypt"]), json!([]), json!(["wrapKey"])] {
        let err = error(Key::from_jwk(&with(
            private.clone(),
            "key_ops",
            ops.clone(),
        )));
        assert_eq!(
            (err.code(), err.reason()),
            (ErrorCode::JwkInvalid, Some("key_ops")),
            "{ops}"
        );
    }
    for ops in [json!("verify"), json!([1]), json!(null)] {
        assert_eq!(
            code(Key::from_jwk(&with(
                private.clone(),
                "key_ops",
                ops.clone()
            ))),
            ErrorCode::JwkInvalid,
            "{ops}"
        );
    }
}

#[test]
fn key_ops_survive_public_key() {
    let private = jwk_of(&Key::generate(Alg::ES256).unwrap(), true);
    let sign_only = Key::from_jwk(&with(private, "key_ops", json!(["sign"]))).unwrap();
    let token = sign_at_now(json!({}), &sign_only);
    let public = sign_only.public_key().unwrap();
    assert_eq!(
        error(verify(&token, &public, &options(Alg::ES256))).reason(),
        Some("key_ops")
    );
}

// --- key sets ---

fn es256(kid: &str) -> Key {
    Key::generate(Alg::ES256).unwrap().with_kid(kid)
}

fn set_of(keys: &[&Key]) -> KeySet {
    let mut set = KeySet::new();
    for key in keys {
        set.add(key.public_key().unwrap());
    }
    set
}

#[test]
fn key_set_selects_by_kid() {
    let (k1, k2) = (es256("k1"), es256("k2"));
    let set = set_of(&[&k1, &k2]);
    for key in [&k1, &k2] {
        let token = sign_at_now(json!({"by": key.kid()}), key);
        assert_eq!(
            verify(&token, &set, &options(Alg::ES256)).unwrap().claims["by"],
            key.kid()
        );
    }
    let stranger = sign_at_now(json!({}), &es256("k3"));
    assert_eq!(
        code(verify(&stranger, &set, &options(Alg::ES256))),
        ErrorCode::JwksNoMatchingKey
    );
    assert_eq!(
        code(verify_compact(&stranger, &set, &[Alg::ES256])),
        ErrorCode::JwksNoMatchingKey
    );
}

#[test]
fn key_set_kid_that_lies_fails_the_signature() {
    let (k1, k2) = (es256("k1"), es256("k2"));
    let set = set_of(&[&k1, &k2]);
    let options_kid = SignOptions {
        kid: Some("k1".into()),
        now: Some(NOW),
        ..Default::default()
    };
    let token = sign(&Map::new(), &k2, &options_kid).unwrap();
    assert_eq!(
        code(verify(&token, &set, &options(Alg::ES256))),
        ErrorCode::JwsSignatureVerificationFailed
    );
}

#[test]
fn key_set_matches_alg_as_well_as_kid() {
    let ed = Key::generate(Alg::EdDSA).unwrap().with_kid("shared");
    let ec = es256("shared");
    let set = set_of(&[&ed, &ec]);
    assert!(verify(&sign_at_now(json!({}), &ed), &set, &options(Alg::EdDSA)).is_ok());
    assert!(verify(&sign_at_now(json!({}), &ec), &set, &options(Alg::ES256)).is_ok());
    let es256k = Key::generate(Alg::ES256K).unwrap().with_kid("shared");
    let token = sign_at_now(json!({}), &es256k);
    assert_eq!(
        code(verify(&token, &set, &options(Alg::ES256K))),
        ErrorCode::JwksNoMatchingKey
    );
}

#[test]
fn key_set_without_kid() {
    let other = Key::from_secret(b"a-second-hs256-secret-32-bytes!!", Alg::HS256).unwrap();
    let no_kid = raw(r#"{"alg":"HS256"}"#, "{}");
    let mut two = KeySet::new();
    two.add(hs256_key());
    two.add(other.clone());
    assert_eq!(
        code(verify(&no_kid, &two, &options(Alg::HS256))),
        ErrorCode::JwksMultipleMatchingKeys
    );

    let mut one = KeySet::new();
    one.add(hs256_key());
    one.add(Key::generate(Alg::EdDSA).unwrap());
    assert!(
        verify(&no_kid, &one, &options(Alg::HS256)).is_ok(),
        "one key of the token's alg"
    );
    assert_eq!(
        code(verify(&no_kid, &KeySet::new(), &options(Alg::HS256))),
        ErrorCode::JwksNoMatchingKey
    );
}

#[test]
fn key_set_with_duplicate_kids() {
    let (a, b) = (es256("same"), es256("same"));
    let set = set_of(&[&a, &b]);
    let token = sign_at_now(json!({}), &a);
    assert_eq!(
        code(verify(&token, &set, &options(Alg::ES256))),
        ErrorCode::JwksMultipleMatchingKeys
    );
}

#[test]
fn key_set_skips_keys_that_cannot_verify() {
    let private = jwk_of(&es256("k1"), true);
    let sign_only = Key::from_jwk(&with(private, "key_ops", json!(["sign"]))).unwrap();
    let mut set = KeySet::new();
    set.add(sign_only.clone());
    let token = sign_at_now(json!({}), &sign_only);
    assert_eq!(
        code(verify(&token, &set, &options(Alg::ES256))),
        ErrorCode::JwksNoMatchingKey
    );
}

#[test]
fn jwks_round_trip_and_skipping() {
    let (k1, k2) = (
        es256("k1"),
        Key::generate(Alg::EdDSA).unwrap().with_kid("k2"),
    );
    let mut jwks = set_of(&[&k1, &k2]).to_jwks().unwrap();
    let keys = jwks["keys"].as_array_mut().unwrap();
    keys.push(json!({"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}));
    keys.push(json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}));
    keys.push(json!({"kty": "OKP", "crv": "X25519", "x": "AA"}));
    let set = KeySet::from_jwks(&jwks).unwrap();
    assert_eq!(set.len(), 2, "encryption and unsupported keys are skipped");
    assert!(verify(&sign_at_now(json!({}), &k2), &set, &options(Alg::EdDSA)).is_ok());

    let weak = json!({"kty": "oct", "alg": "HS256", "k": b64([1u8; 16])});
    // A set with nothing usable is an error that says why...
    let only_weak = json!({"keys": [weak.clone()]});
    assert_eq!(code(KeySet::from_jwks(&only_weak)), ErrorCode::JwkInvalid);
    // ...but one weak key beside good ones is left out, and the good ones still verify.
    let mut mixed = set_of(&[&k1, &k2]).to_jwks().unwrap();
    mixed["keys"].as_array_mut().unwrap().push(weak);
    let set = KeySet::from_jwks(&mixed).unwrap();
    assert_eq!(set.len(), 2, "the weak key is left out");
    assert!(verify(&sign_at_now(json!({}), &k2), &set, &options(Alg::EdDSA)).is_ok());
    assert_eq!(
        code(KeySet::from_jwks(&json!({"keys": {}}))),
        ErrorCode::JwkInvalid
    );
    assert_eq!(code(KeySet::from_jwks(&json!([]))), ErrorCode::JwkInvalid);
}

// --- embedded keys ---

#[test]
fn embedded_keys_are_never_trusted() {
    let victim = Key::generate(Alg::EdDSA).unwrap();
    let attacker = Key::generate(Alg::EdDSA).unwrap();
    let attacker_jwk = Value::Object(jwk_of(&attacker, false));
    let embedded = [
        ("jwk", attacker_jwk),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!([b64(b"not really a certificate")])),
    ];
    let mut victims = KeySet::new();
    victims.add(victim.public_key().unwrap());
    for (name, value) in embedded {
        let mut header = Map::new();
        header.insert(name.into(), value);
        let forged_options = SignOptions {
            header,
            kid: Some(victim.kid().into()),
            now: Some(NOW),
            ..Default::default()
        };
        let forged = sign(&Map::new(), &attacker, &forged_options).unwrap();
        let one = verify(&forged, &victim.public_key().unwrap(), &options(Alg::EdDSA));
        assert_eq!(
            code(one),
            ErrorCode::JwsSignatureVerificationFailed,
            "{name}"
        );
        assert_eq!(
            code(verify(&forged, &victims, &options(Alg::EdDSA))),
            ErrorCode::JwsSignatureVerificationFailed
        );
        assert_eq!(
            code(verify(&forged, &KeySet::new(), &options(Alg::EdDSA))),
            ErrorCode::JwksNoMatchingKey
        );
    }
}

#[test]
fn embedded_jwk_of_the_right_key_is_kept_as_data() {
    let key = Key::generate(Alg::EdDSA).unwrap();
    let mut header = Map::new();
    header.insert("jwk".into(), Value::Object(jwk_of(&key, false)));
    let token = sign(
        &Map::new(),
        &key,
        &SignOptions {
            header,
            now: Some(NOW),
            ..Default::default()
        },
    )
    .unwrap();
    let verified = verify(&token, &key, &options(Alg::EdDSA)).unwrap();
    assert_eq!(verified.header["jwk"]["x"], jwk_of(&key, false)["x"]);
}
