//! Access tokens (RFC 9068 `at+jwt`): claims, role and scope checks, expiry, tampering; secret
//! rotation across every kind of flow token; asymmetric access tokens (EdDSA, ES256) and the
//! public JWKS.

mod flows_support;

use edge_jwt::{
    verify, AccessCheck, AccessRequest, Alg, Auth, AuthConfig, ErrorCode, Key, KeySet,
    MagicLinkRequest, OtpChannel, OtpRequest, Purpose, RefreshOptions, SessionRequest,
    TwoFactorRequest, VerifyOptions,
};
use flows_support::*;
use serde_json::json;

#[test]
fn an_access_token_carries_what_was_asked_and_rfc_9068_claims() {
    let (auth, clock) = auth();
    let request = AccessRequest {
        role: Some("editor".into()),
        scope: Some("read write".into()),
        claims: serde_json::from_value(json!({ "tenant": "t1", "org": { "id": 7 } })).unwrap(),
        sid: Some("s-1".into()),
        amr: vec!["pwd".into(), "mfa".into()],
        ..AccessRequest::new("ada")
    };
    let token = auth.issue_access_token(&request).unwrap();
    let header = header_of(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["kid"], kid_of(&SECRET).as_str());
    let claims = auth
        .verify_access_token(&token, &AccessCheck::default())
        .unwrap();
    let now = clock.now() as u64;
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["sub"], "ada");
    assert_eq!(claims["iat"], json!(now));
    assert_eq!(claims["exp"], json!(now + 900));
    assert_eq!(claims["role"], "editor");
    assert_eq!(claims["scope"], "read write");
    assert_eq!(claims["sid"], "s-1");
    assert_eq!(claims["amr"], json!(["pwd", "mfa"]));
    assert_eq!(claims["tenant"], "t1");
    assert_eq!(claims["org"], json!({ "id": 7 }));
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    let other = auth.issue_access_token(&request).unwrap();
    assert_ne!(claims_of(&other)["jti"], claims["jti"]);
}

#[test]
fn role_and_scope_checks() {
    let (auth, _) = auth();
    let token = auth
        .issue_access_token(&AccessRequest {
            role: Some("editor".into()),
            scope: Some("read write".into()),
            ..AccessRequest::new("ada")
        })
        .unwrap();
    let check = |role: Option<&str>, scope: &[&str]| {
        auth.verify_access_token(
            &token,
            &AccessCheck {
                role: role.map(Into::into),
                scope: scope.iter().map(|s| s.to_string()).collect(),
            },
        )
    };
    check(Some("editor"), &["read"]).unwrap();
    check(None, &["read write"]).unwrap();
    check(None, &["write", "read"]).unwrap();
    assert_err(
        check(Some("admin"), &[]),
        ErrorCode::JwtClaimValidationFailed,
        Some("role"),
    );
    assert_err(
        check(None, &["read", "delete"]),
        ErrorCode::JwtClaimValidationFailed,
        Some("scope"),
    );
    // "rea" is not "read": scopes are whole words.
    assert_err(
        check(None, &["rea"]),
        ErrorCode::JwtClaimValidationFailed,
        Some("scope"),
    );
    let bare = auth.issue_access_token(&AccessRequest::new("bob")).unwrap();
    let error = err(auth.verify_access_token(
        &bare,
        &AccessCheck {
            scope: vec!["read".into()],
            ..Default::default()
        },
    ));
    assert_eq!(error.claim(), Some("scope"));
}

#[test]
fn reserved_claims_and_bad_subjects_are_refused() {
    let (auth, _) = auth();
    for name in [
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "amr", "role", "scope",
    ] {
        let request = AccessRequest {
            claims: serde_json::from_value(json!({ name: "x" })).unwrap(),
            ..AccessRequest::new("ada")
        };
        assert_err(
            auth.issue_access_token(&request),
            ErrorCode::InvalidArgument,
            Some(name),
        );
    }
    assert_err(
        auth.issue_access_token(&AccessRequest::new("")),
        ErrorCode::InvalidArgument,
        Some("sub"),
    );
}

#[test]
fn expiry_is_exact() {
    let (auth, clock) = auth();
    let token = auth.issue_access_token(&AccessRequest::new("ada")).unwrap();
    clock.advance(899.0);
    auth.verify_access_token(&token, &Default::default())
        .unwrap();
    clock.advance(1.0);
    assert_err(
        auth.verify_access_token(&token, &Default::default()),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
    // Leeway extends it by exactly the leeway.
    let mut lenient = config();
    lenient.leeway = 30.0;
    let lenient = auth_on(lenient, &clock);
    lenient
        .verify_access_token(&token, &Default::default())
        .unwrap();
    clock.advance(30.0);
    assert_err(
        lenient.verify_access_token(&token, &Default::default()),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
}

#[test]
fn tampered_or_malformed_access_tokens_fail() {
    let (auth, _) = auth();
    let token = auth.issue_access_token(&AccessRequest::new("ada")).unwrap();
    let promoted = retamper(&token, |c| {
        c.insert("role".into(), "admin".into());
    });
    assert_err(
        auth.verify_access_token(&promoted, &Default::default()),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
    let none = reheader(&token, |h| {
        h.insert("alg".into(), "none".into());
    });
    assert_err(
        auth.verify_access_token(&none, &Default::default()),
        ErrorCode::JoseAlgNotAllowed,
        None,
    );
    let no_kid = reheader(&token, |h| {
        h.remove("kid");
    });
    assert_err(
        auth.verify_access_token(&no_kid, &Default::default()),
        ErrorCode::JwksNoMatchingKey,
        None,
    );
    let no_typ = reheader(&token, |h| {
        h.remove("typ");
    });
    assert_err(
        auth.verify_access_token(&no_typ, &Default::default()),
        ErrorCode::TokenPurpose,
        Some("typ"),
    );
    // A media-type spelling of the right typ passes the purpose check, then fails the signature.
    let spelled = reheader(&token, |h| {
        h.insert("typ".into(), "application/AT+JWT".into());
    });
    assert_err(
        auth.verify_access_token(&spelled, &Default::default()),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
    for bad in ["", "a.b", "not a token", &token[..token.len() - 1]] {
        assert!(auth.verify_access_token(bad, &Default::default()).is_err());
    }
}

/// One token of each kind made by `auth`, with the OTP code.
fn one_of_each(auth: &Auth) -> Vec<(Purpose, String, String)> {
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    vec![
        (Purpose::Access, session.access_token, String::new()),
        (Purpose::Refresh, session.refresh_token, String::new()),
        (Purpose::MagicLink, link.token, String::new()),
        (Purpose::Otp, otp.challenge.clone(), otp.code.clone()),
        (Purpose::TwoFactor, pending.pending_token, otp.code),
    ]
}

fn with_secrets(secret: &[u8], previous: &[&[u8]]) -> AuthConfig {
    let mut config = AuthConfig::new(ISSUER, AUDIENCE, secret.to_vec());
    config.previous_secrets = previous.iter().map(|s| s.to_vec()).collect();
    config
}

#[test]
fn secret_rotation_old_tokens_verify_new_ones_carry_the_new_kid_removed_secrets_fail() {
    let clock = Clock::new();
    let old = auth_on(with_secrets(&SECRET, &[]), &clock);
    let rotated = auth_on(with_secrets(&SECRET_2, &[&SECRET]), &clock);
    let later = auth_on(with_secrets(&SECRET_3, &[&SECRET_2]), &clock);
    assert_ne!(kid_of(&SECRET), kid_of(&SECRET_2));

    for (purpose, token, code) in one_of_each(&old) {
        assert_eq!(header_of(&token)["kid"], kid_of(&SECRET).as_str());
        present(&rotated, purpose, &token, &code)
            .unwrap_or_else(|e| panic!("{purpose:?} under a previous secret: {e}"));
        assert_err(
            present(&later, purpose, &token, &code),
            ErrorCode::JwksNoMatchingKey,
            None,
        );
    }
    for (purpose, token, code) in one_of_each(&rotated) {
        assert_eq!(header_of(&token)["kid"], kid_of(&SECRET_2).as_str());
        present(&rotated, purpose, &token, &code).unwrap();
        present(&later, purpose, &token, &code).unwrap();
        // The old configuration does not know the new secret.
        assert_err(
            present(&old, purpose, &token, &code),
            ErrorCode::JwksNoMatchingKey,
            None,
        );
    }
    // A refresh under the rotated secret re-issues the session under the new kid.
    let session = old.issue_session(&SessionRequest::new("ada")).unwrap();
    let next =
        run(rotated.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER))
            .unwrap();
    assert_eq!(
        header_of(&next.refresh_token)["kid"],
        kid_of(&SECRET_2).as_str()
    );
    assert_eq!(
        header_of(&next.access_token)["kid"],
        kid_of(&SECRET_2).as_str()
    );
}

#[test]
fn a_token_claiming_a_previous_kid_but_signed_with_the_current_key_fails() {
    let clock = Clock::new();
    let rotated = auth_on(with_secrets(&SECRET_2, &[&SECRET]), &clock);
    let token = rotated
        .issue_access_token(&AccessRequest::new("ada"))
        .unwrap();
    let relabelled = reheader(&token, |h| {
        h.insert("kid".into(), kid_of(&SECRET).into());
    });
    assert_err(
        rotated.verify_access_token(&relabelled, &Default::default()),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
}

fn asymmetric(alg: Alg) -> (Auth, Key, Clock) {
    let clock = Clock::new();
    let key = Key::generate(alg).unwrap();
    let mut config = config();
    config.signing_key = Some(key.clone());
    (auth_on(config, &clock), key, clock)
}

#[test]
fn asymmetric_access_tokens_verify_with_the_published_jwks() {
    for alg in [Alg::EdDSA, Alg::ES256] {
        let (auth, key, clock) = asymmetric(alg);
        let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
        let header = header_of(&session.access_token);
        assert_eq!(header["alg"], alg.to_string());
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["kid"], key.kid());
        auth.verify_access_token(&session.access_token, &Default::default())
            .unwrap();

        // A resource server with only the JWKS verifies it with the core verifier.
        let jwks = auth.jwks().unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        assert!(keys[0].get("d").is_none(), "the JWKS is public");
        let set = KeySet::from_jwks(&jwks).unwrap();
        let verified = verify(
            &session.access_token,
            &set,
            &VerifyOptions::new([alg])
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .typ("at+jwt")
                .at(clock.now()),
        )
        .unwrap();
        assert_eq!(verified.claims["sid"], session.session_id.as_str());

        // The other tokens stay HMAC under the secret's purpose keys.
        assert_eq!(header_of(&session.refresh_token)["alg"], "HS256");
        let next = run(auth.refresh_session(
            &session.refresh_token,
            RefreshOptions {
                access_token: Some(&session.access_token),
            },
            NO_LEDGER,
        ))
        .unwrap();
        assert_eq!(header_of(&next.access_token)["alg"], alg.to_string());

        // An HS256 access token, even one signed with the derived access key, is refused.
        let hmac = hs256(
            &derive(&SECRET, "access"),
            &{
                let mut h = header_of(&session.access_token);
                h.insert("alg".into(), "HS256".into());
                h.insert("kid".into(), kid_of(&SECRET).into());
                h
            },
            &claims_of(&session.access_token),
        );
        assert_err(
            auth.verify_access_token(&hmac, &Default::default()),
            ErrorCode::JoseAlgNotAllowed,
            None,
        );
        // A token of another key of the same algorithm fails.
        let (stranger, _, _) = asymmetric(alg);
        let foreign = stranger
            .issue_access_token(&AccessRequest::new("ada"))
            .unwrap();
        assert_err(
            auth.verify_access_token(&foreign, &Default::default()),
            ErrorCode::JwsSignatureVerificationFailed,
            None,
        );
    }
}

#[test]
fn without_a_signing_key_the_jwks_is_empty() {
    let (auth, _) = auth();
    assert_eq!(auth.jwks().unwrap(), json!({ "keys": [] }));
}

#[test]
fn a_token_the_verifier_would_refuse_for_its_size_is_never_issued() {
    // Over 16 KiB the flows' own verifier refuses a token: a session issued that big would log
    // its user out at the first refresh, so it is refused when asked for.
    let (auth, _) = auth();
    let mut claims = serde_json::Map::new();
    claims.insert("blob".into(), json!("x".repeat(20_000)));
    let request = AccessRequest {
        claims: claims.clone(),
        ..AccessRequest::new("ada")
    };
    let error = err(auth.issue_access_token(&request));
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    assert_eq!(error.claim(), Some("claims"));
    let session = SessionRequest {
        claims,
        ..SessionRequest::new("ada")
    };
    assert_eq!(
        err(auth.issue_session(&session)).code(),
        ErrorCode::InvalidArgument
    );
    // Just under the cap it is issued, and it verifies.
    let mut fits = serde_json::Map::new();
    fits.insert("blob".into(), json!("x".repeat(10_000)));
    let token = auth
        .issue_access_token(&AccessRequest {
            claims: fits,
            ..AccessRequest::new("ada")
        })
        .unwrap();
    auth.verify_access_token(&token, &Default::default())
        .unwrap();
}
