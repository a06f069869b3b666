//! [`Auth`]: the flows' configuration and keys, and the two operations every flow is built
//! from: minting a token of a purpose, and opening one (purpose first, then the full verifier).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::config::AuthConfig;
use super::purpose::{Purpose, SecretKeys};
use crate::error::{ErrorCode, JwtError, Result};
use crate::keys::{Key, KeySet};
use crate::policy::{normalize_typ, VerifyOptions};
use crate::sign::{sign, SignOptions};
use crate::token::{UntrustedToken, DEFAULT_MAX_TOKEN_SIZE};
use crate::verify::verify;

/// Claims the flows set themselves; callers' extra claims cannot override them.
/// Seconds a ledger keeps an entry beyond the moment the token it concerns stops verifying, for a
/// ledger (a Durable Object, a database) whose clock is ahead of the verifier's.
pub(crate) const LEDGER_CLOCK_MARGIN: f64 = 60.0;

pub(crate) const RESERVED: &[&str] = &[
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "amr", "role", "scope", "gen", "cnf",
];

/// The sign-in flows over one configuration. Build once and share.
///
/// ```
/// use edge_jwt::{Auth, AuthConfig};
/// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
/// let token = auth.issue_access_token(&edge_jwt::AccessRequest::new("ada")).unwrap();
/// assert_eq!(auth.verify_access_token(&token, &Default::default()).unwrap()["sub"], "ada");
/// ```
#[derive(Clone)]
pub struct Auth {
    pub(crate) config: AuthConfig,
    current: SecretKeys,
    previous: Vec<SecretKeys>,
    /// The public half of `signing_key`, allowed to verify: Auth checks its own access tokens
    /// with it whatever `key_ops` the private JWK listed (RFC 7517 gives a private key `sign`).
    access_verifier: Option<Key>,
    clock: Option<Arc<dyn Fn() -> f64 + Send + Sync>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Validates `config` (`ERR_INVALID_ARGUMENT` naming the bad field) and derives the keys.
    ///
    /// ```
    /// use edge_jwt::{Auth, AuthConfig, ErrorCode};
    /// let err = Auth::new(AuthConfig::new("iss", "aud", vec![1; 16])).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InvalidArgument);
    /// assert_eq!(err.claim(), Some("secret"));
    /// ```
    pub fn new(config: AuthConfig) -> Result<Auth> {
        config.validate()?;
        let current = SecretKeys::new(&config.secret)?;
        let previous = config
            .previous_secrets
            .iter()
            .map(|s| SecretKeys::new(s))
            .collect::<Result<Vec<_>>>()?;
        let access_verifier = match &config.signing_key {
            Some(key) => {
                let mut public = key.public_key()?;
                public.set_ops(false, true);
                Some(public)
            }
            None => None,
        };
        Ok(Auth {
            config,
            current,
            previous,
            access_verifier,
            clock: None,
        })
    }

    /// Uses `clock` (seconds since the epoch) instead of the system clock: for tests.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig};
    /// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap().with_clock(|| 1_000_000.0);
    /// # let _ = auth;
    /// ```
    pub fn with_clock(mut self, clock: impl Fn() -> f64 + Send + Sync + 'static) -> Auth {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The settings.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig};
    /// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap();
    /// assert_eq!(auth.config().issuer, "i");
    /// ```
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    pub(crate) fn now(&self) -> f64 {
        match &self.clock {
            Some(clock) => clock(),
            None => crate::now(),
        }
        .floor()
    }

    /// Until when a ledger must remember a use, an attempt count or a revocation concerning a
    /// token that expires at `exp`: for as long as the token still verifies (`exp + leeway`), plus
    /// [`LEDGER_CLOCK_MARGIN`] for a ledger whose clock runs ahead of this one. Forgetting it at
    /// `exp` would let a used link, code or revoked family work again inside the leeway.
    pub(crate) fn remember_until(&self, exp: f64) -> f64 {
        exp + self.config.leeway + LEDGER_CLOCK_MARGIN
    }

    /// The `exp` of a verified flow token (every flow token is minted with one).
    pub(crate) fn exp_of(claims: &Map<String, Value>) -> Result<f64> {
        claims.get("exp").and_then(Value::as_f64).ok_or_else(|| {
            JwtError::claim_failed("exp", "missing", "the token has no \"exp\" claim")
        })
    }

    /// The public JWKS of asymmetric access tokens (empty without `signing_key`).
    ///
    /// ```
    /// use edge_jwt::{Alg, Auth, AuthConfig, Key};
    /// let mut config = AuthConfig::new("i", "a", vec![7; 32]);
    /// config.signing_key = Some(Key::generate(Alg::EdDSA).unwrap());
    /// let jwks = Auth::new(config).unwrap().jwks().unwrap();
    /// assert_eq!(jwks["keys"][0]["kty"], "OKP");
    /// ```
    pub fn jwks(&self) -> Result<Value> {
        let mut set = KeySet::new();
        if let Some(key) = &self.access_verifier {
            set.add(key.clone());
        }
        set.to_jwks()
    }

    /// The secrets' per-purpose keys, current first.
    pub(crate) fn otp_mac_keys(&self) -> impl Iterator<Item = &SecretKeys> {
        std::iter::once(&self.current).chain(self.previous.iter())
    }

    pub(crate) fn current_keys(&self) -> &SecretKeys {
        &self.current
    }

    fn audience_of(&self, purpose: Purpose) -> &str {
        match purpose {
            Purpose::Access => &self.config.audience,
            _ => &self.config.issuer,
        }
    }

    /// Signs `claims` as a token of `purpose` living `ttl` seconds from `now`.
    pub(crate) fn mint(
        &self,
        purpose: Purpose,
        claims: Map<String, Value>,
        ttl: f64,
        now: f64,
    ) -> Result<String> {
        let key = match (&self.config.signing_key, purpose) {
            (Some(key), Purpose::Access) => key,
            _ => self.current.key(purpose),
        };
        let mut claims = claims;
        if !claims.contains_key("jti") {
            claims.insert("jti".into(), crate::random::token_id()?.into());
        }
        let options = SignOptions {
            typ: Some(purpose.typ().into()),
            expires_in: Some(ttl),
            issuer: Some(self.config.issuer.clone()),
            audience: vec![self.audience_of(purpose).to_owned()],
            now: Some(now),
            ..Default::default()
        };
        let token = sign(&claims, key, &options)?;
        // The flows verify with the default size cap: never issue a token they would refuse
        // (a session whose first refresh logs the user out).
        if token.len() > DEFAULT_MAX_TOKEN_SIZE {
            return Err(JwtError::invalid_argument(format!(
                "the token would be {} bytes, over the {DEFAULT_MAX_TOKEN_SIZE} its verifier accepts: fewer or smaller claims",
                token.len()
            ))
            .with_claim("claims")
            .with_reason("too_large"));
        }
        Ok(token)
    }

    /// Verifies a token of `purpose`: a token of another kind is `ERR_TOKEN_PURPOSE`; then the
    /// full verifier with the purpose's key (by `kid`), `typ`, issuer and audience. `exp_grace`
    /// extends the expiry tolerance (for access tokens presented with a refresh).
    pub(crate) fn open(
        &self,
        purpose: Purpose,
        token: &str,
        now: f64,
        exp_grace: f64,
    ) -> Result<Map<String, Value>> {
        let untrusted = UntrustedToken::parse(token, DEFAULT_MAX_TOKEN_SIZE)?;
        let typ = untrusted.header().typ().map(normalize_typ);
        if typ.as_deref() != Some(normalize_typ(purpose.typ()).as_str()) {
            let found = Purpose::ALL
                .iter()
                .find(|p| Some(normalize_typ(p.typ())) == typ);
            let message = match found {
                Some(other) => format!(
                    "expected {} but got {}",
                    describe(purpose),
                    describe(*other)
                ),
                None => format!("expected {}", describe(purpose)),
            };
            return Err(JwtError::new(ErrorCode::TokenPurpose, message).with_claim("typ"));
        }
        let key = self.opening_key(purpose, untrusted.header().kid())?;
        // Flow tokens carry no nbf and are checked without maxAge, so the leeway (with the grace)
        // only ever extends expiry.
        let options = VerifyOptions::new([key.alg()])
            .typ(purpose.typ())
            .issuer(self.config.issuer.clone())
            .audience(self.audience_of(purpose).to_owned())
            .leeway(self.config.leeway + exp_grace)
            .require("exp")
            .require("sub")
            .at(now);
        verify(token, key, &options).map(|v| v.claims)
    }

    fn opening_key(&self, purpose: Purpose, kid: Option<&str>) -> Result<&Key> {
        if let (Some(key), Purpose::Access) = (&self.access_verifier, purpose) {
            return Ok(key);
        }
        let kid =
            kid.ok_or_else(|| JwtError::new(ErrorCode::JwksNoMatchingKey, "the token has no kid"))?;
        self.otp_mac_keys()
            .find(|keys| keys.kid == kid)
            .map(|keys| keys.key(purpose))
            .ok_or_else(|| {
                JwtError::new(
                    ErrorCode::JwksNoMatchingKey,
                    "the token was signed with a secret that is no longer configured",
                )
            })
    }
}

fn describe(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Access => "an access token",
        Purpose::Refresh => "a refresh token",
        Purpose::MagicLink => "a magic-link token",
        Purpose::Otp => "a one-time-code challenge",
        Purpose::TwoFactor => "a two-factor pending token",
    }
}

/// Copies the caller's extra claims, refusing the names the flows own.
pub(crate) fn extra_claims(claims: &Map<String, Value>) -> Result<Map<String, Value>> {
    if let Some(name) = claims.keys().find(|name| RESERVED.contains(&name.as_str())) {
        return Err(JwtError::invalid_argument(format!(
            "claims cannot set the reserved claim \"{name}\""
        ))
        .with_claim(name.as_str()));
    }
    Ok(claims.clone())
}

/// A string claim of a verified flow token.
pub(crate) fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    claims.get(name).and_then(Value::as_str).ok_or_else(|| {
        JwtError::claim_failed(
            name,
            "missing",
            format!("the token has no \"{name}\" string claim"),
        )
    })
}

/// Checks a subject given by the caller.
pub(crate) fn check_sub(sub: &str) -> Result<()> {
    if sub.is_empty() || sub.len() > 255 {
        return Err(JwtError::invalid_argument("sub must be 1 to 255 bytes").with_claim("sub"));
    }
    Ok(())
}
