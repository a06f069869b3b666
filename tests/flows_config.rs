//! `Auth` configuration: every field is validated up front and a bad one is named in the
//! error's `claim` (the JavaScript option name).

mod flows_support;

use edge_jwt::{Alg, Auth, AuthConfig, ErrorCode, Key};
use flows_support::*;

fn refused(edit: impl FnOnce(&mut AuthConfig), field: &str) {
    let mut config = config();
    edit(&mut config);
    let error = err(Auth::new(config));
    assert_eq!(error.code(), ErrorCode::InvalidArgument, "{field}: {error}");
    assert_eq!(error.claim(), Some(field), "{error}");
}

fn accepted(edit: impl FnOnce(&mut AuthConfig)) {
    let mut config = config();
    edit(&mut config);
    Auth::new(config).unwrap();
}

#[test]
fn the_defaults_are_valid() {
    let auth = Auth::new(config()).unwrap();
    let c = auth.config();
    assert_eq!(
        (c.access_ttl, c.refresh_ttl, c.session_max_age),
        (900.0, 2_592_000.0, 7_776_000.0)
    );
    assert_eq!(
        (c.magic_link_ttl, c.otp_ttl, c.two_factor_ttl),
        (900.0, 300.0, 300.0)
    );
    assert_eq!((c.otp_digits, c.otp_max_attempts), (6, 5));
    assert_eq!((c.refresh_reuse_grace, c.leeway), (10.0, 0.0));
    // The secret never shows in Debug output.
    assert!(!format!("{auth:?}").contains("flows-test-secret"));
}

#[test]
fn issuer_and_audience_are_required() {
    refused(|c| c.issuer = String::new(), "issuer");
    refused(|c| c.issuer = "  ".into(), "issuer");
    refused(|c| c.audience = String::new(), "audience");
}

#[test]
fn secrets_need_32_bytes() {
    refused(|c| c.secret = vec![7; 31], "secret");
    refused(|c| c.secret = Vec::new(), "secret");
    accepted(|c| c.secret = vec![7; 32]);
    refused(
        |c| c.previous_secrets = vec![vec![1; 32], vec![2; 16]],
        "previousSecrets",
    );
    accepted(|c| c.previous_secrets = vec![vec![1; 32], vec![2; 64]]);
}

#[test]
fn the_signing_key_must_be_a_private_eddsa_or_es256_key() {
    for alg in [Alg::EdDSA, Alg::ES256] {
        accepted(|c| c.signing_key = Some(Key::generate(alg).unwrap()));
        let public = Key::generate(alg).unwrap().public_key().unwrap();
        refused(|c| c.signing_key = Some(public), "signingKey");
    }
    for alg in [Alg::HS256, Alg::ES384, Alg::ES256K] {
        refused(
            |c| c.signing_key = Some(Key::generate(alg).unwrap()),
            "signingKey",
        );
    }
    let rsa = Key::from_pem(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/keys/rsa2048-pkcs8.pem"
        ))
        .unwrap(),
        Alg::RS256,
    )
    .unwrap();
    refused(|c| c.signing_key = Some(rsa), "signingKey");
}

#[test]
fn lifetimes_are_bounded_and_named() {
    type Slot = fn(&mut AuthConfig) -> &mut f64;
    let fields: [(&str, Slot, f64); 6] = [
        ("accessTtl", |c| &mut c.access_ttl, 86_400.0),
        ("refreshTtl", |c| &mut c.refresh_ttl, 365.0 * 86_400.0),
        (
            "sessionMaxAge",
            |c| &mut c.session_max_age,
            5.0 * 365.0 * 86_400.0,
        ),
        ("magicLinkTtl", |c| &mut c.magic_link_ttl, 86_400.0),
        ("otpTtl", |c| &mut c.otp_ttl, 86_400.0),
        ("twoFactorTtl", |c| &mut c.two_factor_ttl, 86_400.0),
    ];
    for (name, slot, max) in fields {
        for bad in [0.0, 0.5, -1.0, f64::NAN, f64::INFINITY, max + 1.0] {
            refused(
                |c| {
                    // Keep refreshTtl <= sessionMaxAge so only this field is wrong.
                    c.session_max_age = 5.0 * 365.0 * 86_400.0;
                    c.refresh_ttl = 1.0;
                    *slot(c) = bad;
                },
                name,
            );
        }
        accepted(|c| {
            c.session_max_age = 5.0 * 365.0 * 86_400.0;
            c.refresh_ttl = 1.0;
            *slot(c) = 1.0;
        });
        accepted(|c| {
            c.session_max_age = 5.0 * 365.0 * 86_400.0;
            c.refresh_ttl = 1.0;
            *slot(c) = max;
        });
    }
}

#[test]
fn the_refresh_lifetime_cannot_exceed_the_session_lifetime() {
    refused(
        |c| {
            c.refresh_ttl = 7200.0;
            c.session_max_age = 3600.0;
        },
        "refreshTtl",
    );
    accepted(|c| {
        c.refresh_ttl = 3600.0;
        c.session_max_age = 3600.0;
    });
}

#[test]
fn code_settings_are_bounded_and_named() {
    for bad in [0, 3, 11, 100] {
        refused(|c| c.otp_digits = bad, "otpDigits");
    }
    for good in [4, 10] {
        accepted(|c| c.otp_digits = good);
    }
    for bad in [0, 101] {
        refused(|c| c.otp_max_attempts = bad, "otpMaxAttempts");
    }
    for good in [1, 100] {
        accepted(|c| c.otp_max_attempts = good);
    }
}

#[test]
fn grace_and_leeway_are_bounded_and_named() {
    for bad in [-1.0, 301.0, f64::NAN, f64::INFINITY] {
        refused(|c| c.refresh_reuse_grace = bad, "refreshReuseGrace");
        refused(|c| c.leeway = bad, "leeway");
    }
    for good in [0.0, 300.0] {
        accepted(|c| c.refresh_reuse_grace = good);
        accepted(|c| c.leeway = good);
    }
}

#[test]
fn a_signing_key_whose_jwk_says_key_ops_sign_verifies_its_own_tokens() {
    // RFC 7517 gives a private key key_ops ["sign"]; Auth still verifies the access tokens it
    // signed (with the key's public half). A key whose key_ops forbid signing is refused.
    let mut jwk = Key::generate(Alg::EdDSA).unwrap().to_jwk(true).unwrap();
    jwk.insert("key_ops".into(), serde_json::json!(["sign"]));
    let key = Key::from_jwk(&serde_json::Value::Object(jwk.clone())).unwrap();
    let mut config = AuthConfig::new("https://id.example", "api", vec![7; 32]);
    config.signing_key = Some(key);
    let auth = Auth::new(config).unwrap();
    let token = auth
        .issue_access_token(&edge_jwt::AccessRequest::new("ada"))
        .unwrap();
    let claims = auth
        .verify_access_token(&token, &Default::default())
        .unwrap();
    assert_eq!(claims["sub"], "ada");

    jwk.insert("key_ops".into(), serde_json::json!(["verify"]));
    let verify_only = Key::from_jwk(&serde_json::Value::Object(jwk)).unwrap();
    refused(|c| c.signing_key = Some(verify_only.clone()), "signingKey");
}
