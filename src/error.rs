//! The one error type of edge-jwt, with stable codes.
//!
//! Every failure carries an [`ErrorCode`] whose string form (`ERR_*`) is stable and matches
//! jose's where the meaning is the same. Messages say what was wrong without echoing secrets or
//! whole tokens.

use std::fmt;

/// Stable error codes. [`ErrorCode::as_str`] gives the string users match on.
///
/// ```
/// use edge_jwt::ErrorCode;
/// assert_eq!(ErrorCode::JwtExpired.as_str(), "ERR_JWT_EXPIRED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The compact serialization is malformed (segments, base64url, header JSON).
    JwsInvalid,
    /// The claims set is not a valid JWT claims set (not UTF-8, not a JSON object, duplicates).
    JwtInvalid,
    /// The signature does not match.
    JwsSignatureVerificationFailed,
    /// The token's `alg` is not among the allowed algorithms or does not fit the key.
    JoseAlgNotAllowed,
    /// An algorithm, key type or `crit` extension that edge-jwt does not support.
    JoseNotSupported,
    /// `exp` has passed.
    JwtExpired,
    /// A claim (or `typ`) failed the verifier's policy.
    JwtClaimValidationFailed,
    /// A key (JWK, PEM or secret) is malformed or too weak.
    JwkInvalid,
    /// No key of the set fits the token.
    JwksNoMatchingKey,
    /// More than one key of the set fits the token.
    JwksMultipleMatchingKeys,
    /// A flow token was presented to the verifier of another kind of token.
    TokenPurpose,
    /// A single-use token or an old refresh token was presented again.
    TokenReused,
    /// The session was revoked.
    SessionRevoked,
    /// Two tokens that must belong to the same subject or session do not.
    SubjectMismatch,
    /// A one-time code did not match.
    OtpMismatch,
    /// Too many attempts at a one-time code.
    OtpAttemptsExceeded,
    /// An argument from the caller is of the wrong type or out of range.
    InvalidArgument,
}

impl ErrorCode {
    /// The stable string form, e.g. `"ERR_JWS_INVALID"`.
    ///
    /// ```
    /// assert_eq!(edge_jwt::ErrorCode::JwsInvalid.as_str(), "ERR_JWS_INVALID");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::JwsInvalid => "ERR_JWS_INVALID",
            Self::JwtInvalid => "ERR_JWT_INVALID",
            Self::JwsSignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Self::JoseAlgNotAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
            Self::JoseNotSupported => "ERR_JOSE_NOT_SUPPORTED",
            Self::JwtExpired => "ERR_JWT_EXPIRED",
            Self::JwtClaimValidationFailed => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Self::JwkInvalid => "ERR_JWK_INVALID",
            Self::JwksNoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Self::JwksMultipleMatchingKeys => "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            Self::TokenPurpose => "ERR_TOKEN_PURPOSE",
            Self::TokenReused => "ERR_TOKEN_REUSED",
            Self::SessionRevoked => "ERR_SESSION_REVOKED",
            Self::SubjectMismatch => "ERR_SUBJECT_MISMATCH",
            Self::OtpMismatch => "ERR_OTP_MISMATCH",
            Self::OtpAttemptsExceeded => "ERR_OTP_ATTEMPTS_EXCEEDED",
            Self::InvalidArgument => "ERR_INVALID_ARGUMENT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of edge-jwt: a stable [`ErrorCode`], a message for humans, and, where they apply,
/// the claim that failed and a short machine-friendly reason.
///
/// ```
/// use edge_jwt::{decode, ErrorCode};
/// let err = decode("not-a-token").unwrap_err();
/// assert_eq!(err.code(), ErrorCode::JwsInvalid);
/// assert_eq!(err.code().as_str(), "ERR_JWS_INVALID");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtError {
    code: ErrorCode,
    message: String,
    claim: Option<String>,
    reason: Option<&'static str>,
}

impl JwtError {
    /// Creates an error with a code and a message.
    ///
    /// ```
    /// let e = edge_jwt::JwtError::new(edge_jwt::ErrorCode::InvalidArgument, "bad");
    /// assert_eq!(e.message(), "bad");
    /// ```
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            claim: None,
            reason: None,
        }
    }

    /// Attaches the name of the claim (or header parameter) that failed.
    ///
    /// ```
    /// use edge_jwt::{JwtError, ErrorCode};
    /// let e = JwtError::new(ErrorCode::JwtClaimValidationFailed, "x").with_claim("aud");
    /// assert_eq!(e.claim(), Some("aud"));
    /// ```
    pub fn with_claim(mut self, claim: impl Into<String>) -> Self {
        self.claim = Some(claim.into());
        self
    }

    /// Attaches a short reason, such as `"check_failed"` or `"missing"`.
    ///
    /// ```
    /// use edge_jwt::{JwtError, ErrorCode};
    /// let e = JwtError::new(ErrorCode::JwtClaimValidationFailed, "x").with_reason("missing");
    /// assert_eq!(e.reason(), Some("missing"));
    /// ```
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// The stable code.
    ///
    /// ```
    /// # use edge_jwt::{JwtError, ErrorCode};
    /// assert_eq!(JwtError::new(ErrorCode::JwtExpired, "x").code(), ErrorCode::JwtExpired);
    /// ```
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message.
    ///
    /// ```
    /// # use edge_jwt::{JwtError, ErrorCode};
    /// assert_eq!(JwtError::new(ErrorCode::JwtExpired, "gone").message(), "gone");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The claim or header parameter concerned, if any.
    ///
    /// ```
    /// # use edge_jwt::{JwtError, ErrorCode};
    /// assert_eq!(JwtError::new(ErrorCode::JwtExpired, "x").claim(), None);
    /// ```
    pub fn claim(&self) -> Option<&str> {
        self.claim.as_deref()
    }

    /// A short reason, if any.
    ///
    /// ```
    /// # use edge_jwt::{JwtError, ErrorCode};
    /// assert_eq!(JwtError::new(ErrorCode::JwtExpired, "x").reason(), None);
    /// ```
    pub fn reason(&self) -> Option<&'static str> {
        self.reason
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    pub(crate) fn jws(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwsInvalid, message)
    }

    pub(crate) fn jwt(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwtInvalid, message)
    }

    pub(crate) fn jwk(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::JwkInvalid, message)
    }

    pub(crate) fn claim_failed(
        claim: &str,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(ErrorCode::JwtClaimValidationFailed, message)
            .with_claim(claim)
            .with_reason(reason)
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JwtError {}

/// Shorthand for results of this crate.
pub type Result<T, E = JwtError> = std::result::Result<T, E>;
