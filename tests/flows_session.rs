//! Sessions: access + rotating refresh tokens. Rotation, the grace window for racing callers,
//! reuse detection (the whole family is revoked), revocation, the access token presented with
//! the refresh (sub/sid must match; expiry ignored within a bound), the absolute session
//! lifetime, expiry, and 100 concurrent refreshes of one token.

mod flows_support;

use std::sync::Barrier;

use edge_jwt::{
    AccessRequest, Auth, ErrorCode, Ledger, MemoryLedger, RefreshOptions, RotateOutcome, Rotation,
    Session, SessionRequest,
};
use flows_support::*;
use serde_json::json;

fn refresh(auth: &Auth, token: &str, ledger: &impl Ledger) -> Result<Session, edge_jwt::JwtError> {
    run(auth.refresh_session(token, RefreshOptions::default(), Some(ledger)))
}

fn with_access(auth: &Auth, refresh: &str, access: &str) -> Result<Session, edge_jwt::JwtError> {
    let options = RefreshOptions {
        access_token: Some(access),
    };
    run(auth.refresh_session(refresh, options, NO_LEDGER))
}

fn generation(token: &str) -> u64 {
    claims_of(token)["gen"].as_u64().unwrap()
}

#[test]
fn a_session_is_an_access_and_a_refresh_token_of_one_sid() {
    let (auth, clock) = auth();
    let request = SessionRequest {
        role: Some("admin".into()),
        scope: Some("read write".into()),
        claims: serde_json::from_value(json!({ "tenant": "t1" })).unwrap(),
        amr: vec!["pwd".into()],
        ..SessionRequest::new("ada")
    };
    let session = auth.issue_session(&request).unwrap();
    assert_eq!(session.token_type, "Bearer");
    assert_eq!(session.expires_in, 900);
    assert_eq!(session.refresh_expires_in, 30 * 86_400);
    let access = auth
        .verify_access_token(&session.access_token, &Default::default())
        .unwrap();
    assert_eq!(access["sub"], "ada");
    assert_eq!(access["sid"], session.session_id.as_str());
    assert_eq!(access["role"], "admin");
    assert_eq!(access["scope"], "read write");
    assert_eq!(access["tenant"], "t1");
    assert_eq!(access["amr"], json!(["pwd"]));
    assert_eq!(access["exp"], json!(clock.now() as u64 + 900));
    let refresh_claims = claims_of(&session.refresh_token);
    assert_eq!(refresh_claims["sid"], session.session_id.as_str());
    assert_eq!(refresh_claims["gen"], 0);
    assert_eq!(header_of(&session.refresh_token)["typ"], "refresh+jwt");
    assert_eq!(header_of(&session.access_token)["typ"], "at+jwt");

    // Each refresh: the next generation, the same sid, the same role/scope/claims/amr.
    clock.advance(60.0);
    let next =
        run(auth.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER))
            .unwrap();
    assert_eq!(next.session_id, session.session_id);
    assert_eq!(generation(&next.refresh_token), 1);
    let access = auth
        .verify_access_token(&next.access_token, &Default::default())
        .unwrap();
    for name in ["sub", "sid", "role", "scope", "tenant", "amr"] {
        assert_eq!(
            access[name],
            auth.verify_access_token(&session.access_token, &Default::default())
                .unwrap()[name],
            "{name}"
        );
    }
    assert_ne!(next.access_token, session.access_token);
    // Two sessions of one user are different families.
    let other = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    assert_ne!(other.session_id, session.session_id);
}

#[test]
fn session_requests_cannot_set_reserved_claims_or_a_bad_sub() {
    let (auth, _) = auth();
    for name in ["sid", "gen", "exp", "iss", "amr"] {
        let request = SessionRequest {
            claims: serde_json::from_value(json!({ name: "x" })).unwrap(),
            ..SessionRequest::new("ada")
        };
        assert_err(
            auth.issue_session(&request),
            ErrorCode::InvalidArgument,
            Some(name),
        );
    }
    assert_err(
        auth.issue_session(&SessionRequest::new("")),
        ErrorCode::InvalidArgument,
        Some("sub"),
    );
    assert_err(
        auth.issue_session(&SessionRequest::new("x".repeat(256))),
        ErrorCode::InvalidArgument,
        Some("sub"),
    );
}

#[test]
fn rotation_with_a_ledger_replay_within_grace_returns_the_same_successor() {
    let (auth, clock) = auth();
    let ledger = MemoryLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    clock.advance(100.0);
    let second = refresh(&auth, &first.refresh_token, &ledger).unwrap();
    assert_eq!(generation(&second.refresh_token), 1);
    // A racing tab presents `first` again, within refreshReuseGrace (10 s): same successor.
    clock.advance(10.0);
    let again = refresh(&auth, &first.refresh_token, &ledger).unwrap();
    assert_eq!(again, second);
    // The family was not revoked by that.
    assert!(!run(ledger.is_revoked(&first.session_id)).unwrap());
    let third = refresh(&auth, &second.refresh_token, &ledger).unwrap();
    assert_eq!(generation(&third.refresh_token), 2);
}

#[test]
fn replay_after_the_grace_window_revokes_the_family() {
    let (auth, clock) = auth();
    let ledger = MemoryLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let second = refresh(&auth, &first.refresh_token, &ledger).unwrap();
    clock.advance(11.0);
    assert_err(
        refresh(&auth, &first.refresh_token, &ledger),
        ErrorCode::TokenReused,
        None,
    );
    assert!(run(ledger.is_revoked(&first.session_id)).unwrap());
    // The newest token, the thief's or the user's, is dead too.
    assert_err(
        refresh(&auth, &second.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
    assert_err(
        refresh(&auth, &first.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
}

#[test]
fn a_token_two_generations_old_is_reuse_even_within_grace() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let second = refresh(&auth, &first.refresh_token, &ledger).unwrap();
    let third = refresh(&auth, &second.refresh_token, &ledger).unwrap();
    assert_err(
        refresh(&auth, &first.refresh_token, &ledger),
        ErrorCode::TokenReused,
        None,
    );
    assert_err(
        refresh(&auth, &third.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
}

#[test]
fn a_zero_grace_makes_every_replay_reuse() {
    let clock = Clock::new();
    let mut config = config();
    config.refresh_reuse_grace = 0.0;
    let auth = auth_on(config, &clock);
    let ledger = MemoryLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    refresh(&auth, &first.refresh_token, &ledger).unwrap();
    clock.advance(1.0);
    assert_err(
        refresh(&auth, &first.refresh_token, &ledger),
        ErrorCode::TokenReused,
        None,
    );
}

#[test]
fn a_revoked_session_refreshes_no_more_and_other_sessions_are_untouched() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let other = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let next = refresh(&auth, &session.refresh_token, &ledger).unwrap();
    run(auth.revoke_session(&session.session_id, &ledger)).unwrap();
    assert!(run(ledger.is_revoked(&session.session_id)).unwrap());
    assert_err(
        refresh(&auth, &next.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
    assert_err(
        refresh(&auth, &session.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
    refresh(&auth, &other.refresh_token, &ledger).unwrap();
    // A session revoked before its first refresh is refused too.
    let fresh = auth.issue_session(&SessionRequest::new("bob")).unwrap();
    run(auth.revoke_session(&fresh.session_id, &ledger)).unwrap();
    assert_err(
        refresh(&auth, &fresh.refresh_token, &ledger),
        ErrorCode::SessionRevoked,
        None,
    );
    assert_err(
        run(auth.revoke_session("", &ledger)),
        ErrorCode::InvalidArgument,
        None,
    );
}

#[test]
fn without_a_ledger_refresh_is_stateless_and_cannot_see_reuse() {
    let (auth, _) = auth();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    for _ in 0..3 {
        let next =
            run(auth.refresh_session(&first.refresh_token, RefreshOptions::default(), NO_LEDGER))
                .unwrap();
        assert_eq!(generation(&next.refresh_token), 1);
    }
}

#[test]
fn the_access_token_must_match_the_refresh_tokens_sub_and_sid() {
    let (auth, _) = auth();
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    with_access(&auth, &session.refresh_token, &session.access_token).unwrap();
    // Another session of the same user: sid differs.
    let other = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    assert_err(
        with_access(&auth, &session.refresh_token, &other.access_token),
        ErrorCode::SubjectMismatch,
        Some("sid"),
    );
    // Another user.
    let bob = auth.issue_session(&SessionRequest::new("bob")).unwrap();
    assert_err(
        with_access(&auth, &session.refresh_token, &bob.access_token),
        ErrorCode::SubjectMismatch,
        Some("sub"),
    );
    // Another user who claims the same sid.
    let forged_sid = auth
        .issue_access_token(&AccessRequest {
            sid: Some(session.session_id.clone()),
            ..AccessRequest::new("mallory")
        })
        .unwrap();
    assert_err(
        with_access(&auth, &session.refresh_token, &forged_sid),
        ErrorCode::SubjectMismatch,
        Some("sub"),
    );
    // An access token of the user with no session at all.
    let bare = auth.issue_access_token(&AccessRequest::new("ada")).unwrap();
    assert_err(
        with_access(&auth, &session.refresh_token, &bare),
        ErrorCode::SubjectMismatch,
        Some("sid"),
    );
    // Its signature must be valid.
    let tampered = retamper(&session.access_token, |c| {
        c.insert("role".into(), "admin".into());
    });
    assert_err(
        with_access(&auth, &session.refresh_token, &tampered),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
}

#[test]
fn an_expired_access_token_is_accepted_beside_a_valid_refresh_within_the_bound() {
    let clock = Clock::new();
    let mut config = config();
    config.access_ttl = 600.0;
    config.refresh_ttl = 1800.0;
    let auth = auth_on(config, &clock);
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    clock.advance(1000.0);
    assert_err(
        auth.verify_access_token(&first.access_token, &Default::default()),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
    let second = with_access(&auth, &first.refresh_token, &first.access_token).unwrap();
    // 2500 s after issue: the first access token expired 1900 s ago, more than refreshTtl.
    clock.advance(1500.0);
    assert_err(
        with_access(&auth, &second.refresh_token, &first.access_token),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
    with_access(&auth, &second.refresh_token, &second.access_token).unwrap();
}

#[test]
fn an_expired_refresh_token_is_refused() {
    let clock = Clock::new();
    let mut config = config();
    config.refresh_ttl = 3600.0;
    let auth = auth_on(config, &clock);
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    clock.advance(3599.0);
    run(auth.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER))
        .unwrap();
    clock.advance(1.0);
    assert_err(
        run(auth.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER)),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
}

#[test]
fn the_absolute_session_lifetime_ends_refreshes() {
    let clock = Clock::new();
    let start = clock.now();
    let mut config = config();
    config.access_ttl = 600.0;
    config.refresh_ttl = 1800.0;
    config.session_max_age = 3600.0;
    let auth = auth_on(config, &clock);
    let ledger = MemoryLedger::new();
    let mut session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let session_end = claims_of(&session.refresh_token)["ses_exp"]
        .as_f64()
        .unwrap();
    assert_eq!(session_end, start + 3600.0);
    // Refreshing every 1000 s keeps the session going, never past its end.
    for step in 1..=3 {
        clock.set(start + 1000.0 * f64::from(step));
        session = refresh(&auth, &session.refresh_token, &ledger).unwrap();
        for token in [&session.access_token, &session.refresh_token] {
            assert!(claims_of(token)["exp"].as_f64().unwrap() <= session_end);
        }
    }
    // At 3000 s, 600 s are left: both lifetimes are cut to them.
    assert_eq!(session.refresh_expires_in, 600);
    assert_eq!(session.expires_in, 600);
    clock.set(start + 3599.0);
    session = refresh(&auth, &session.refresh_token, &ledger).unwrap();
    assert_eq!(session.refresh_expires_in, 1);
    clock.set(start + 3600.0);
    assert_err(
        refresh(&auth, &session.refresh_token, &ledger),
        ErrorCode::JwtExpired,
        None,
    );
}

#[test]
fn leeway_extends_the_end_of_a_session_by_exactly_the_leeway() {
    // With leeway the last refresh token is tolerated `leeway` seconds past the session's end,
    // not one second more.
    let clock = Clock::new();
    let start = clock.now();
    let mut config = config();
    config.refresh_ttl = 1800.0;
    config.session_max_age = 1800.0;
    config.leeway = 60.0;
    let auth = auth_on(config, &clock);
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    clock.set(start + 1859.0);
    run(auth.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER))
        .unwrap();
    clock.set(start + 1860.0);
    assert_err(
        run(auth.refresh_session(&session.refresh_token, RefreshOptions::default(), NO_LEDGER)),
        ErrorCode::JwtExpired,
        None,
    );
}

#[test]
fn a_failing_ledger_fails_the_refresh() {
    let (auth, _) = auth();
    let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let error = err(run(auth.refresh_session(
        &session.refresh_token,
        RefreshOptions::default(),
        Some(&FailingLedger),
    )));
    assert!(error.to_string().contains("ledger down"), "{error}");
    assert_err(
        run(auth.revoke_session(&session.session_id, &FailingLedger)),
        ErrorCode::InvalidArgument,
        None,
    );
}

/// The generation the ledger holds for `sid`, probed with a rotation of `expected` (which
/// advances it when it matches, so call this last).
fn ledger_is_at(ledger: &impl Ledger, sid: &str, expected: u64, now: f64) -> bool {
    let probe = Rotation {
        family: sid,
        generation: expected,
        successor: "{}",
        now,
        // A probe of the previous generation must not revoke the family: a grace long enough
        // to cover it makes that probe answer Grace instead of Reused.
        grace: 1e12,
        expires_at: now + 60.0,
    };
    run(ledger.rotate(probe)).unwrap() == RotateOutcome::Rotated
}

fn assert_one_generation(results: Vec<Result<Session, edge_jwt::JwtError>>, first: &Session) {
    assert_eq!(results.len(), 100);
    let sessions: Vec<Session> = results
        .into_iter()
        .map(|r| r.expect("every concurrent refresh succeeds within the grace window"))
        .collect();
    for session in &sessions {
        assert_eq!(session, &sessions[0], "all get the same successor");
    }
    assert_eq!(sessions[0].session_id, first.session_id);
    assert_eq!(generation(&sessions[0].refresh_token), 1);
}

#[test]
fn one_hundred_joined_refreshes_of_one_token_make_one_generation() {
    let (auth, clock) = auth();
    let ledger = RecordingLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let futures: Vec<_> = (0..100)
        .map(|_| {
            auth.refresh_session(
                &first.refresh_token,
                RefreshOptions::default(),
                Some(&ledger),
            )
        })
        .collect();
    let results = join_all(futures);
    assert_one_generation(results, &first);
    assert_eq!(ledger.rotated(), 1, "exactly one rotation");
    assert_eq!(ledger.outcomes.lock().unwrap().len(), 100);
    assert!(!ledger_is_at(
        &ledger.inner,
        &first.session_id,
        0,
        clock.now()
    ));
    assert!(ledger_is_at(
        &ledger.inner,
        &first.session_id,
        1,
        clock.now()
    ));
}

#[test]
fn one_hundred_refreshes_of_one_token_on_threads_make_one_generation() {
    let (auth, clock) = auth();
    let ledger = RecordingLedger::new();
    let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let barrier = Barrier::new(100);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    refresh(&auth, &first.refresh_token, &ledger)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_one_generation(results, &first);
    assert_eq!(ledger.rotated(), 1, "exactly one rotation");
    assert!(ledger_is_at(
        &ledger.inner,
        &first.session_id,
        1,
        clock.now()
    ));
}

#[test]
fn memory_ledger_rotation_rules() {
    let ledger = MemoryLedger::new();
    let at = |generation, now| Rotation {
        family: "f",
        generation,
        successor: "next",
        now,
        grace: 10.0,
        expires_at: 1e12,
    };
    assert_eq!(
        run(ledger.rotate(at(0, 100.0))).unwrap(),
        RotateOutcome::Rotated
    );
    assert_eq!(
        run(ledger.rotate(at(0, 110.0))).unwrap(),
        RotateOutcome::Grace("next".into())
    );
    assert_eq!(
        run(ledger.rotate(at(1, 111.0))).unwrap(),
        RotateOutcome::Rotated
    );
    assert_eq!(
        run(ledger.rotate(at(0, 112.0))).unwrap(),
        RotateOutcome::Reused
    );
    assert_eq!(
        run(ledger.rotate(at(2, 113.0))).unwrap(),
        RotateOutcome::Revoked
    );
    assert!(run(ledger.is_revoked("f")).unwrap());
    assert!(!run(ledger.is_revoked("g")).unwrap());
}

/// A faulty ledger that answers every rotation with another session as the "successor".
struct MixedUpLedger(String);

impl Ledger for MixedUpLedger {
    async fn consume(&self, _: &str, _: f64) -> Result<bool, edge_jwt::JwtError> {
        Ok(true)
    }
    async fn count_attempt(&self, _: &str, _: f64) -> Result<u32, edge_jwt::JwtError> {
        Ok(1)
    }
    async fn rotate(&self, _: Rotation<'_>) -> Result<RotateOutcome, edge_jwt::JwtError> {
        Ok(RotateOutcome::Grace(self.0.clone()))
    }
    async fn revoke(&self, _: &str, _: f64) -> Result<(), edge_jwt::JwtError> {
        Ok(())
    }
    async fn is_revoked(&self, _: &str) -> Result<bool, edge_jwt::JwtError> {
        Ok(false)
    }
}

#[test]
fn a_grace_successor_from_another_session_is_refused() {
    let (auth, _) = auth();
    let ada = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    let mallory = auth.issue_session(&SessionRequest::new("mallory")).unwrap();
    let ledger = MixedUpLedger(serde_json::to_string(&mallory).unwrap());
    assert_err(
        refresh(&auth, &ada.refresh_token, &ledger),
        ErrorCode::InvalidArgument,
        None,
    );
    // Its own successor is returned as it is.
    let own = MixedUpLedger(serde_json::to_string(&ada).unwrap());
    assert_eq!(refresh(&auth, &ada.refresh_token, &own).unwrap(), ada);
}
