//! One-time codes (SMS/email): verification, wrong codes, attempt limits and single use with a
//! ledger, input normalisation, expiry; the code's digits are uniform (chi-square) and the
//! challenge token holds only a keyed MAC of (jti, sub, code), never the code.

mod flows_support;

use edge_jwt::{ErrorCode, MemoryLedger, OtpChannel, OtpRequest};
use flows_support::*;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

#[test]
fn a_code_verifies_against_its_challenge() {
    let (auth, clock) = auth();
    for (channel, name) in [(OtpChannel::Sms, "sms"), (OtpChannel::Email, "email")] {
        let otp = auth
            .create_otp_challenge(&OtpRequest::new("ada", channel))
            .unwrap();
        assert_eq!(otp.code.len(), 6);
        assert!(otp.code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(otp.expires_at, clock.now() + 300.0);
        assert_eq!(header_of(&otp.challenge)["typ"], "otp-challenge+jwt");
        let claims = run(auth.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)).unwrap();
        assert_eq!(claims["sub"], "ada");
        assert_eq!(claims["jti"], otp.jti.as_str());
        assert_eq!(claims["chn"], name);
        assert!(
            !format!("{otp:?}").contains(&otp.code),
            "Debug hides the code"
        );
    }
}

#[test]
fn digits_and_ttl_per_request_and_per_config() {
    let clock = Clock::new();
    let mut config = config();
    config.otp_digits = 8;
    config.otp_ttl = 120.0;
    let auth = auth_on(config, &clock);
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    assert_eq!(otp.code.len(), 8);
    assert_eq!(otp.expires_at, clock.now() + 120.0);
    for digits in 4..=10 {
        let otp = auth
            .create_otp_challenge(&OtpRequest {
                digits: Some(digits),
                ttl: Some(30.0),
                ..OtpRequest::new("ada", OtpChannel::Email)
            })
            .unwrap();
        assert_eq!(otp.code.len(), digits as usize);
        run(auth.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)).unwrap();
        // A prefix of the right code is wrong.
        assert_err(
            run(auth.verify_otp(&otp.challenge, &otp.code[..otp.code.len() - 1], NO_LEDGER)),
            ErrorCode::OtpMismatch,
            None,
        );
    }
    for digits in [0, 3, 11] {
        assert_err(
            auth.create_otp_challenge(&OtpRequest {
                digits: Some(digits),
                ..OtpRequest::new("ada", OtpChannel::Sms)
            }),
            ErrorCode::InvalidArgument,
            Some("digits"),
        );
    }
    for ttl in [0.0, 86_401.0, f64::NAN] {
        assert_err(
            auth.create_otp_challenge(&OtpRequest {
                ttl: Some(ttl),
                ..OtpRequest::new("ada", OtpChannel::Sms)
            }),
            ErrorCode::InvalidArgument,
            Some("ttl"),
        );
    }
    assert_err(
        "fax".parse::<OtpChannel>(),
        ErrorCode::InvalidArgument,
        Some("channel"),
    );
}

#[test]
fn a_wrong_code_is_err_otp_mismatch() {
    let (auth, _) = auth();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    assert_err(
        run(auth.verify_otp(&otp.challenge, &wrong_code(&otp.code), NO_LEDGER)),
        ErrorCode::OtpMismatch,
        None,
    );
    // The code of another challenge does not open this one.
    let other = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    if other.code != otp.code {
        assert_err(
            run(auth.verify_otp(&otp.challenge, &other.code, NO_LEDGER)),
            ErrorCode::OtpMismatch,
            None,
        );
    }
}

#[test]
fn input_is_normalised_spaces_and_dashes_only() {
    let (auth, _) = auth();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let (a, b) = otp.code.split_at(3);
    for typed in [
        format!("{a} {b}"),
        format!("{a}-{b}"),
        format!(" {a}  {b} "),
        format!("{a}\u{a0}{b}"),
        format!("{a}\t{b}"),
        // Pasted from a message: a line break after the code.
        format!("{a}{b}\n"),
        format!("{a}{b}\r\n"),
    ] {
        run(auth.verify_otp(&otp.challenge, &typed, NO_LEDGER))
            .unwrap_or_else(|e| panic!("{typed:?}: {e}"));
    }
    for typed in [
        "12a456",
        "123.456",
        "１２３４５６",
        "",
        " - ",
        "12345678901",
        "+123456",
    ] {
        assert_err(
            run(auth.verify_otp(&otp.challenge, typed, NO_LEDGER)),
            ErrorCode::InvalidArgument,
            None,
        );
    }
}

#[test]
fn attempts_are_limited_with_a_ledger_even_for_the_right_code() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    guess_wrong(&auth, &otp, &ledger, 5);
    assert_err(
        run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))),
        ErrorCode::OtpAttemptsExceeded,
        None,
    );
    // Other challenges keep their own count.
    let fresh = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    run(auth.verify_otp(&fresh.challenge, &fresh.code, Some(&ledger))).unwrap();
}

#[test]
fn the_right_code_on_the_last_allowed_attempt_passes() {
    let clock = Clock::new();
    let mut config = config();
    config.otp_max_attempts = 3;
    let auth = auth_on(config, &clock);
    let ledger = MemoryLedger::new();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    for _ in 0..2 {
        assert_err(
            run(auth.verify_otp(&otp.challenge, &wrong_code(&otp.code), Some(&ledger))),
            ErrorCode::OtpMismatch,
            None,
        );
    }
    run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))).unwrap();
}

#[test]
fn with_a_ledger_a_code_is_single_use() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Email))
        .unwrap();
    run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))).unwrap();
    assert_err(
        run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    // Stateless without a ledger: the code works again until it expires.
    run(auth.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)).unwrap();
    assert!(run(auth.verify_otp(&otp.challenge, &otp.code, Some(&FailingLedger))).is_err());
}

#[test]
fn a_challenge_expires_and_cannot_be_tampered_with() {
    let (auth, clock) = auth();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let moved = retamper(&otp.challenge, |c| {
        c.insert("sub".into(), "bob".into());
    });
    assert_err(
        run(auth.verify_otp(&moved, &otp.code, NO_LEDGER)),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
    clock.advance(299.0);
    run(auth.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)).unwrap();
    clock.advance(1.0);
    assert_err(
        run(auth.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
}

#[test]
fn a_challenge_made_before_a_secret_rotation_still_verifies() {
    let clock = Clock::new();
    let old = auth_on(config(), &clock);
    let mut rotated = config();
    rotated.secret = SECRET_2.to_vec();
    rotated.previous_secrets = vec![SECRET.to_vec()];
    let rotated = auth_on(rotated, &clock);
    let otp = old
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    run(rotated.verify_otp(&otp.challenge, &otp.code, NO_LEDGER)).unwrap();
    assert_err(
        run(rotated.verify_otp(&otp.challenge, &wrong_code(&otp.code), NO_LEDGER)),
        ErrorCode::OtpMismatch,
        None,
    );
}

/// HMAC-SHA-256 of (jti, sub, code), each prefixed with its length as 8 big-endian bytes.
fn code_mac(key: &[u8], jti: &str, sub: &str, code: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for part in [jti, sub, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn the_challenge_holds_a_keyed_mac_of_jti_sub_and_code_only() {
    let (auth, _) = auth();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let claims = claims_of(&otp.challenge);
    let mac = unb64(claims["mac"].as_str().unwrap());
    assert_eq!(
        mac,
        code_mac(&derive(&SECRET, "otp-mac"), &otp.jti, "ada", &otp.code),
        "the MAC is keyed with the secret's otp-mac key"
    );
    // Without the key nothing recomputes it: an unkeyed hash or a MAC under a public key would
    // let anyone holding the challenge try every code offline.
    assert_ne!(mac, code_mac(b"", &otp.jti, "ada", &otp.code));
    let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["aud", "chn", "dig", "exp", "iat", "iss", "jti", "mac", "sub"]
    );
}

#[test]
fn the_code_never_appears_in_the_challenge() {
    let (auth, _) = auth();
    for _ in 0..2_000 {
        let otp = auth
            .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
            .unwrap();
        let claims = claims_of(&otp.challenge);
        for (name, value) in &claims {
            match value {
                Value::String(text) => {
                    assert!(!text.contains(&otp.code), "claim {name} holds the code")
                }
                Value::Number(n) => {
                    assert_ne!(n.to_string(), otp.code, "claim {name} is the code");
                    assert_ne!(n.as_u64(), otp.code.parse::<u64>().ok(), "claim {name}");
                }
                _ => {}
            }
        }
    }
    // Ten-digit codes cannot turn up in the payload by chance (the numeric claims are iat and
    // exp, ten digits that would have to equal the code): none appears anywhere in its text.
    let clock = Clock::new();
    let mut config = config();
    config.otp_digits = 10;
    let auth = auth_on(config, &clock);
    for _ in 0..2_000 {
        let otp = auth
            .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
            .unwrap();
        let text = payload_text(&otp.challenge);
        assert!(!text.contains(&otp.code), "{text} holds {}", otp.code);
        assert!(!otp.challenge.contains(&otp.code));
    }
}

/// The chi-square critical value for 9 degrees of freedom at p = 1e-9 (computed from the
/// closed-form survival function for odd degrees of freedom): a uniform source exceeds it once
/// in a billion runs.
const CHI2_9_P1E9: f64 = 60.66;

fn chi_square(counts: &[u64; 10]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / 10.0;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

#[test]
fn code_digits_are_uniform_overall_and_per_position() {
    let (auth, _) = auth();
    const CODES: usize = 20_000;
    let mut overall = [0u64; 10];
    let mut per_position = [[0u64; 10]; 6];
    for _ in 0..CODES {
        let otp = auth
            .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
            .unwrap();
        for (position, digit) in otp.code.bytes().enumerate() {
            let digit = usize::from(digit - b'0');
            overall[digit] += 1;
            per_position[position][digit] += 1;
        }
    }
    assert_eq!(overall.iter().sum::<u64>(), (CODES * 6) as u64);
    let statistic = chi_square(&overall);
    assert!(
        statistic < CHI2_9_P1E9,
        "digits not uniform: chi2 = {statistic:.2}, counts {overall:?}"
    );
    for (position, counts) in per_position.iter().enumerate() {
        let statistic = chi_square(counts);
        assert!(
            statistic < CHI2_9_P1E9,
            "position {position} not uniform: chi2 = {statistic:.2}, counts {counts:?}"
        );
    }
    // At this sample size the bound still catches a modulo bias such as `(7-bit value) % 10`
    // (8 digits at 13/128, 2 at 12/128): its expected statistic is about 117.
    let n = (CODES * 6) as f64;
    let biased: [u64; 10] =
        std::array::from_fn(|d| (n * if d < 8 { 13.0 } else { 12.0 } / 128.0).round() as u64);
    assert!(chi_square(&biased) > CHI2_9_P1E9, "{}", chi_square(&biased));
}
