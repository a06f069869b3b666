//! Time: seconds everywhere, a `now` override, milliseconds refused, durations.

mod common;

use common::*;
use edge_jwt::{
    decode, inspect, now, parse_duration, refresh_at, sign, verify, Alg, ErrorCode,
    RefreshAtOptions, SignOptions, VerifyOptions, MILLISECONDS_THRESHOLD,
};
use serde_json::json;

fn sign_with(options: SignOptions) -> Result<String, edge_jwt::JwtError> {
    sign(&object(json!({})), &hs256_key(), &options)
}

fn at(now: f64) -> SignOptions {
    SignOptions {
        now: Some(now),
        ..Default::default()
    }
}

#[test]
fn sign_uses_the_now_override() {
    let token = sign_with(SignOptions {
        expires_in: Some(900.0),
        not_before: Some(60.0),
        ..at(1_000_000.0)
    })
    .unwrap();
    let claims = decode(&token).unwrap().claims;
    assert_eq!(
        (
            claims["iat"].clone(),
            claims["nbf"].clone(),
            claims["exp"].clone()
        ),
        (json!(1_000_000), json!(1_000_060), json!(1_000_900))
    );
}

#[test]
fn sign_writes_whole_seconds() {
    let token = sign_with(SignOptions {
        expires_in: Some(90.9),
        ..at(1_000_000.75)
    })
    .unwrap();
    let claims = decode(&token).unwrap().claims;
    assert_eq!(claims["iat"], json!(1_000_000));
    assert_eq!(claims["exp"], json!(1_000_090));
    assert!(claims["iat"].is_i64());
}

#[test]
fn sign_keeps_an_iat_from_the_claims() {
    let token = sign(&object(json!({"iat": 5})), &hs256_key(), &at(NOW)).unwrap();
    assert_eq!(decode(&token).unwrap().claims["iat"], 5);
}

#[test]
fn sign_refuses_time_claims_that_are_not_numbers() {
    for (name, value) in [
        ("exp", json!("2030-01-01")),
        ("nbf", json!(null)),
        ("iat", json!("now")),
    ] {
        let err = error(sign(
            &object(json!({ name: value })),
            &hs256_key(),
            &at(NOW),
        ));
        assert_eq!(
            (err.code(), err.claim()),
            (ErrorCode::InvalidArgument, Some(name))
        );
    }
}

#[test]
fn verify_uses_the_now_override() {
    let token = raw_claims(r#"{"exp":2000}"#);
    assert!(verify(
        &token,
        &hs256_key(),
        &VerifyOptions::new([Alg::HS256]).at(1999.0)
    )
    .is_ok());
    assert_eq!(
        code(verify(
            &token,
            &hs256_key(),
            &VerifyOptions::new([Alg::HS256]).at(2000.0)
        )),
        ErrorCode::JwtExpired
    );
}

#[test]
fn without_override_the_clock_is_used() {
    let clock = now();
    assert!(clock > 1.7e9 && clock < MILLISECONDS_THRESHOLD, "{clock}");
    let live = raw_claims(&format!(r#"{{"exp":{}}}"#, clock as i64 + 60));
    let dead = raw_claims(&format!(r#"{{"exp":{}}}"#, clock as i64 - 1));
    let options = VerifyOptions::new([Alg::HS256]);
    assert!(verify(&live, &hs256_key(), &options).is_ok());
    assert_eq!(
        code(verify(&dead, &hs256_key(), &options)),
        ErrorCode::JwtExpired
    );
    let fresh = decode(&sign_with(SignOptions::default()).unwrap())
        .unwrap()
        .claims["iat"]
        .as_f64()
        .unwrap();
    assert!((fresh - clock).abs() < 60.0, "{fresh} vs {clock}");
}

#[test]
fn milliseconds_are_refused_everywhere() {
    let millis = 1_700_000_000_000.0;
    let token = raw_claims(r#"{"exp":2000}"#);
    assert_eq!(
        code(verify(
            &token,
            &hs256_key(),
            &VerifyOptions::new([Alg::HS256]).at(millis)
        )),
        ErrorCode::InvalidArgument
    );
    assert_eq!(code(sign_with(at(millis))), ErrorCode::InvalidArgument);
    assert_eq!(
        code(inspect(&token, Some(millis))),
        ErrorCode::InvalidArgument
    );
    let refresh = RefreshAtOptions {
        now: Some(millis),
        ..Default::default()
    };
    assert_eq!(
        code(refresh_at(&token, &refresh)),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn milliseconds_threshold_boundary() {
    assert_eq!(MILLISECONDS_THRESHOLD, 1e11);
    let token = raw_claims("{}");
    let options = |now| VerifyOptions::new([Alg::HS256]).at(now);
    assert!(verify(&token, &hs256_key(), &options(MILLISECONDS_THRESHOLD - 1.0)).is_ok());
    assert_eq!(
        code(verify(
            &token,
            &hs256_key(),
            &options(MILLISECONDS_THRESHOLD)
        )),
        ErrorCode::InvalidArgument
    );
    assert!(sign_with(at(MILLISECONDS_THRESHOLD - 1.0)).is_ok());
    assert_eq!(
        code(sign_with(at(MILLISECONDS_THRESHOLD))),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn now_must_be_finite_and_not_negative() {
    let token = raw_claims("{}");
    for bad in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            code(verify(
                &token,
                &hs256_key(),
                &VerifyOptions::new([Alg::HS256]).at(bad)
            )),
            ErrorCode::InvalidArgument
        );
        assert_eq!(code(sign_with(at(bad))), ErrorCode::InvalidArgument);
        assert_eq!(code(inspect(&token, Some(bad))), ErrorCode::InvalidArgument);
    }
    assert!(verify(
        &token,
        &hs256_key(),
        &VerifyOptions::new([Alg::HS256]).at(0.0)
    )
    .is_ok());
}

#[test]
fn durations_with_units() {
    for (text, seconds) in [
        ("15m", 900.0),
        ("12h", 43_200.0),
        ("30d", 2_592_000.0),
        ("90", 90.0),
        ("90s", 90.0),
        ("1w", 604_800.0),
        ("1y", 31_557_600.0),
        ("1.5h", 5_400.0),
        ("15 minutes", 900.0),
        (" 2 days ", 172_800.0),
        ("0", 0.0),
        ("100y", 3_155_760_000.0),
    ] {
        assert_eq!(parse_duration(text).unwrap(), seconds, "{text}");
    }
}

#[test]
fn bad_durations_are_invalid_arguments() {
    for text in [
        "", "m", "soon", "-5m", "15x", "15mm", "1.m", ".5h", "1e3", "1,5h", "NaN", "Infinity",
        "101y", "15M", "h15",
    ] {
        assert_eq!(
            code(parse_duration(text)),
            ErrorCode::InvalidArgument,
            "{text:?}"
        );
    }
}

#[test]
fn lifetimes_in_sign_options_are_checked() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 101.0 * 31_557_600.0] {
        assert_eq!(
            code(sign_with(SignOptions {
                expires_in: Some(bad),
                ..at(NOW)
            })),
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
    for bad in [-1.0, f64::NAN] {
        assert_eq!(
            code(sign_with(SignOptions {
                not_before: Some(bad),
                ..at(NOW)
            })),
            ErrorCode::InvalidArgument
        );
    }
    let token = sign_with(SignOptions {
        not_before: Some(0.0),
        expires_in: Some(parse_duration("15m").unwrap()),
        ..at(NOW)
    })
    .unwrap();
    let claims = decode(&token).unwrap().claims;
    assert_eq!(
        (claims["nbf"].as_f64(), claims["exp"].as_f64()),
        (Some(NOW), Some(NOW + 900.0))
    );
}

#[test]
fn inspect_reads_times_at_now() {
    let token = sign_with(SignOptions {
        expires_in: Some(3600.0),
        not_before: Some(10.0),
        ..at(NOW)
    })
    .unwrap();
    let before = inspect(&token, Some(NOW + 3599.0)).unwrap();
    assert_eq!(
        (before.issued_at, before.not_before, before.expires_at),
        (Some(NOW), Some(NOW + 10.0), Some(NOW + 3600.0))
    );
    assert_eq!(before.expires_in, Some(1.0));
    assert!(!before.expired);
    let at_exp = inspect(&token, Some(NOW + 3600.0)).unwrap();
    assert!(at_exp.expired, "now == exp is expired");
    assert_eq!(at_exp.expires_in, Some(0.0));
    assert_eq!(
        inspect(&token, Some(NOW + 3700.0)).unwrap().expires_in,
        Some(-100.0)
    );
}

#[test]
fn inspect_without_exp_and_with_string_times() {
    let info = inspect(&raw_claims(r#"{"sub":"a"}"#), Some(NOW)).unwrap();
    assert_eq!(
        (info.expires_at, info.expires_in, info.expired),
        (None, None, false)
    );
    let err = error(inspect(&raw_claims(r#"{"exp":"tomorrow"}"#), Some(NOW)));
    assert_eq!(
        (err.code(), err.claim()),
        (ErrorCode::JwtInvalid, Some("exp"))
    );
}

#[test]
fn refresh_at_is_milliseconds_before_exp() {
    let token = sign_with(SignOptions {
        expires_in: Some(3600.0),
        ..at(NOW)
    })
    .unwrap();
    let options = RefreshAtOptions {
        skew: 60.0,
        jitter: 0.0,
        now: Some(NOW),
    };
    assert_eq!(
        refresh_at(&token, &options).unwrap(),
        (NOW + 3240.0) * 1000.0
    );
    // Never in the past: a token past its refresh point is refreshed now.
    let late = RefreshAtOptions {
        now: Some(NOW + 3500.0),
        ..options.clone()
    };
    assert_eq!(refresh_at(&token, &late).unwrap(), (NOW + 3500.0) * 1000.0);
    // Jitter only moves earlier, by at most `jitter` seconds.
    for _ in 0..20 {
        let at = refresh_at(
            &token,
            &RefreshAtOptions {
                jitter: 5.0,
                ..options.clone()
            },
        )
        .unwrap();
        assert!(
            ((NOW + 3235.0) * 1000.0..=(NOW + 3240.0) * 1000.0).contains(&at),
            "{at}"
        );
    }
    assert_eq!(
        code(refresh_at(&raw_claims("{}"), &options)),
        ErrorCode::JwtInvalid
    );
    let negative = RefreshAtOptions {
        skew: -1.0,
        ..options
    };
    assert_eq!(
        code(refresh_at(&token, &negative)),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn time_claims_in_milliseconds_are_refused_by_sign_verify_and_inspect() {
    let key = hs256_key();
    let ms = 1_796_000_000_000.0; // Date.now() in December 2026
    for name in ["exp", "nbf", "iat"] {
        let claims = object(json!({ name: ms }));
        let err = error(edge_jwt::sign(&claims, &key, &SignOptions::default()));
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "sign {name}");
        assert_eq!(err.claim(), Some(name));

        // A token made elsewhere with a millisecond date would otherwise never expire.
        let token = raw_claims(&format!(r#"{{"{name}":{ms}}}"#));
        let err = error(edge_jwt::verify(&token, &key, &options(Alg::HS256)));
        assert_eq!(
            err.code(),
            ErrorCode::JwtClaimValidationFailed,
            "verify {name}"
        );
        assert_eq!((err.claim(), err.reason()), (Some(name), Some("invalid")));
        assert_eq!(
            code(edge_jwt::inspect(&token, Some(1e9))),
            ErrorCode::JwtInvalid
        );
    }
    // Seconds just under the threshold (the year 5138) still count as seconds.
    let far = raw_claims(r#"{"exp":99999999999}"#);
    assert!(edge_jwt::verify(&far, &key, &options(Alg::HS256)).is_ok());
}
