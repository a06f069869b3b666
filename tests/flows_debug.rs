//! Debug output (what `{:?}` writes into logs) of everything the flows return holds no bearer
//! token, link, code or successor session; only ids, times and kinds.

mod flows_support;

use edge_jwt::{
    MagicLinkRequest, OtpChannel, OtpRequest, RotateOutcome, Rotation, SessionRequest,
    TwoFactorRequest,
};
use flows_support::*;

/// Fails when `debug` contains any of `secrets` (or a JWT-looking run of text).
fn assert_no_secret(what: &str, debug: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !debug.contains(secret),
            "{what} Debug prints {secret:?}: {debug}"
        );
    }
    assert!(!debug.contains("eyJ"), "{what} Debug prints a JWT: {debug}");
}

#[test]
fn flow_results_redact_their_tokens_in_debug_output() {
    let (auth, _) = auth();
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let debug = format!("{session:?}");
    assert_no_secret(
        "Session",
        &debug,
        &[&session.access_token, &session.refresh_token],
    );
    assert!(
        debug.contains(&session.session_id),
        "the session id stays: {debug}"
    );

    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    let debug = format!("{link:?}");
    assert_no_secret("MagicLink", &debug, &[&link.token, &link.url]);
    assert!(debug.contains(&link.jti));

    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
        .unwrap();
    assert_no_secret(
        "TwoFactorPending",
        &format!("{pending:?}"),
        &[&pending.pending_token],
    );

    let otp = auth
        .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
        .unwrap();
    assert_no_secret(
        "OtpChallenge",
        &format!("{otp:?}"),
        &[&otp.code, &otp.challenge],
    );

    let successor = serde_json::to_string(&session).unwrap();
    let rotation = Rotation {
        family: &session.session_id,
        generation: 0,
        successor: &successor,
        now: 0.0,
        grace: 10.0,
        expires_at: 60.0,
    };
    assert_no_secret(
        "Rotation",
        &format!("{rotation:?}"),
        &[&session.refresh_token],
    );
    let outcome = RotateOutcome::Grace(successor.clone());
    assert_no_secret(
        "RotateOutcome",
        &format!("{outcome:?}"),
        &[&session.refresh_token],
    );
}
