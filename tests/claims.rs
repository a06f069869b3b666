//! The claim rules of `verify` (RFC 7519 §4.1, RFC 8725), at their boundaries.

mod common;

use common::*;
use edge_jwt::{verify, Alg, ErrorCode, SignOptions, VerifiedToken, VerifyOptions};
use serde_json::json;

fn check(token: &str, options: &VerifyOptions) -> Result<VerifiedToken, edge_jwt::JwtError> {
    verify(token, &hs256_key(), options)
}

fn at(now: f64) -> VerifyOptions {
    VerifyOptions::new([Alg::HS256]).at(now)
}

/// Asserts a claim failure: its code, claim and reason.
fn assert_claim_error(
    token: &str,
    options: &VerifyOptions,
    code: ErrorCode,
    claim: &str,
    reason: &str,
) {
    let err = error(check(token, options));
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.claim(), Some(claim), "{err}");
    assert_eq!(err.reason(), Some(reason), "{err}");
}

/// Asserts `ERR_JWT_EXPIRED` for `claim`.
fn expired(token: &str, options: &VerifyOptions, claim: &str) {
    assert_claim_error(token, options, ErrorCode::JwtExpired, claim, "check_failed");
}

/// Asserts `ERR_JWT_CLAIM_VALIDATION_FAILED` for `claim`, reason `check_failed`.
fn check_failed(token: &str, options: &VerifyOptions, claim: &str) {
    assert_claim_error(
        token,
        options,
        ErrorCode::JwtClaimValidationFailed,
        claim,
        "check_failed",
    );
}

/// Asserts that a token whose claim `name` is each of `values` (JSON text) fails `options`
/// with `ERR_JWT_CLAIM_VALIDATION_FAILED`, naming the claim, for `reason`.
fn each_value_refused(name: &str, values: &[&str], options: &VerifyOptions, reason: &str) {
    for value in values {
        let token = raw_claims(&format!(r#"{{"{name}":{value}}}"#));
        assert_claim_error(
            &token,
            options,
            ErrorCode::JwtClaimValidationFailed,
            name,
            reason,
        );
    }
}

// --- exp ---

#[test]
fn exp_boundary_without_leeway() {
    let token = raw_claims(r#"{"exp":1000}"#);
    assert!(check(&token, &at(999.0)).is_ok());
    assert!(check(&token, &at(999.999)).is_ok());
    expired(&token, &at(1000.0), "exp");
    expired(&token, &at(1000.001), "exp");
}

#[test]
fn exp_boundary_with_leeway() {
    let token = raw_claims(r#"{"exp":1000}"#);
    assert!(
        check(&token, &at(1009.0).leeway(10.0)).is_ok(),
        "now == exp + leeway - 1"
    );
    expired(&token, &at(1010.0).leeway(10.0), "exp");
}

#[test]
fn fractional_exp_is_compared_exactly() {
    let token = raw_claims(r#"{"exp":1000.5}"#);
    assert!(check(&token, &at(1000.4)).is_ok());
    assert_eq!(code(check(&token, &at(1000.5))), ErrorCode::JwtExpired);
}

// --- nbf ---

#[test]
fn nbf_boundary_without_leeway() {
    let token = raw_claims(r#"{"nbf":1000}"#);
    check_failed(&token, &at(999.0), "nbf");
    check_failed(&token, &at(999.999), "nbf");
    assert!(check(&token, &at(1000.0)).is_ok(), "valid from nbf on");
}

#[test]
fn nbf_boundary_with_leeway() {
    let token = raw_claims(r#"{"nbf":1000}"#);
    assert!(
        check(&token, &at(990.0).leeway(10.0)).is_ok(),
        "now == nbf - leeway"
    );
    check_failed(&token, &at(989.0).leeway(10.0), "nbf");
}

#[test]
fn nbf_and_exp_together_give_a_window() {
    let token = raw_claims(r#"{"nbf":1000,"exp":1010}"#);
    assert_eq!(
        code(check(&token, &at(999.0))),
        ErrorCode::JwtClaimValidationFailed
    );
    assert!(check(&token, &at(1000.0)).is_ok());
    assert!(check(&token, &at(1009.0)).is_ok());
    assert_eq!(code(check(&token, &at(1010.0))), ErrorCode::JwtExpired);
}

// --- iat and maxAge ---

#[test]
fn max_age_boundary() {
    let token = raw_claims(r#"{"iat":1000}"#);
    assert!(
        check(&token, &at(1060.0).max_age(60.0)).is_ok(),
        "now - iat == maxAge"
    );
    expired(&token, &at(1061.0).max_age(60.0), "iat");
}

#[test]
fn max_age_boundary_with_leeway() {
    let token = raw_claims(r#"{"iat":1000}"#);
    assert!(check(&token, &at(1065.0).max_age(60.0).leeway(5.0)).is_ok());
    expired(&token, &at(1066.0).max_age(60.0).leeway(5.0), "iat");
}

#[test]
fn max_age_refuses_a_future_iat() {
    let token = raw_claims(r#"{"iat":1000}"#);
    check_failed(&token, &at(999.0).max_age(60.0), "iat");
    assert!(
        check(&token, &at(995.0).max_age(60.0).leeway(5.0)).is_ok(),
        "iat == now + leeway"
    );
    check_failed(&token, &at(994.0).max_age(60.0).leeway(5.0), "iat");
}

#[test]
fn future_iat_is_not_judged_without_max_age() {
    let token = raw_claims(r#"{"iat":5000}"#);
    assert_eq!(check(&token, &at(1000.0)).unwrap().claims["iat"], 5000);
}

#[test]
fn max_age_requires_iat() {
    let token = raw_claims(r#"{"sub":"a"}"#);
    assert_claim_error(
        &token,
        &at(1000.0).max_age(60.0),
        ErrorCode::JwtClaimValidationFailed,
        "iat",
        "missing",
    );
}

#[test]
fn time_claims_must_be_numbers() {
    for name in ["exp", "nbf", "iat"] {
        each_value_refused(
            name,
            &[r#""2000""#, "null", "true", "[1]", r#"{"t":1}"#],
            &at(1000.0),
            "invalid",
        );
    }
}

// --- iss ---

#[test]
fn issuer_is_compared_exactly() {
    let want = at(1000.0).issuer("https://id.example");
    assert!(check(&raw_claims(r#"{"iss":"https://id.example"}"#), &want).is_ok());
    each_value_refused(
        "iss",
        &[
            r#""https://id.example/""#,
            r#""HTTPS://ID.EXAMPLE""#,
            r#"" https://id.example""#,
            r#""https://id.exampl""#,
        ],
        &want,
        "check_failed",
    );
}

#[test]
fn issuer_must_be_a_string() {
    let want = at(1000.0).issuer("1");
    each_value_refused("iss", &["1", r#"["1"]"#, "null"], &want, "check_failed");
}

#[test]
fn issuer_list_accepts_any_member() {
    let want = at(1000.0)
        .issuer("https://a.example")
        .issuer("https://b.example");
    assert!(check(&raw_claims(r#"{"iss":"https://a.example"}"#), &want).is_ok());
    assert!(check(&raw_claims(r#"{"iss":"https://b.example"}"#), &want).is_ok());
    let token = raw_claims(r#"{"iss":"https://c.example"}"#);
    check_failed(&token, &want, "iss");
}

#[test]
fn issuer_expected_but_missing() {
    let token = raw_claims(r#"{"sub":"a"}"#);
    assert_claim_error(
        &token,
        &at(1000.0).issuer("x"),
        ErrorCode::JwtClaimValidationFailed,
        "iss",
        "missing",
    );
}

#[test]
fn issuer_not_expected_is_not_checked() {
    assert_eq!(
        check(&raw_claims(r#"{"iss":"anyone"}"#), &at(1000.0))
            .unwrap()
            .claims["iss"],
        "anyone"
    );
}

// --- aud ---

#[test]
fn audience_as_string() {
    let want = at(1000.0).audience("api");
    assert!(check(&raw_claims(r#"{"aud":"api"}"#), &want).is_ok());
    each_value_refused(
        "aud",
        &[r#""API""#, r#""api ""#, r#""ap""#],
        &want,
        "check_failed",
    );
}

#[test]
fn audience_as_array() {
    let want = at(1000.0).audience("api");
    assert!(check(&raw_claims(r#"{"aud":["web","api"]}"#), &want).is_ok());
    assert!(check(&raw_claims(r#"{"aud":["api"]}"#), &want).is_ok());
    each_value_refused(
        "aud",
        &[r#"["web"]"#, "[]", r#"["web","API"]"#],
        &want,
        "check_failed",
    );
}

#[test]
fn audience_of_the_wrong_type_is_invalid() {
    let want = at(1000.0).audience("api");
    each_value_refused(
        "aud",
        &[
            "1",
            "null",
            "true",
            r#"{"api":1}"#,
            r#"["api",1]"#,
            r#"["api",null]"#,
            r#"[["api"]]"#,
        ],
        &want,
        "invalid",
    );
}

#[test]
fn audience_list_accepts_any_member() {
    let want = at(1000.0).audience("a").audience("b");
    assert!(check(&raw_claims(r#"{"aud":"b"}"#), &want).is_ok());
    assert!(check(&raw_claims(r#"{"aud":["x","a"]}"#), &want).is_ok());
    assert_eq!(
        code(check(&raw_claims(r#"{"aud":["x","y"]}"#), &want)),
        ErrorCode::JwtClaimValidationFailed
    );
}

#[test]
fn audience_present_but_not_expected_is_refused() {
    each_value_refused(
        "aud",
        &[r#""api""#, r#"["api"]"#],
        &at(1000.0),
        "unexpected",
    );
}

#[test]
fn audience_expected_but_missing() {
    let token = raw_claims(r#"{"sub":"a"}"#);
    assert_claim_error(
        &token,
        &at(1000.0).audience("api"),
        ErrorCode::JwtClaimValidationFailed,
        "aud",
        "missing",
    );
}

// --- sub ---

#[test]
fn subject() {
    let want = at(1000.0).subject("user-1");
    assert!(check(&raw_claims(r#"{"sub":"user-1"}"#), &want).is_ok());
    let wrong = raw_claims(r#"{"sub":"user-2"}"#);
    check_failed(&wrong, &want, "sub");
    let number = raw_claims(r#"{"sub":1}"#);
    check_failed(&number, &at(1000.0).subject("1"), "sub");
    let missing = raw_claims(r#"{"iss":"x"}"#);
    assert_claim_error(
        &missing,
        &want,
        ErrorCode::JwtClaimValidationFailed,
        "sub",
        "missing",
    );
}

// --- typ ---

fn typed(typ: &str) -> String {
    raw(&format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#), "{}")
}

#[test]
fn typ_jwt_spellings_are_equal() {
    for expected in ["JWT", "jwt", "application/jwt", "Application/JWT"] {
        for typ in ["JWT", "jwt", "application/jwt", "APPLICATION/JWT"] {
            let result = check(&typed(typ), &at(1000.0).typ(expected));
            assert!(
                result.is_ok(),
                "typ {typ} vs expected {expected}: {result:?}"
            );
        }
    }
}

#[test]
fn typ_at_jwt_spellings_are_equal() {
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+JWT",
        "application/at+jwt",
    ] {
        assert!(
            check(&typed(typ), &at(1000.0).typ("at+jwt")).is_ok(),
            "{typ}"
        );
        assert!(
            check(&typed(typ), &at(1000.0).typ("application/at+JWT")).is_ok(),
            "{typ}"
        );
    }
}

#[test]
fn different_types_are_refused() {
    let cases = [
        ("JWT", "at+jwt"),
        ("at+jwt", "JWT"),
        ("text/jwt", "jwt"),
        ("jwt", "application/at+jwt"),
        ("dpop+jwt", "at+jwt"),
    ];
    for (typ, expected) in cases {
        assert_claim_error(
            &typed(typ),
            &at(1000.0).typ(expected),
            ErrorCode::JwtClaimValidationFailed,
            "typ",
            "check_failed",
        );
    }
}

#[test]
fn missing_typ_is_refused_when_expected() {
    let token = raw(r#"{"alg":"HS256"}"#, "{}");
    assert_claim_error(
        &token,
        &at(1000.0).typ("JWT"),
        ErrorCode::JwtClaimValidationFailed,
        "typ",
        "missing",
    );
    assert!(
        check(&token, &at(1000.0)).is_ok(),
        "typ is not required when not expected"
    );
}

#[test]
fn typ_set_by_sign_is_checked() {
    let key = hs256_key();
    let options = SignOptions {
        typ: Some("at+jwt".into()),
        now: Some(NOW),
        ..Default::default()
    };
    let token = edge_jwt::sign(&object(json!({})), &key, &options).unwrap();
    assert_eq!(
        verify(&token, &key, &options_typ("application/at+jwt"))
            .unwrap()
            .header["typ"],
        "at+jwt"
    );
    assert_eq!(
        code(verify(&token, &key, &options_typ("JWT"))),
        ErrorCode::JwtClaimValidationFailed
    );
}

fn options_typ(typ: &str) -> VerifyOptions {
    options(Alg::HS256).typ(typ)
}

// --- requiredClaims ---

#[test]
fn required_claims() {
    let token = raw_claims(r#"{"sub":"a","jti":"j1"}"#);
    assert!(check(&token, &at(1000.0).require("sub").require("jti")).is_ok());
    assert_claim_error(
        &token,
        &at(1000.0).require("sub").require("email"),
        ErrorCode::JwtClaimValidationFailed,
        "email",
        "missing",
    );
    assert_claim_error(
        &token,
        &at(1000.0).require("exp"),
        ErrorCode::JwtClaimValidationFailed,
        "exp",
        "missing",
    );
}

// --- options themselves ---

#[test]
fn options_are_checked_before_the_token() {
    let token = raw_claims("{}");
    assert_eq!(
        code(check(&token, &VerifyOptions::new([]).at(1000.0))),
        ErrorCode::InvalidArgument
    );
    for leeway in [-1.0, f64::NAN, f64::INFINITY, 1e12] {
        assert_eq!(
            code(check(&token, &at(1000.0).leeway(leeway))),
            ErrorCode::InvalidArgument,
            "{leeway}"
        );
    }
    assert!(
        check(&token, &at(1000.0).leeway(86_400.0)).is_ok(),
        "a day of leeway is allowed"
    );
    for age in [-1.0, f64::NAN] {
        assert_eq!(
            code(check(&token, &at(1000.0).max_age(age))),
            ErrorCode::InvalidArgument,
            "{age}"
        );
    }
    let mut zero = at(1000.0);
    zero.max_token_size = 0;
    assert_eq!(code(check(&token, &zero)), ErrorCode::InvalidArgument);
}

// --- the signature comes first ---

#[test]
fn signature_is_checked_before_claims_are_read() {
    let garbage_claims = [
        "not json",
        r#"{"a":1,"a":2}"#,
        "[1]",
        r#"{"exp":"soon"}"#,
        r#"{"exp":1}"#,
    ];
    for claims in garbage_claims {
        let token = raw_claims(claims);
        let forged = hs256_raw(
            b"another-secret-of-thirty-two-b!!",
            br#"{"alg":"HS256","typ":"JWT"}"#,
            claims.as_bytes(),
        );
        assert_eq!(
            code(check(&forged, &at(1000.0))),
            ErrorCode::JwsSignatureVerificationFailed,
            "{claims}"
        );
        // With a good signature the claims are read, and refused.
        assert_ne!(
            code(check(&token, &at(1000.0))),
            ErrorCode::JwsSignatureVerificationFailed,
            "{claims}"
        );
    }
    let non_utf8 = hs256_raw(
        b"another-secret-of-thirty-two-b!!",
        br#"{"alg":"HS256"}"#,
        b"\xff\xfe",
    );
    assert_eq!(
        code(check(&non_utf8, &at(1000.0))),
        ErrorCode::JwsSignatureVerificationFailed
    );
}

#[test]
fn signature_is_checked_before_typ() {
    let forged = hs256_raw(
        b"another-secret-of-thirty-two-b!!",
        br#"{"alg":"HS256","typ":"evil"}"#,
        b"{}",
    );
    assert_eq!(
        code(check(&forged, &at(1000.0).typ("JWT"))),
        ErrorCode::JwsSignatureVerificationFailed
    );
}

#[test]
fn verified_token_returns_header_and_claims() {
    let token = raw(
        r#"{"alg":"HS256","typ":"JWT","kid":"k"}"#,
        r#"{"sub":"a","n":1.5,"o":{"p":[true,null]}}"#,
    );
    let verified = check(&token, &at(1000.0)).unwrap();
    assert_eq!(
        serde_json::Value::Object(verified.header),
        json!({"alg":"HS256","typ":"JWT","kid":"k"})
    );
    assert_eq!(
        serde_json::Value::Object(verified.claims),
        json!({"sub":"a","n":1.5,"o":{"p":[true,null]}})
    );
}
