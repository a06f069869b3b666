//! Two-factor sign-in: a pending token after the first factor, completed by an SMS/email code
//! or a TOTP code into a session whose `amr` lists both factors and "mfa"; codes for another
//! user, methods not enabled, expiry, and single use of the pending token with a ledger.

mod flows_support;

use edge_jwt::{
    totp_code, ErrorCode, MemoryLedger, OtpChannel, OtpRequest, SecondFactor, TotpParams,
    TwoFactorRequest,
};
use flows_support::*;
use serde_json::json;

const TOTP_SECRET: &[u8] = b"12345678901234567890";

fn otp_for(auth: &edge_jwt::Auth, sub: &str, channel: OtpChannel) -> (SecondFactor, String) {
    let otp = auth
        .create_otp_challenge(&OtpRequest::new(sub, channel))
        .unwrap();
    (
        SecondFactor::Otp {
            challenge: otp.challenge,
        },
        otp.code,
    )
}

fn totp(clock: &Clock) -> (SecondFactor, String) {
    let params = TotpParams::default();
    (
        SecondFactor::Totp {
            secret: TOTP_SECRET.to_vec(),
            params,
        },
        totp_code(TOTP_SECRET, clock.now(), &params).unwrap(),
    )
}

#[test]
fn each_second_factor_completes_a_session_with_its_amr() {
    let (auth, clock) = auth();
    let ledger = MemoryLedger::new();
    let cases = [
        (OtpChannel::Sms, "sms", "sms"),
        (OtpChannel::Email, "email", "otp"),
    ];
    for (channel, method, amr) in cases {
        let request = TwoFactorRequest {
            role: Some("admin".into()),
            scope: Some("read".into()),
            claims: serde_json::from_value(json!({ "tenant": "t1" })).unwrap(),
            ..TwoFactorRequest::new("ada", [method])
        };
        let pending = auth.begin_two_factor(&request).unwrap();
        assert_eq!(pending.methods, [method]);
        assert_eq!(pending.expires_at, clock.now() + 300.0);
        assert_eq!(header_of(&pending.pending_token)["typ"], "2fa-pending+jwt");
        let (factor, code) = otp_for(&auth, "ada", channel);
        let session =
            run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger)))
                .unwrap();
        let claims = auth
            .verify_access_token(&session.access_token, &Default::default())
            .unwrap();
        assert_eq!(claims["amr"], json!(["pwd", amr, "mfa"]), "{method}");
        assert_eq!(claims["sub"], "ada");
        assert_eq!(claims["sid"], session.session_id.as_str());
        assert_eq!(claims["role"], "admin");
        assert_eq!(claims["scope"], "read");
        assert_eq!(claims["tenant"], "t1");
        // The amr survives refreshes.
        let next =
            run(auth.refresh_session(&session.refresh_token, Default::default(), Some(&ledger)))
                .unwrap();
        let refreshed = auth
            .verify_access_token(&next.access_token, &Default::default())
            .unwrap();
        assert_eq!(refreshed["amr"], json!(["pwd", amr, "mfa"]));
    }
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms", "totp"]))
        .unwrap();
    let (factor, code) = totp(&clock);
    let session =
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger)))
            .unwrap();
    let claims = auth
        .verify_access_token(&session.access_token, &Default::default())
        .unwrap();
    assert_eq!(claims["amr"], json!(["pwd", "otp", "mfa"]));
}

#[test]
fn first_factors_other_than_a_password_are_kept() {
    let (auth, _) = auth();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest {
            amr: vec!["hwk".into()],
            ..TwoFactorRequest::new("ada", ["sms"])
        })
        .unwrap();
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    let session =
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, NO_LEDGER)).unwrap();
    let claims = auth
        .verify_access_token(&session.access_token, &Default::default())
        .unwrap();
    assert_eq!(claims["amr"], json!(["hwk", "sms", "mfa"]));
}

#[test]
fn a_code_sent_for_another_user_is_err_subject_mismatch() {
    let (auth, _) = auth();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    let (factor, code) = otp_for(&auth, "mallory", OtpChannel::Sms);
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, NO_LEDGER)),
        ErrorCode::SubjectMismatch,
        Some("sub"),
    );
}

#[test]
fn a_method_not_enabled_for_the_user_is_refused() {
    let (auth, clock) = auth();
    let cases = [
        ("sms", otp_for(&auth, "ada", OtpChannel::Email)),
        ("sms", totp(&clock)),
        ("email", otp_for(&auth, "ada", OtpChannel::Sms)),
        ("totp", otp_for(&auth, "ada", OtpChannel::Sms)),
    ];
    for (enabled, (factor, code)) in cases {
        let pending = auth
            .begin_two_factor(&TwoFactorRequest::new("ada", [enabled]))
            .unwrap();
        assert_err(
            run(auth.complete_two_factor(&pending.pending_token, &factor, &code, NO_LEDGER)),
            ErrorCode::JwtClaimValidationFailed,
            Some("mth"),
        );
    }
}

#[test]
fn begin_refuses_unknown_or_missing_methods() {
    let (auth, _) = auth();
    for methods in [vec![], vec!["pwd"], vec!["sms", "voice"], vec!["SMS"]] {
        assert_err(
            auth.begin_two_factor(&TwoFactorRequest::new("ada", methods)),
            ErrorCode::InvalidArgument,
            Some("methods"),
        );
    }
    assert_err(
        auth.begin_two_factor(&TwoFactorRequest::new("", ["sms"])),
        ErrorCode::InvalidArgument,
        Some("sub"),
    );
}

#[test]
fn with_a_ledger_the_pending_token_is_single_use() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger))).unwrap();
    // A second code, correct for the user, does not complete the same pending sign-in again.
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    // The same code cannot complete another pending sign-in either.
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    let other = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    run(auth.complete_two_factor(&other.pending_token, &factor, &code, Some(&ledger))).unwrap();
    let third = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    assert_err(
        run(auth.complete_two_factor(&third.pending_token, &factor, &code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
}

#[test]
fn otp_attempts_are_counted_through_two_factor() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    let wrong: String = code
        .chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
        .collect();
    for _ in 0..5 {
        assert_err(
            run(auth.complete_two_factor(&pending.pending_token, &factor, &wrong, Some(&ledger))),
            ErrorCode::OtpMismatch,
            None,
        );
    }
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger))),
        ErrorCode::OtpAttemptsExceeded,
        None,
    );
}

#[test]
fn the_pending_token_expires_and_cannot_be_tampered_with() {
    let (auth, clock) = auth();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    let widened = retamper(&pending.pending_token, |c| {
        c.insert("sub".into(), "root".into());
    });
    let (factor, code) = otp_for(&auth, "root", OtpChannel::Sms);
    assert_err(
        run(auth.complete_two_factor(&widened, &factor, &code, NO_LEDGER)),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
    clock.advance(300.0);
    let (factor, code) = otp_for(&auth, "ada", OtpChannel::Sms);
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, NO_LEDGER)),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
}

#[test]
fn a_mismatched_second_factor_does_not_use_up_the_code() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    // Bob's sign-in code, posted to Ada's two-factor step, and an email code for an SMS-only
    // user: both refused before the ledger is touched...
    let (bob_factor, bob_code) = otp_for(&auth, "bob", OtpChannel::Sms);
    let (email_factor, email_code) = otp_for(&auth, "ada", OtpChannel::Email);
    let mismatched = [
        (&bob_factor, &bob_code, ErrorCode::SubjectMismatch),
        (
            &email_factor,
            &email_code,
            ErrorCode::JwtClaimValidationFailed,
        ),
    ];
    for (factor, code, expected) in mismatched {
        let err =
            run(auth.complete_two_factor(&pending.pending_token, factor, code, Some(&ledger)))
                .unwrap_err();
        assert_eq!(err.code(), expected);
    }
    // ...so both codes still work where they belong.
    for (factor, code) in [(&bob_factor, &bob_code), (&email_factor, &email_code)] {
        let SecondFactor::Otp { challenge } = factor else {
            unreachable!()
        };
        assert!(run(auth.verify_otp(challenge, code, Some(&ledger))).is_ok());
    }
}

#[test]
fn totp_guesses_are_limited_per_pending_token() {
    // Without a limit, 10^6 codes (about 3 valid at a time) can be tried while the pending token
    // lives. With a ledger: otp_max_attempts guesses, then even the right code is refused.
    let (auth, clock) = auth();
    let ledger = MemoryLedger::new();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["totp"]))
        .unwrap();
    let (factor, code) = totp(&clock);
    let params = TotpParams::default();
    let valid: Vec<String> = [-30.0, 0.0, 30.0]
        .iter()
        .map(|dt| totp_code(TOTP_SECRET, clock.now() + dt, &params).unwrap())
        .collect();
    let wrong: Vec<String> = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .filter(|c| !valid.contains(c))
        .take(5)
        .collect();
    for guess in &wrong {
        assert_err(
            run(auth.complete_two_factor(&pending.pending_token, &factor, guess, Some(&ledger))),
            ErrorCode::OtpMismatch,
            None,
        );
    }
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &code, Some(&ledger))),
        ErrorCode::OtpAttemptsExceeded,
        None,
    );
    // A new pending token (the first factor again) starts a new count.
    let again = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["totp"]))
        .unwrap();
    run(auth.complete_two_factor(&again.pending_token, &factor, &code, Some(&ledger))).unwrap();
}
