//! Reading tokens WITHOUT verifying them: [`decode`], [`inspect`] and [`refresh_at`], for
//! displaying a token and scheduling its refresh in a browser. Never use them for decisions.

use serde_json::{Map, Value};

use crate::error::{JwtError, Result};
use crate::policy::numeric_date;
use crate::time::resolve_now;
use crate::token::{UntrustedToken, DEFAULT_MAX_TOKEN_SIZE};

/// A token's header and claims, decoded but NOT verified.
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::Decoded>();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// Decodes a token WITHOUT verifying its signature or claims. The parsing is as strict as
/// [`crate::verify`]'s: `ERR_JWS_INVALID` for a malformed token or header, `ERR_JWT_INVALID`
/// for claims that are not a JSON object.
///
/// ```
/// use edge_jwt::decode;
/// let d = decode("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2ln").unwrap();
/// assert_eq!(d.claims["sub"], "ada");
/// ```
pub fn decode(token: &str) -> Result<Decoded> {
    let untrusted = UntrustedToken::parse(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let claims = untrusted.decode_claims_unverified()?;
    Ok(Decoded {
        header: untrusted.header().fields().clone(),
        claims,
    })
}

/// What a token says about time, decoded WITHOUT verification. Times are seconds since the
/// epoch.
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::TokenInfo>();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// The header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// `iat`.
    pub issued_at: Option<f64>,
    /// `nbf`.
    pub not_before: Option<f64>,
    /// `exp`.
    pub expires_at: Option<f64>,
    /// Seconds left until `exp` (negative once expired).
    pub expires_in: Option<f64>,
    /// True when `now >= exp`.
    pub expired: bool,
}

/// Decodes a token (WITHOUT verification) and reads its times, judged at `now` (seconds) or by
/// the clock.
///
/// ```
/// use edge_jwt::{inspect, sign, Alg, Key, SignOptions};
/// let key = Key::generate(Alg::HS256).unwrap();
/// let opts = SignOptions { expires_in: Some(60.0), now: Some(1_000_000.0), ..Default::default() };
/// let token = sign(&Default::default(), &key, &opts).unwrap();
/// let info = inspect(&token, Some(1_000_010.0)).unwrap();
/// assert_eq!(info.expires_in, Some(50.0));
/// assert!(!info.expired);
/// assert!(inspect(&token, Some(1_000_060.0)).unwrap().expired);
/// ```
pub fn inspect(token: &str, now: Option<f64>) -> Result<TokenInfo> {
    let now = resolve_now(now)?;
    let Decoded { header, claims } = decode(token)?;
    let time = |name| {
        numeric_date(&claims, name)
            .map_err(|e| JwtError::jwt(e.message().to_owned()).with_claim(name))
    };
    let issued_at = time("iat")?;
    let not_before = time("nbf")?;
    let expires_at = time("exp")?;
    Ok(TokenInfo {
        expires_in: expires_at.map(|exp| exp - now),
        expired: expires_at.is_some_and(|exp| now >= exp),
        header,
        claims,
        issued_at,
        not_before,
        expires_at,
    })
}

/// Options for [`refresh_at`].
///
/// ```
/// let o = edge_jwt::RefreshAtOptions::default();
/// assert_eq!((o.skew, o.jitter), (60.0, 5.0));
/// ```
#[derive(Debug, Clone)]
pub struct RefreshAtOptions {
    /// Seconds before `exp` to aim at (60 by default).
    pub skew: f64,
    /// Up to this many seconds earlier, at random, so clients spread out (5 by default).
    pub jitter: f64,
    /// The time to judge by, in seconds.
    pub now: Option<f64>,
}

impl Default for RefreshAtOptions {
    fn default() -> Self {
        RefreshAtOptions {
            skew: 60.0,
            jitter: 5.0,
            now: None,
        }
    }
}

/// When to refresh a token, in epoch MILLISECONDS (ready for timers): `skew` seconds before
/// `exp`, but (when the token has `iat`) never later than 90% of its lifetime and never earlier
/// than half of it, so a skew longer than a short token's life cannot cause a refresh loop; then
/// up to `jitter` seconds earlier at random, and never in the past. A token without `exp` is
/// `ERR_JWT_INVALID`.
///
/// ```
/// use edge_jwt::{refresh_at, sign, Alg, Key, RefreshAtOptions, SignOptions};
/// let key = Key::generate(Alg::HS256).unwrap();
/// let t0 = 1_000_000.0;
/// let token = sign(&Default::default(), &key, &SignOptions { expires_in: Some(3600.0), now: Some(t0), ..Default::default() }).unwrap();
/// let at = refresh_at(&token, &RefreshAtOptions { skew: 60.0, jitter: 0.0, now: Some(t0) }).unwrap();
/// assert_eq!(at, (t0 + 3240.0) * 1000.0); // 90% of the hour comes before exp - 60 s
/// // A 60-second token with a 60-second skew is refreshed at half its life, not at its birth.
/// let short = sign(&Default::default(), &key, &SignOptions { expires_in: Some(60.0), now: Some(t0), ..Default::default() }).unwrap();
/// let at = refresh_at(&short, &RefreshAtOptions { skew: 60.0, jitter: 0.0, now: Some(t0) }).unwrap();
/// assert_eq!(at, (t0 + 30.0) * 1000.0);
/// ```
pub fn refresh_at(token: &str, options: &RefreshAtOptions) -> Result<f64> {
    for (name, value) in [("skew", options.skew), ("jitter", options.jitter)] {
        if !value.is_finite() || value < 0.0 {
            return Err(JwtError::invalid_argument(format!(
                "{name} must be a non-negative number of seconds"
            )));
        }
    }
    let info = inspect(token, options.now)?;
    let now = resolve_now(options.now)?;
    let exp = info.expires_at.ok_or_else(|| {
        JwtError::jwt("the token has no \"exp\": there is nothing to refresh before")
            .with_claim("exp")
    })?;
    let mut target = exp - options.skew;
    if let Some(iat) = info.issued_at.filter(|iat| *iat < exp) {
        let lifetime = exp - iat;
        target = target.clamp(iat + 0.5 * lifetime, iat + 0.9 * lifetime);
    }
    if options.jitter > 0.0 {
        let room = (target - now).max(0.0) / 2.0;
        let jitter = options.jitter.min(room);
        let fraction = f64::from(crate::random::below(1 << 20)?) / f64::from(1u32 << 20);
        target -= jitter * fraction;
    }
    Ok((target.max(now) * 1000.0).round())
}
