//! One-time codes sent by SMS or email. The challenge token carries only a keyed MAC of
//! (jti, sub, code), never the code; codes are uniform random digits.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::auth::{check_sub, str_claim, Auth};
use super::ledger::Ledger;
use super::purpose::Purpose;
use crate::error::{ErrorCode, JwtError, Result};
use crate::token::base64url;

/// Where a code is sent.
///
/// ```
/// assert_eq!(edge_jwt::OtpChannel::Sms.as_str(), "sms");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpChannel {
    /// A text message.
    Sms,
    /// An email.
    Email,
}

impl OtpChannel {
    /// `"sms"` or `"email"`.
    ///
    /// ```
    /// assert_eq!(edge_jwt::OtpChannel::Email.as_str(), "email");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            OtpChannel::Sms => "sms",
            OtpChannel::Email => "email",
        }
    }

    /// The RFC 8176 `amr` value of a code received this way.
    pub(crate) const fn amr(self) -> &'static str {
        match self {
            OtpChannel::Sms => "sms",
            OtpChannel::Email => "otp",
        }
    }
}

impl std::str::FromStr for OtpChannel {
    type Err = JwtError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sms" => Ok(OtpChannel::Sms),
            "email" => Ok(OtpChannel::Email),
            _ => Err(
                JwtError::invalid_argument("channel must be \"sms\" or \"email\"")
                    .with_claim("channel"),
            ),
        }
    }
}

/// What a code is for.
///
/// ```
/// let req = edge_jwt::OtpRequest::new("ada", edge_jwt::OtpChannel::Sms);
/// assert!(req.digits.is_none());
/// ```
#[derive(Debug, Clone)]
pub struct OtpRequest {
    /// The subject.
    pub sub: String,
    /// Where the code goes.
    pub channel: OtpChannel,
    /// Digits (the configured `otp_digits` when `None`; 4 to 10).
    pub digits: Option<u32>,
    /// Lifetime in seconds (the configured `otp_ttl` when `None`).
    pub ttl: Option<f64>,
}

impl OtpRequest {
    /// A code for `sub` by `channel`.
    ///
    /// ```
    /// assert_eq!(edge_jwt::OtpRequest::new("u", edge_jwt::OtpChannel::Email).sub, "u");
    /// ```
    pub fn new(sub: impl Into<String>, channel: OtpChannel) -> OtpRequest {
        OtpRequest {
            sub: sub.into(),
            channel,
            digits: None,
            ttl: None,
        }
    }
}

/// A code to send and its challenge token to hand to the client. Send `code`; never return it
/// to the client.
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::OtpChallenge>();
/// ```
#[derive(Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpChallenge {
    /// The code.
    pub code: String,
    /// The challenge token (holds no trace of the code but a MAC).
    pub challenge: String,
    /// The challenge id.
    pub jti: String,
    /// When it expires, in seconds.
    pub expires_at: f64,
}

impl std::fmt::Debug for OtpChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpChallenge")
            .field("code", &"[redacted]")
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// `digits` uniform random decimal digits from the platform CSPRNG, each drawn without modulo
/// bias.
pub(crate) fn random_code(digits: u32) -> Result<String> {
    (0..digits)
        .map(|_| crate::random::below(10).map(|d| char::from(b'0' + d as u8)))
        .collect()
}

impl Auth {
    /// Counts one guess at `id` in the ledger (if any): past `otp_max_attempts` it is
    /// `ERR_OTP_ATTEMPTS_EXCEEDED` with `message`, whether or not this guess is right.
    pub(crate) async fn count_attempt<L: Ledger>(
        &self,
        ledger: Option<&L>,
        id: &str,
        until: f64,
        message: &str,
    ) -> Result<()> {
        let Some(ledger) = ledger else {
            return Ok(());
        };
        if ledger.count_attempt(id, until).await? > self.config.otp_max_attempts {
            return Err(JwtError::new(ErrorCode::OtpAttemptsExceeded, message));
        }
        Ok(())
    }
}

/// The code as typed or pasted: spaces, tabs, line breaks and dashes ignored; anything else but
/// digits refused.
pub(crate) fn normalize_code(code: &str) -> Result<Zeroizing<String>> {
    let mut digits = Zeroizing::new(String::with_capacity(code.len()));
    for c in code.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '\u{a0}' | '\t' | '\r' | '\n' => {}
            _ => {
                return Err(JwtError::invalid_argument(
                    "the code must contain digits only",
                ))
            }
        }
    }
    if digits.is_empty() || digits.len() > 10 {
        return Err(JwtError::invalid_argument(
            "the code must have 4 to 10 digits",
        ));
    }
    Ok(digits)
}

fn code_mac(key: &[u8], jti: &str, sub: &str, code: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in [jti, sub, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

impl Auth {
    /// Creates a code and its challenge token.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, MemoryLedger, OtpChannel, OtpRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let otp = auth.create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms)).unwrap();
    /// assert_eq!(otp.code.len(), 6);
    /// assert!(!otp.challenge.contains(&otp.code));
    /// let claims = block_on(auth.verify_otp(&otp.challenge, &otp.code, Some(&MemoryLedger::new()))).unwrap();
    /// assert_eq!(claims["sub"], "ada");
    /// ```
    pub fn create_otp_challenge(&self, request: &OtpRequest) -> Result<OtpChallenge> {
        check_sub(&request.sub)?;
        let digits = request.digits.unwrap_or(self.config.otp_digits);
        if !(4..=10).contains(&digits) {
            return Err(JwtError::invalid_argument("digits must be 4 to 10").with_claim("digits"));
        }
        let ttl = request.ttl.unwrap_or(self.config.otp_ttl);
        if !(1.0..=86_400.0).contains(&ttl) {
            return Err(
                JwtError::invalid_argument("ttl must be 1 second to 1 day").with_claim("ttl")
            );
        }
        let now = self.now();
        let code = random_code(digits)?;
        let jti = crate::random::token_id()?;
        let mac = code_mac(self.current_keys().otp_mac_key(), &jti, &request.sub, &code);
        let mut claims = Map::new();
        claims.insert("sub".into(), request.sub.clone().into());
        claims.insert("jti".into(), jti.clone().into());
        claims.insert("chn".into(), request.channel.as_str().into());
        claims.insert("dig".into(), digits.into());
        claims.insert("mac".into(), base64url::encode(&mac).into());
        let challenge = self.mint(Purpose::Otp, claims, ttl, now)?;
        Ok(OtpChallenge {
            code,
            challenge,
            jti,
            expires_at: now + ttl.floor(),
        })
    }

    /// Checks a code against its challenge. With a ledger, attempts are counted: after
    /// `otp_max_attempts` even the right code gets `ERR_OTP_ATTEMPTS_EXCEEDED`, and a challenge
    /// that succeeded cannot succeed again (`ERR_TOKEN_REUSED`). Without a ledger nothing limits
    /// guesses within the challenge's lifetime, and the code can be reused until it expires.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, ErrorCode, MemoryLedger, OtpChannel, OtpRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let otp = auth.create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Email)).unwrap();
    /// let wrong = if otp.code == "000000" { "111111" } else { "000000" };
    /// let err = block_on(auth.verify_otp(&otp.challenge, wrong, Some(&MemoryLedger::new()))).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::OtpMismatch);
    /// ```
    pub async fn verify_otp<L: Ledger>(
        &self,
        challenge: &str,
        code: &str,
        ledger: Option<&L>,
    ) -> Result<Map<String, Value>> {
        let claims = self.open(Purpose::Otp, challenge, self.now(), 0.0)?;
        let code = normalize_code(code)?;
        let jti = str_claim(&claims, "jti")?;
        let sub = str_claim(&claims, "sub")?;
        let until = self.remember_until(Self::exp_of(&claims)?);
        self.count_attempt(
            ledger,
            &format!("otp-attempts:{jti}"),
            until,
            "too many attempts: request a new code",
        )
        .await?;
        let expected = claims
            .get("mac")
            .and_then(Value::as_str)
            .and_then(base64url::decode)
            .ok_or_else(|| {
                JwtError::claim_failed("mac", "missing", "the challenge has no code MAC")
            })?;
        // The challenge may predate a secret rotation: try each configured secret's MAC key.
        let matched = self
            .otp_mac_keys()
            .fold(subtle::Choice::from(0), |found, keys| {
                found | code_mac(keys.otp_mac_key(), jti, sub, &code).ct_eq(&expected[..])
            });
        if !bool::from(matched) {
            return Err(JwtError::new(
                ErrorCode::OtpMismatch,
                "the code does not match",
            ));
        }
        if let Some(ledger) = ledger {
            if !ledger.consume(&format!("otp:{jti}"), until).await? {
                return Err(JwtError::new(
                    ErrorCode::TokenReused,
                    "this code was already used",
                ));
            }
        }
        Ok(claims)
    }
}
