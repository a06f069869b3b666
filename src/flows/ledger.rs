//! The state the flows need where security needs state: single use of an id, attempt counting,
//! refresh-family generations and revocation. [`MemoryLedger`] serves tests and one process; a
//! deployment backs the trait with a strongly consistent store (the reference worker uses a
//! Durable Object). An eventually consistent store (Workers KV) must never back it.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::Result;

/// A request to advance a refresh family from `generation` to `generation + 1`.
///
/// ```
/// let r = edge_jwt::Rotation { family: "sid", generation: 0, successor: "{}", now: 0.0, grace: 10.0, expires_at: 60.0 };
/// assert_eq!(r.generation, 0);
/// ```
#[derive(Clone, Copy)]
pub struct Rotation<'a> {
    /// The session family (its `sid`).
    pub family: &'a str,
    /// The generation of the refresh token presented.
    pub generation: u64,
    /// The serialised successor session, returned to racing callers within the grace window.
    pub successor: &'a str,
    /// The time of the request, in seconds.
    pub now: f64,
    /// Seconds during which the previous generation may be presented again (racing tabs).
    pub grace: f64,
    /// When the family's record may be forgotten (the session's absolute expiry).
    pub expires_at: f64,
}

/// The successor holds live tokens: Debug output (logs) leaves it out.
impl std::fmt::Debug for Rotation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rotation")
            .field("family", &self.family)
            .field("generation", &self.generation)
            .field("successor", &"[redacted]")
            .field("now", &self.now)
            .field("grace", &self.grace)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a [`Ledger::rotate`] did.
///
/// ```
/// assert_ne!(edge_jwt::RotateOutcome::Rotated, edge_jwt::RotateOutcome::Reused);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The generation was current: the family moved on to the successor.
    Rotated,
    /// The previous generation, presented again within the grace window: here is the successor
    /// already issued.
    Grace(String),
    /// An older generation was presented: the family is now revoked.
    Reused,
    /// The family was revoked earlier.
    Revoked,
}

/// The successor session of `Grace` holds live tokens: Debug output leaves it out.
impl std::fmt::Debug for RotateOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RotateOutcome::Rotated => "Rotated",
            RotateOutcome::Grace(_) => "Grace([redacted])",
            RotateOutcome::Reused => "Reused",
            RotateOutcome::Revoked => "Revoked",
        })
    }
}

/// Storage for the stateful parts of the flows. Each method must be atomic with respect to the
/// others for the same id or family.
///
/// ```
/// use edge_jwt::{Ledger, MemoryLedger};
/// edge_jwt::block_on(async {
///     let ledger = MemoryLedger::new();
///     assert!(ledger.consume("link-1", 1e10).await.unwrap());
///     assert!(!ledger.consume("link-1", 1e10).await.unwrap());
/// });
/// ```
#[allow(async_fn_in_trait)]
pub trait Ledger {
    /// Marks `id` as used until `expires_at` (seconds). True the first time, false afterwards.
    async fn consume(&self, id: &str, expires_at: f64) -> Result<bool>;
    /// Counts one attempt at `id` (kept until `expires_at`) and returns the count so far,
    /// this one included.
    async fn count_attempt(&self, id: &str, expires_at: f64) -> Result<u32>;
    /// Compare-and-set on a refresh family's generation (see [`RotateOutcome`]).
    async fn rotate(&self, rotation: Rotation<'_>) -> Result<RotateOutcome>;
    /// Revokes a family until `expires_at`.
    async fn revoke(&self, family: &str, expires_at: f64) -> Result<()>;
    /// True when the family was revoked.
    async fn is_revoked(&self, family: &str) -> Result<bool>;
}

/// "No ledger": the stateless flows. Lets `None::<&NoLedger>` name the type.
///
/// ```
/// let none: Option<&edge_jwt::NoLedger> = None;
/// assert!(none.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLedger;

impl Ledger for NoLedger {
    async fn consume(&self, _: &str, _: f64) -> Result<bool> {
        Ok(true)
    }
    async fn count_attempt(&self, _: &str, _: f64) -> Result<u32> {
        Ok(1)
    }
    async fn rotate(&self, _: Rotation<'_>) -> Result<RotateOutcome> {
        Ok(RotateOutcome::Rotated)
    }
    async fn revoke(&self, _: &str, _: f64) -> Result<()> {
        Ok(())
    }
    async fn is_revoked(&self, _: &str) -> Result<bool> {
        Ok(false)
    }
}

#[derive(Debug, Clone)]
struct Family {
    generation: u64,
    revoked: bool,
    last: Option<(u64, f64, String)>,
    expires_at: f64,
}

#[derive(Debug, Default)]
struct State {
    used: HashMap<String, f64>,
    attempts: HashMap<String, (u32, f64)>,
    families: HashMap<String, Family>,
    writes: u64,
}

impl State {
    /// Drops expired entries now and then (every 256 writes).
    fn sweep(&mut self, now: f64) {
        self.writes += 1;
        if self.writes % 256 == 0 {
            self.used.retain(|_, exp| *exp > now);
            self.attempts.retain(|_, (_, exp)| *exp > now);
            self.families.retain(|_, f| f.expires_at > now);
        }
    }
}

/// An in-memory [`Ledger`] for tests and a single process. Safe under concurrent calls: every
/// method runs under one lock, without awaiting inside.
///
/// ```
/// use edge_jwt::{Ledger, MemoryLedger};
/// let ledger = MemoryLedger::new();
/// edge_jwt::block_on(async {
///     assert_eq!(ledger.count_attempt("otp-1", 1e10).await.unwrap(), 1);
///     assert_eq!(ledger.count_attempt("otp-1", 1e10).await.unwrap(), 2);
/// });
/// ```
#[derive(Default)]
pub struct MemoryLedger {
    state: Mutex<State>,
    clock: Option<Box<dyn Fn() -> f64 + Send + Sync>>,
}

impl std::fmt::Debug for MemoryLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryLedger").finish_non_exhaustive()
    }
}

impl MemoryLedger {
    /// An empty ledger.
    ///
    /// ```
    /// let _ledger = edge_jwt::MemoryLedger::new();
    /// ```
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }

    /// A ledger that judges expiry by `clock` (seconds since the epoch) instead of the system
    /// clock: give it the same clock as [`Auth::with_clock`](crate::Auth::with_clock) in tests.
    ///
    /// ```
    /// use edge_jwt::{block_on, Ledger, MemoryLedger};
    /// let ledger = MemoryLedger::with_clock(|| 1_000.0);
    /// block_on(async {
    ///     assert!(ledger.consume("id", 2_000.0).await.unwrap());
    ///     assert!(!ledger.consume("id", 2_000.0).await.unwrap());
    /// });
    /// ```
    pub fn with_clock(clock: impl Fn() -> f64 + Send + Sync + 'static) -> MemoryLedger {
        MemoryLedger {
            state: Mutex::default(),
            clock: Some(Box::new(clock)),
        }
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or_else(crate::now, |clock| clock())
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut guard = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }
}

impl Ledger for MemoryLedger {
    async fn consume(&self, id: &str, expires_at: f64) -> Result<bool> {
        let now = self.now();
        Ok(self.with(|s| {
            s.sweep(now);
            match s.used.get(id) {
                Some(exp) if *exp > now => false,
                _ => {
                    s.used.insert(id.to_owned(), expires_at);
                    true
                }
            }
        }))
    }

    async fn count_attempt(&self, id: &str, expires_at: f64) -> Result<u32> {
        let now = self.now();
        Ok(self.with(|s| {
            s.sweep(now);
            let entry = s.attempts.entry(id.to_owned()).or_insert((0, expires_at));
            if entry.1 <= now {
                *entry = (0, expires_at);
            }
            entry.0 = entry.0.saturating_add(1);
            entry.0
        }))
    }

    async fn rotate(&self, r: Rotation<'_>) -> Result<RotateOutcome> {
        Ok(self.with(|s| {
            let now = self.now();
            s.sweep(now);
            // A family past its expiry is forgotten, whether or not a sweep removed it yet.
            let fresh = Family {
                generation: r.generation,
                revoked: false,
                last: None,
                expires_at: r.expires_at,
            };
            let family = s
                .families
                .entry(r.family.to_owned())
                .or_insert(fresh.clone());
            if family.expires_at <= now {
                *family = fresh;
            }
            rotate_family(family, &r)
        }))
    }

    async fn revoke(&self, family: &str, expires_at: f64) -> Result<()> {
        self.with(|s| {
            let entry = s.families.entry(family.to_owned()).or_insert(Family {
                generation: 0,
                revoked: true,
                last: None,
                expires_at,
            });
            entry.revoked = true;
            entry.expires_at = entry.expires_at.max(expires_at);
        });
        Ok(())
    }

    async fn is_revoked(&self, family: &str) -> Result<bool> {
        let now = self.now();
        Ok(self.with(|s| {
            s.families
                .get(family)
                .is_some_and(|f| f.revoked && f.expires_at > now)
        }))
    }
}

/// The refresh-family state machine shared by the Rust ledgers.
fn rotate_family(family: &mut Family, r: &Rotation<'_>) -> RotateOutcome {
    if family.revoked {
        return RotateOutcome::Revoked;
    }
    if r.generation == family.generation {
        family.generation += 1;
        family.last = Some((r.generation, r.now, r.successor.to_owned()));
        return RotateOutcome::Rotated;
    }
    if let Some((from, at, successor)) = &family.last {
        if *from == r.generation && r.grace > 0.0 && r.now - at <= r.grace {
            return RotateOutcome::Grace(successor.clone());
        }
    }
    family.revoked = true;
    RotateOutcome::Reused
}

/// Runs a future to completion on the current thread: for tests, doc examples and native
/// callers whose ledger never waits (like [`MemoryLedger`]).
///
/// ```
/// assert_eq!(edge_jwt::block_on(async { 2 + 2 }), 4);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}
