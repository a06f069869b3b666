//! With a `leeway`, flow tokens still verify for that long after `exp`: everything the ledger
//! remembers about them (a used link or code, an attempt count, a revoked session) must last at
//! least as long, or a replay inside the leeway succeeds. Each test puts the ledger on the same
//! clock as `Auth` and replays just before `exp + leeway`.

mod flows_support;

use edge_jwt::{
    Auth, ErrorCode, MagicLinkRequest, MemoryLedger, OtpChannel, OtpRequest, RefreshOptions,
    SecondFactor, SessionRequest, TwoFactorRequest,
};
use flows_support::*;

const LEEWAY: f64 = 60.0;

/// An `Auth` with a 60 s leeway and a ledger, both on one test clock.
fn setup() -> (Auth, MemoryLedger, Clock) {
    let clock = Clock::new();
    let mut config = config();
    config.leeway = LEEWAY;
    config.magic_link_ttl = 600.0;
    config.otp_ttl = 300.0;
    config.two_factor_ttl = 300.0;
    let auth = auth_on(config, &clock);
    let ledger_clock = clock.clone();
    let ledger = MemoryLedger::with_clock(move || ledger_clock.now());
    (auth, ledger, clock)
}

#[test]
fn a_used_magic_link_stays_used_inside_the_leeway() {
    let (auth, ledger, clock) = setup();
    let start = clock.now();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    run(auth.redeem_magic_link(&link.url, Some(&ledger))).unwrap();
    // Past exp, still inside the leeway: the token verifies, so only the ledger refuses it.
    clock.set(start + 600.0 + LEEWAY - 1.0);
    assert_err(
        run(auth.redeem_magic_link(&link.url, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
}

#[test]
fn a_used_code_stays_used_inside_the_leeway() {
    let (auth, ledger, clock) = setup();
    let start = clock.now();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))).unwrap();
    clock.set(start + 300.0 + LEEWAY - 1.0);
    assert_err(
        run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
}

#[test]
fn exhausted_attempts_stay_exhausted_inside_the_leeway() {
    let (auth, ledger, clock) = setup();
    let start = clock.now();
    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    guess_wrong(&auth, &otp, &ledger, 5);
    clock.set(start + 300.0 + LEEWAY - 1.0);
    assert_err(
        run(auth.verify_otp(&otp.challenge, &otp.code, Some(&ledger))),
        ErrorCode::OtpAttemptsExceeded,
        None,
    );
}

#[test]
fn a_completed_two_factor_sign_in_stays_completed_inside_the_leeway() {
    let (auth, ledger, clock) = setup();
    let start = clock.now();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    let first = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let factor = SecondFactor::Otp {
        challenge: first.challenge,
    };
    run(auth.complete_two_factor(&pending.pending_token, &factor, &first.code, Some(&ledger)))
        .unwrap();
    // A fresh code (its own challenge still valid), the old pending token inside the leeway.
    clock.set(start + 300.0 + LEEWAY - 1.0);
    let second = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    let factor = SecondFactor::Otp {
        challenge: second.challenge,
    };
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &factor, &second.code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
}

#[test]
fn a_session_revoked_by_reuse_stays_revoked_inside_the_leeway() {
    let clock = Clock::new();
    let start = clock.now();
    let mut config = config();
    config.leeway = LEEWAY;
    config.refresh_ttl = 1800.0;
    config.session_max_age = 1800.0;
    config.refresh_reuse_grace = 0.0;
    let auth = auth_on(config, &clock);
    let ledger_clock = clock.clone();
    let ledger = MemoryLedger::with_clock(move || ledger_clock.now());
    let refresh =
        |token: &str| run(auth.refresh_session(token, RefreshOptions::default(), Some(&ledger)));

    let stolen = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    clock.advance(1.0);
    refresh(&stolen.refresh_token).unwrap();
    clock.advance(1.0);
    assert_err(refresh(&stolen.refresh_token), ErrorCode::TokenReused, None);
    // The session's end has passed, but the leeway still lets its last tokens verify.
    clock.set(start + 1800.0 + LEEWAY - 1.0);
    assert_err(
        refresh(&stolen.refresh_token),
        ErrorCode::SessionRevoked,
        None,
    );
}
