//! Helpers shared by the flow tests (`tests/flows_*.rs`): a clock the test moves, an `Auth` on
//! it, the per-purpose keys derived outside edge-jwt (HKDF-SHA256 as the flows document it),
//! token surgery, a ledger that records what the flows ask of it, and a tiny future joiner.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use base64ct::{Base64UrlUnpadded, Encoding};
use edge_jwt::{
    block_on, Auth, AuthConfig, ErrorCode, JwtError, Ledger, MemoryLedger, NoLedger, OtpChannel,
    OtpRequest, Purpose, RefreshOptions, RotateOutcome, Rotation, SecondFactor,
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

pub const ISSUER: &str = "https://id.example";
pub const AUDIENCE: &str = "api";
pub const SECRET: [u8; 32] = *b"flows-test-secret-number-one-32b";
pub const SECRET_2: [u8; 32] = *b"flows-test-secret-number-two-32b";
pub const SECRET_3: [u8; 32] = *b"flows-test-secret-number-3-of-32";

/// "No ledger", typed.
pub const NO_LEDGER: Option<&NoLedger> = None;

/// A clock the test moves. It starts at the real time (floored) so that [`MemoryLedger`], which
/// expires its single-use entries by the real clock, keeps them for the tokens' lifetimes.
#[derive(Clone)]
pub struct Clock(Arc<AtomicU64>);

impl Clock {
    pub fn new() -> Clock {
        Clock::at(edge_jwt::now().floor())
    }
    pub fn at(seconds: f64) -> Clock {
        Clock(Arc::new(AtomicU64::new(seconds.to_bits())))
    }
    pub fn now(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::SeqCst))
    }
    pub fn set(&self, seconds: f64) {
        self.0.store(seconds.to_bits(), Ordering::SeqCst);
    }
    pub fn advance(&self, seconds: f64) {
        self.set(self.now() + seconds);
    }
}

/// A code of the same length as `code` with every digit different: surely wrong.
pub fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
        .collect()
}

/// `n` wrong guesses at `otp`, each `ERR_OTP_MISMATCH`.
pub fn guess_wrong(auth: &Auth, otp: &edge_jwt::OtpChallenge, ledger: &impl Ledger, n: usize) {
    let wrong = wrong_code(&otp.code);
    for _ in 0..n {
        assert_err(
            run(auth.verify_otp(&otp.challenge, &wrong, Some(ledger))),
            ErrorCode::OtpMismatch,
            None,
        );
    }
}

pub fn config() -> AuthConfig {
    AuthConfig::new(ISSUER, AUDIENCE, SECRET.to_vec())
}

/// An `Auth` of `config` on `clock`.
pub fn auth_on(config: AuthConfig, clock: &Clock) -> Auth {
    let clock = clock.clone();
    Auth::new(config).unwrap().with_clock(move || clock.now())
}

/// The default test `Auth` and its clock.
pub fn auth() -> (Auth, Clock) {
    let clock = Clock::new();
    (auth_on(config(), &clock), clock)
}

/// The error of `result`, failing the test when there was none.
pub fn err<T: std::fmt::Debug>(result: Result<T, JwtError>) -> JwtError {
    result.expect_err("expected an error")
}

/// Asserts `result` failed with `code` (and `claim` when given).
pub fn assert_err<T: std::fmt::Debug>(
    result: Result<T, JwtError>,
    code: ErrorCode,
    claim: Option<&str>,
) -> JwtError {
    let error = err(result);
    assert_eq!(error.code(), code, "{error}");
    if claim.is_some() {
        assert_eq!(error.claim(), claim, "{error}");
    }
    error
}

/// Presents `token` to the stateless verifier of `purpose`, the other inputs valid: `code` for
/// an OTP challenge; for a pending token, a fresh SMS challenge for "ada" and its code.
pub fn present(auth: &Auth, purpose: Purpose, token: &str, code: &str) -> Result<(), JwtError> {
    match purpose {
        Purpose::Access => auth
            .verify_access_token(token, &Default::default())
            .map(drop),
        Purpose::Refresh => {
            run(auth.refresh_session(token, RefreshOptions::default(), NO_LEDGER)).map(drop)
        }
        Purpose::MagicLink => run(auth.redeem_magic_link(token, NO_LEDGER)).map(drop),
        Purpose::Otp => run(auth.verify_otp(token, code, NO_LEDGER)).map(drop),
        Purpose::TwoFactor => {
            let otp = auth.create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))?;
            let factor = SecondFactor::Otp {
                challenge: otp.challenge,
            };
            run(auth.complete_two_factor(token, &factor, &otp.code, NO_LEDGER)).map(drop)
        }
    }
}

/// The HKDF `info` label of each purpose's key, as `src/flows/purpose.rs` documents it.
pub fn label(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Access => "access",
        Purpose::Refresh => "refresh",
        Purpose::MagicLink => "magic-link",
        Purpose::Otp => "otp-challenge",
        Purpose::TwoFactor => "2fa-pending",
    }
}

/// HKDF-SHA256(salt "edge-jwt/flows/v1", `secret`, info "edge-jwt/v1 <label>"), 32 bytes,
/// computed outside edge-jwt.
pub fn derive(secret: &[u8], label: &str) -> [u8; 32] {
    let hkdf = Hkdf::<Sha256>::new(Some(b"edge-jwt/flows/v1"), secret);
    let mut out = [0u8; 32];
    hkdf.expand(format!("edge-jwt/v1 {label}").as_bytes(), &mut out)
        .unwrap();
    out
}

/// The `kid` the flows give tokens made under `secret`.
pub fn kid_of(secret: &[u8]) -> String {
    b64(&derive(secret, "kid")[..9])
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

pub fn unb64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).expect("base64url")
}

fn segment_json(token: &str, index: usize) -> Map<String, Value> {
    let segment = token.split('.').nth(index).expect("a compact token");
    serde_json::from_slice(&unb64(segment)).expect("a JSON object")
}

pub fn header_of(token: &str) -> Map<String, Value> {
    segment_json(token, 0)
}

pub fn claims_of(token: &str) -> Map<String, Value> {
    segment_json(token, 1)
}

/// The decoded payload text of a token.
pub fn payload_text(token: &str) -> String {
    String::from_utf8(unb64(token.split('.').nth(1).unwrap())).unwrap()
}

/// The token with its header changed by `edit`, payload and signature kept.
pub fn reheader(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut header = header_of(token);
    edit(&mut header);
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        b64(serde_json::to_vec(&header).unwrap()),
        parts[1],
        parts[2]
    )
}

/// The token with its claims changed by `edit`, header and signature kept.
pub fn retamper(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut claims = claims_of(token);
    edit(&mut claims);
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        b64(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    )
}

/// A compact HS256 JWS of `header` and `claims` under the raw HMAC `key`, made outside edge-jwt.
pub fn hs256(key: &[u8], header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
    let input = format!(
        "{}.{}",
        b64(serde_json::to_vec(header).unwrap()),
        b64(serde_json::to_vec(claims).unwrap())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(mac.finalize().into_bytes()))
}

/// Polls every future in turn until all are ready: "concurrent" on one thread, the way a JS
/// event loop interleaves promises.
pub fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut pinned: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    while outputs.iter().any(Option::is_none) {
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
                    *output = Some(value);
                }
            }
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

/// A [`MemoryLedger`] that records the calls made to it. Its `rotate` yields once before it
/// acts, so joined refreshes really interleave.
#[derive(Default)]
pub struct RecordingLedger {
    pub inner: MemoryLedger,
    pub consumed: Mutex<Vec<(String, f64)>>,
    pub outcomes: Mutex<Vec<RotateOutcome>>,
}

impl RecordingLedger {
    pub fn new() -> RecordingLedger {
        RecordingLedger::default()
    }
    pub fn rotated(&self) -> usize {
        let outcomes = self.outcomes.lock().unwrap();
        outcomes
            .iter()
            .filter(|o| **o == RotateOutcome::Rotated)
            .count()
    }
}

/// Returns `Pending` once, then `Ready`.
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

pub fn yield_once() -> YieldOnce {
    YieldOnce(false)
}

impl Ledger for RecordingLedger {
    async fn consume(&self, id: &str, expires_at: f64) -> edge_jwt::Result<bool> {
        self.consumed
            .lock()
            .unwrap()
            .push((id.to_owned(), expires_at));
        self.inner.consume(id, expires_at).await
    }
    async fn count_attempt(&self, id: &str, expires_at: f64) -> edge_jwt::Result<u32> {
        self.inner.count_attempt(id, expires_at).await
    }
    async fn rotate(&self, rotation: Rotation<'_>) -> edge_jwt::Result<RotateOutcome> {
        yield_once().await;
        let outcome = self.inner.rotate(rotation).await?;
        self.outcomes.lock().unwrap().push(outcome.clone());
        Ok(outcome)
    }
    async fn revoke(&self, family: &str, expires_at: f64) -> edge_jwt::Result<()> {
        self.inner.revoke(family, expires_at).await
    }
    async fn is_revoked(&self, family: &str) -> edge_jwt::Result<bool> {
        self.inner.is_revoked(family).await
    }
}

/// A ledger whose every call fails, to show a ledger's failure is not swallowed.
pub struct FailingLedger;

fn down() -> JwtError {
    JwtError::new(ErrorCode::InvalidArgument, "ledger down")
}

impl Ledger for FailingLedger {
    async fn consume(&self, _: &str, _: f64) -> edge_jwt::Result<bool> {
        Err(down())
    }
    async fn count_attempt(&self, _: &str, _: f64) -> edge_jwt::Result<u32> {
        Err(down())
    }
    async fn rotate(&self, _: Rotation<'_>) -> edge_jwt::Result<RotateOutcome> {
        Err(down())
    }
    async fn revoke(&self, _: &str, _: f64) -> edge_jwt::Result<()> {
        Err(down())
    }
    async fn is_revoked(&self, _: &str) -> edge_jwt::Result<bool> {
        Err(down())
    }
}

/// `block_on` re-exported so test files need one import line.
pub fn run<F: Future>(future: F) -> F::Output {
    block_on(future)
}
