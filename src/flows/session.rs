//! Sessions: an access token and a rotating refresh token that carries the session id (`sid`),
//! a generation (`gen`) and the session's absolute end (`ses_exp`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::auth::{check_sub, str_claim, Auth};
use super::grant::Grant;
use super::ledger::{Ledger, RotateOutcome, Rotation};
use super::purpose::Purpose;
use crate::error::{ErrorCode, JwtError, Result};

/// What a sign-in returns (OAuth 2.0 token response shape, camelCase).
///
/// ```
/// # use edge_jwt::{Auth, AuthConfig, SessionRequest};
/// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap();
/// let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
/// assert_eq!(session.token_type, "Bearer");
/// assert_eq!(session.expires_in, 900);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    /// The session id (`sid`), the family all its refresh tokens belong to.
    pub session_id: String,
}

/// Bearer tokens never appear in Debug output (logs).
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("session_id", &self.session_id)
            .finish()
    }
}

/// Who a session is for.
///
/// ```
/// let req = edge_jwt::SessionRequest { amr: vec!["pwd".into()], ..edge_jwt::SessionRequest::new("ada") };
/// assert_eq!(req.sub, "ada");
/// ```
#[derive(Debug, Clone, Default)]
pub struct SessionRequest {
    /// The subject.
    pub sub: String,
    /// A role for the access tokens.
    pub role: Option<String>,
    /// Scopes for the access tokens.
    pub scope: Option<String>,
    /// More claims for the access tokens.
    pub claims: Map<String, Value>,
    /// How the user signed in (RFC 8176).
    pub amr: Vec<String>,
}

impl SessionRequest {
    /// A request for `sub`.
    ///
    /// ```
    /// assert!(edge_jwt::SessionRequest::new("u").amr.is_empty());
    /// ```
    pub fn new(sub: impl Into<String>) -> SessionRequest {
        SessionRequest {
            sub: sub.into(),
            ..Default::default()
        }
    }
}

/// Options of [`Auth::refresh_session`].
///
/// ```
/// let o = edge_jwt::RefreshOptions::default();
/// assert!(o.access_token.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RefreshOptions<'a> {
    /// The access token issued with the refresh token, to check they belong together. Its
    /// signature must be valid; its expiry is ignored for up to the refresh lifetime.
    pub access_token: Option<&'a str>,
}

impl Auth {
    /// Starts a session: a new `sid`, generation 0.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig, SessionRequest};
    /// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap();
    /// let s = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    /// assert_eq!(auth.verify_access_token(&s.access_token, &Default::default()).unwrap()["sid"], s.session_id.as_str());
    /// ```
    pub fn issue_session(&self, request: &SessionRequest) -> Result<Session> {
        check_sub(&request.sub)?;
        let now = self.now();
        let grant = Grant {
            role: request.role.clone(),
            scope: request.scope.clone(),
            claims: request.claims.clone(),
            amr: request.amr.clone(),
        };
        // Checked here, before anything is issued, so a reserved claim name fails up front.
        grant.to_context()?;
        let sid = crate::random::token_id()?;
        let end = now + self.config.session_max_age;
        self.mint_session(&request.sub, &sid, 0, now, end, &grant)
    }

    fn mint_session(
        &self,
        sub: &str,
        sid: &str,
        generation: u64,
        now: f64,
        session_end: f64,
        grant: &Grant,
    ) -> Result<Session> {
        let access = grant.access_request(sub, Some(sid));
        let access_ttl = self.config.access_ttl.min(session_end - now).max(1.0);
        let refresh_ttl = self.config.refresh_ttl.min(session_end - now).max(1.0);
        let access_token = self.issue_access_at(&access, now, access_ttl)?;
        let mut claims = Map::new();
        claims.insert("sub".into(), sub.into());
        claims.insert("sid".into(), sid.into());
        claims.insert("gen".into(), generation.into());
        claims.insert("ses_exp".into(), (session_end as i64).into());
        claims.insert("ctx".into(), Value::Object(grant.to_context()?));
        let refresh_token = self.mint(Purpose::Refresh, claims, refresh_ttl, now)?;
        Ok(Session {
            access_token,
            refresh_token,
            token_type: "Bearer".into(),
            expires_in: access_ttl as u64,
            refresh_expires_in: refresh_ttl as u64,
            session_id: sid.to_owned(),
        })
    }

    /// Rotates a refresh token: a new access token and the next generation of refresh token.
    /// The refresh lifetime and the session's absolute lifetime both apply.
    ///
    /// With a ledger, only the newest generation rotates; the previous one, presented again
    /// within `refresh_reuse_grace` (racing tabs), returns the same successor; any older one
    /// revokes the whole session (`ERR_TOKEN_REUSED`, then `ERR_SESSION_REVOKED`). Without a
    /// ledger the flow is stateless and cannot detect reuse: a stolen refresh token works until
    /// it expires.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, ErrorCode, MemoryLedger, RefreshOptions, SessionRequest};
    /// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap();
    /// let ledger = MemoryLedger::new();
    /// let first = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    /// let second = block_on(auth.refresh_session(&first.refresh_token, RefreshOptions::default(), Some(&ledger))).unwrap();
    /// let third = block_on(auth.refresh_session(&second.refresh_token, RefreshOptions::default(), Some(&ledger))).unwrap();
    /// // `first` is two generations old: presenting it revokes the session.
    /// let err = block_on(auth.refresh_session(&first.refresh_token, RefreshOptions::default(), Some(&ledger))).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::TokenReused);
    /// let err = block_on(auth.refresh_session(&third.refresh_token, RefreshOptions::default(), Some(&ledger))).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::SessionRevoked);
    /// ```
    pub async fn refresh_session<L: Ledger>(
        &self,
        refresh_token: &str,
        options: RefreshOptions<'_>,
        ledger: Option<&L>,
    ) -> Result<Session> {
        let now = self.now();
        let claims = self.open(Purpose::Refresh, refresh_token, now, 0.0)?;
        let sub = str_claim(&claims, "sub")?.to_owned();
        let sid = str_claim(&claims, "sid")?.to_owned();
        let generation = claims.get("gen").and_then(Value::as_u64).ok_or_else(|| {
            JwtError::claim_failed("gen", "missing", "the refresh token has no generation")
        })?;
        let session_end = claims
            .get("ses_exp")
            .and_then(Value::as_f64)
            .ok_or_else(|| {
                JwtError::claim_failed(
                    "ses_exp",
                    "missing",
                    "the refresh token has no session expiry",
                )
            })?;
        if now >= session_end + self.config.leeway {
            return Err(JwtError::new(
                ErrorCode::JwtExpired,
                "the session has reached its maximum age: sign in again",
            )
            .with_claim("ses_exp")
            .with_reason("check_failed"));
        }
        if let Some(access) = options.access_token {
            let access_claims = self.open(Purpose::Access, access, now, self.config.refresh_ttl)?;
            let same_sub = access_claims.get("sub").and_then(Value::as_str) == Some(sub.as_str());
            let same_sid = access_claims.get("sid").and_then(Value::as_str) == Some(sid.as_str());
            if !same_sub || !same_sid {
                return Err(JwtError::new(
                    ErrorCode::SubjectMismatch,
                    "the access token belongs to another user or session",
                )
                .with_claim(if same_sub { "sid" } else { "sub" }));
            }
        }
        let grant = Grant::from_context(claims.get("ctx"));
        let successor = self.mint_session(&sub, &sid, generation + 1, now, session_end, &grant)?;
        let Some(ledger) = ledger else {
            return Ok(successor);
        };
        let serialized = serde_json::to_string(&successor)
            .map_err(|_| JwtError::invalid_argument("session cannot be serialised"))?;
        let rotation = Rotation {
            family: &sid,
            generation,
            successor: &serialized,
            now,
            grace: self.config.refresh_reuse_grace,
            expires_at: self.remember_until(session_end),
        };
        match ledger.rotate(rotation).await? {
            RotateOutcome::Rotated => Ok(successor),
            RotateOutcome::Grace(previous) => {
                let malformed =
                    || JwtError::invalid_argument("the ledger returned a malformed session");
                let session: Session = serde_json::from_str(&previous).map_err(|_| malformed())?;
                // A ledger that mixed up families must not hand out another user's session.
                if session.session_id != sid {
                    return Err(malformed());
                }
                Ok(session)
            }
            RotateOutcome::Reused => Err(JwtError::new(
                ErrorCode::TokenReused,
                "this refresh token was already used: the session is revoked",
            )),
            RotateOutcome::Revoked => Err(JwtError::new(
                ErrorCode::SessionRevoked,
                "the session was revoked",
            )),
        }
    }

    /// Revokes a session: every refresh token of it is refused from now on
    /// (`ERR_SESSION_REVOKED`).
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, ErrorCode, MemoryLedger, RefreshOptions, SessionRequest};
    /// let auth = Auth::new(AuthConfig::new("i", "a", vec![7; 32])).unwrap();
    /// let ledger = MemoryLedger::new();
    /// let s = auth.issue_session(&SessionRequest::new("ada")).unwrap();
    /// block_on(auth.revoke_session(&s.session_id, &ledger)).unwrap();
    /// let err = block_on(auth.refresh_session(&s.refresh_token, RefreshOptions::default(), Some(&ledger))).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::SessionRevoked);
    /// ```
    pub async fn revoke_session<L: Ledger>(&self, sid: &str, ledger: &L) -> Result<()> {
        if sid.is_empty() {
            return Err(JwtError::invalid_argument("sid is required"));
        }
        ledger
            .revoke(
                sid,
                self.remember_until(self.now() + self.config.session_max_age),
            )
            .await
    }
}
