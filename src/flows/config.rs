//! [`AuthConfig`]: the flows' settings, validated up front.

use crate::alg::Alg;
use crate::error::{JwtError, Result};
use crate::keys::Key;

/// The shortest flow secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// Settings for [`Auth`](super::Auth). Times are seconds.
///
/// ```
/// use edge_jwt::AuthConfig;
/// let config = AuthConfig::new("https://id.example", "api", b"0123456789abcdef0123456789abcdef".to_vec());
/// assert_eq!(config.access_ttl, 900.0);
/// ```
#[derive(Clone)]
pub struct AuthConfig {
    /// `iss` of every token, and the audience of the flows' own tokens.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// The current secret (at least 32 bytes); per-purpose keys are derived from it.
    pub secret: Vec<u8>,
    /// Older secrets whose tokens still verify (key rotation).
    pub previous_secrets: Vec<Vec<u8>>,
    /// Signs access tokens asymmetrically (EdDSA or ES256) when set.
    pub signing_key: Option<Key>,
    /// Access token lifetime (15 minutes).
    pub access_ttl: f64,
    /// Refresh token lifetime (30 days).
    pub refresh_ttl: f64,
    /// Absolute session lifetime, however often it is refreshed (90 days).
    pub session_max_age: f64,
    /// Magic-link lifetime (15 minutes).
    pub magic_link_ttl: f64,
    /// One-time-code lifetime (5 minutes).
    pub otp_ttl: f64,
    /// Digits of one-time codes (6; 4 to 10).
    pub otp_digits: u32,
    /// Attempts allowed at one code, with a ledger (5).
    pub otp_max_attempts: u32,
    /// Seconds during which the previous refresh token returns the same successor (10).
    pub refresh_reuse_grace: f64,
    /// Two-factor pending token lifetime (5 minutes).
    pub two_factor_ttl: f64,
    /// Clock tolerance (0).
    pub leeway: f64,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("secret", &"[redacted]")
            .field("previous_secrets", &self.previous_secrets.len())
            .field("signing_key", &self.signing_key)
            .finish_non_exhaustive()
    }
}

impl AuthConfig {
    /// Settings with the defaults.
    ///
    /// ```
    /// let c = edge_jwt::AuthConfig::new("iss", "aud", vec![7; 32]);
    /// assert_eq!(c.otp_digits, 6);
    /// ```
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        secret: Vec<u8>,
    ) -> AuthConfig {
        AuthConfig {
            issuer: issuer.into(),
            audience: audience.into(),
            secret,
            previous_secrets: Vec::new(),
            signing_key: None,
            access_ttl: 900.0,
            refresh_ttl: 30.0 * 86_400.0,
            session_max_age: 90.0 * 86_400.0,
            magic_link_ttl: 900.0,
            otp_ttl: 300.0,
            otp_digits: 6,
            otp_max_attempts: 5,
            refresh_reuse_grace: 10.0,
            two_factor_ttl: 300.0,
            leeway: 0.0,
        }
    }

    /// Checks every field; the error names the bad one.
    pub(crate) fn validate(&self) -> Result<()> {
        let field = |name: &str, why: &str| {
            Err(JwtError::invalid_argument(format!("{name} {why}")).with_claim(name))
        };
        if self.issuer.trim().is_empty() {
            return field("issuer", "is required");
        }
        if self.audience.trim().is_empty() {
            return field("audience", "is required");
        }
        if self.secret.len() < MIN_SECRET_LEN {
            return field("secret", "must be at least 32 bytes of random data");
        }
        if self
            .previous_secrets
            .iter()
            .any(|s| s.len() < MIN_SECRET_LEN)
        {
            return field("previousSecrets", "must each be at least 32 bytes");
        }
        if let Some(key) = &self.signing_key {
            if !matches!(key.alg(), Alg::EdDSA | Alg::ES256) || !key.is_private() {
                return field("signingKey", "must be a private EdDSA or ES256 key");
            }
            if !key.can_sign() {
                return field("signingKey", "has key_ops that do not allow \"sign\"");
            }
        }
        let year = 365.0 * 86_400.0;
        let ttls = [
            ("accessTtl", self.access_ttl, 86_400.0),
            ("refreshTtl", self.refresh_ttl, year),
            ("sessionMaxAge", self.session_max_age, 5.0 * year),
            ("magicLinkTtl", self.magic_link_ttl, 86_400.0),
            ("otpTtl", self.otp_ttl, 86_400.0),
            ("twoFactorTtl", self.two_factor_ttl, 86_400.0),
        ];
        for (name, value, max) in ttls {
            if !(value.is_finite() && value >= 1.0 && value <= max) {
                return field(name, &format!("must be between 1 second and {max} seconds"));
            }
        }
        if self.refresh_ttl > self.session_max_age {
            return field("refreshTtl", "cannot exceed sessionMaxAge");
        }
        if !(4..=10).contains(&self.otp_digits) {
            return field("otpDigits", "must be 4 to 10");
        }
        if !(1..=100).contains(&self.otp_max_attempts) {
            return field("otpMaxAttempts", "must be 1 to 100");
        }
        if !(self.refresh_reuse_grace.is_finite()
            && (0.0..=300.0).contains(&self.refresh_reuse_grace))
        {
            return field("refreshReuseGrace", "must be 0 to 300 seconds");
        }
        if !(self.leeway.is_finite() && (0.0..=300.0).contains(&self.leeway)) {
            return field("leeway", "must be 0 to 300 seconds");
        }
        Ok(())
    }
}
