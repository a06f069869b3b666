//! Two-factor sign-in: after the first factor (a password), a short-lived pending token; the
//! second factor (an SMS/email code or a TOTP code) completes it into a session.

use serde_json::{Map, Value};

use super::auth::{check_sub, str_claim, Auth};
use super::grant::{string_array, Grant};
use super::ledger::Ledger;
use super::otp::{normalize_code, OtpChannel};
use super::purpose::Purpose;
use super::session::{Session, SessionRequest};
use super::totp::{verify_totp, TotpParams};
use crate::error::{ErrorCode, JwtError, Result};

/// The start of a two-factor sign-in.
///
/// ```
/// let req = edge_jwt::TwoFactorRequest::new("ada", ["sms"]);
/// assert_eq!(req.methods, ["sms"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct TwoFactorRequest {
    /// The subject whose first factor passed.
    pub sub: String,
    /// The second factors the user has: `"sms"`, `"email"`, `"totp"`.
    pub methods: Vec<String>,
    /// The first factors that passed (`["pwd"]` by default).
    pub amr: Vec<String>,
    /// Role, scope and claims for the session that completes it.
    pub role: Option<String>,
    /// Scopes for the session.
    pub scope: Option<String>,
    /// More claims for the session's access tokens.
    pub claims: Map<String, Value>,
}

impl TwoFactorRequest {
    /// A request for `sub` with these second factors.
    ///
    /// ```
    /// assert_eq!(edge_jwt::TwoFactorRequest::new("u", ["totp"]).sub, "u");
    /// ```
    pub fn new<S: Into<String>>(
        sub: impl Into<String>,
        methods: impl IntoIterator<Item = S>,
    ) -> TwoFactorRequest {
        TwoFactorRequest {
            sub: sub.into(),
            methods: methods.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// A pending two-factor sign-in.
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::TwoFactorPending>();
/// ```
#[derive(Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorPending {
    /// The pending token, to send back with the second factor.
    pub pending_token: String,
    /// The second factors allowed.
    pub methods: Vec<String>,
    /// When it expires, in seconds.
    pub expires_at: f64,
}

/// The pending token stands for a verified first factor: Debug output (logs) leaves it out.
impl std::fmt::Debug for TwoFactorPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactorPending")
            .field("pending_token", &"[redacted]")
            .field("methods", &self.methods)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The second factor presented.
///
/// ```
/// let f = edge_jwt::SecondFactor::Otp { challenge: "ey...".into() };
/// # let _ = f;
/// ```
#[derive(Clone)]
pub enum SecondFactor {
    /// A code sent by SMS or email, with its challenge token.
    Otp {
        /// The challenge token from `create_otp_challenge`.
        challenge: String,
    },
    /// A TOTP code from the user's authenticator, with their TOTP secret.
    Totp {
        /// The user's TOTP secret (raw bytes).
        secret: Vec<u8>,
        /// Its parameters.
        params: TotpParams,
    },
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecondFactor::Otp { .. } => f.write_str("SecondFactor::Otp"),
            SecondFactor::Totp { .. } => f.write_str("SecondFactor::Totp"),
        }
    }
}

const METHODS: &[&str] = &["sms", "email", "totp"];

impl Auth {
    /// Begins a two-factor sign-in once the first factor has passed.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig, TwoFactorRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let pending = auth.begin_two_factor(&TwoFactorRequest::new("ada", ["sms", "totp"])).unwrap();
    /// assert_eq!(edge_jwt::decode(&pending.pending_token).unwrap().header["typ"], "2fa-pending+jwt");
    /// ```
    pub fn begin_two_factor(&self, request: &TwoFactorRequest) -> Result<TwoFactorPending> {
        check_sub(&request.sub)?;
        if request.methods.is_empty()
            || request
                .methods
                .iter()
                .any(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(JwtError::invalid_argument(
                "methods must list \"sms\", \"email\" and/or \"totp\"",
            )
            .with_claim("methods"));
        }
        let now = self.now();
        let context = Grant {
            role: request.role.clone(),
            scope: request.scope.clone(),
            claims: request.claims.clone(),
            amr: Vec::new(),
        }
        .to_context()?;
        let amr = if request.amr.is_empty() {
            vec!["pwd".to_owned()]
        } else {
            request.amr.clone()
        };
        let mut claims = Map::new();
        claims.insert("sub".into(), request.sub.clone().into());
        claims.insert("amr".into(), amr.into());
        claims.insert("mth".into(), request.methods.clone().into());
        claims.insert("ctx".into(), Value::Object(context));
        let pending_token =
            self.mint(Purpose::TwoFactor, claims, self.config.two_factor_ttl, now)?;
        Ok(TwoFactorPending {
            pending_token,
            methods: request.methods.clone(),
            expires_at: now + self.config.two_factor_ttl,
        })
    }

    /// Completes a two-factor sign-in: the pending token, then the second factor (an OTP
    /// challenge and code for the same subject, or a TOTP code). Returns a session whose access
    /// token's `amr` lists both factors and `"mfa"`. With a ledger, the pending token and the
    /// code are single-use (a TOTP code cannot be used twice within its window), and attempts are
    /// limited to `otp_max_attempts`: per OTP challenge, and for TOTP per pending token (then
    /// `ERR_OTP_ATTEMPTS_EXCEEDED`, even for the right code). Without a ledger nothing limits
    /// guesses while the pending token lives.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, MemoryLedger, OtpChannel, OtpRequest, SecondFactor, TwoFactorRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let ledger = MemoryLedger::new();
    /// let pending = auth.begin_two_factor(&TwoFactorRequest::new("ada", ["sms"])).unwrap();
    /// let otp = auth.create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms)).unwrap();
    /// let session = block_on(auth.complete_two_factor(&pending.pending_token, &SecondFactor::Otp { challenge: otp.challenge }, &otp.code, Some(&ledger))).unwrap();
    /// let claims = auth.verify_access_token(&session.access_token, &Default::default()).unwrap();
    /// assert_eq!(claims["amr"], serde_json::json!(["pwd", "sms", "mfa"]));
    /// ```
    pub async fn complete_two_factor<L: Ledger>(
        &self,
        pending_token: &str,
        factor: &SecondFactor,
        code: &str,
        ledger: Option<&L>,
    ) -> Result<Session> {
        let now = self.now();
        let pending = self.open(Purpose::TwoFactor, pending_token, now, 0.0)?;
        let sub = str_claim(&pending, "sub")?.to_owned();
        let pending_jti = str_claim(&pending, "jti")?.to_owned();
        let remember_until = self.remember_until(Self::exp_of(&pending)?);
        let allowed: Vec<&str> = pending
            .get("mth")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let method = match factor {
            SecondFactor::Otp { challenge } => {
                // The cheap checks come first, so a challenge for another user or a method
                // that is not enabled is refused without counting an attempt or using it up.
                let claims = self.open(Purpose::Otp, challenge, now, 0.0)?;
                if str_claim(&claims, "sub")? != sub {
                    return Err(JwtError::new(
                        ErrorCode::SubjectMismatch,
                        "the code was sent for another user",
                    )
                    .with_claim("sub"));
                }
                let channel: OtpChannel = str_claim(&claims, "chn")?.parse()?;
                if !allowed.contains(&channel.as_str()) {
                    return Err(JwtError::claim_failed(
                        "mth",
                        "check_failed",
                        "this second factor is not enabled for the user",
                    ));
                }
                self.verify_otp(challenge, code, ledger).await?;
                channel.amr()
            }
            SecondFactor::Totp { secret, params } => {
                if !allowed.contains(&"totp") {
                    return Err(JwtError::claim_failed(
                        "mth",
                        "check_failed",
                        "this second factor is not enabled for the user",
                    ));
                }
                let code = normalize_code(code)?;
                // Guesses at TOTP codes are limited per pending token, like OTP codes per
                // challenge; a new pending token needs the first factor again.
                self.count_attempt(
                    ledger,
                    &format!("2fa-attempts:{pending_jti}"),
                    remember_until,
                    "too many attempts: sign in again",
                )
                .await?;
                let counter = verify_totp(secret, &code, now, params)?.ok_or_else(|| {
                    JwtError::new(ErrorCode::OtpMismatch, "the code does not match")
                })?;
                if let Some(ledger) = ledger {
                    // The code verifies until the end of the last step whose window still
                    // holds its counter: remember it that long (not `now` plus a window).
                    let window_end = (counter
                        .saturating_add(params.window)
                        .saturating_add(1)
                        .saturating_mul(params.step)) as f64;
                    if !ledger
                        .consume(&format!("totp:{sub}:{counter}"), window_end)
                        .await?
                    {
                        return Err(JwtError::new(
                            ErrorCode::TokenReused,
                            "this code was already used: wait for the next one",
                        ));
                    }
                }
                "otp"
            }
        };
        if let Some(ledger) = ledger {
            if !ledger
                .consume(&format!("2fa:{pending_jti}"), remember_until)
                .await?
            {
                return Err(JwtError::new(
                    ErrorCode::TokenReused,
                    "this sign-in was already completed",
                ));
            }
        }
        let mut amr = string_array(pending.get("amr"));
        amr.push(method.to_owned());
        amr.push("mfa".to_owned());
        let grant = Grant::from_context(pending.get("ctx"));
        let request = SessionRequest {
            sub,
            role: grant.role,
            scope: grant.scope,
            claims: grant.claims,
            amr,
        };
        self.issue_session(&request)
    }
}
