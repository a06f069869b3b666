//! Access tokens (RFC 9068 `at+jwt`): who, what they may do, which session, how they signed in.

use serde_json::{Map, Value};

use super::auth::{check_sub, extra_claims, Auth};
use super::purpose::Purpose;
use crate::error::{JwtError, Result};

/// What to put in an access token.
///
/// ```
/// let req = edge_jwt::AccessRequest { role: Some("admin".into()), ..edge_jwt::AccessRequest::new("ada") };
/// assert_eq!(req.sub, "ada");
/// ```
#[derive(Debug, Clone, Default)]
pub struct AccessRequest {
    /// The subject (user id).
    pub sub: String,
    /// A role, checked by [`Auth::verify_access_token`] when asked.
    pub role: Option<String>,
    /// Space-separated scopes (RFC 8693 §4.2).
    pub scope: Option<String>,
    /// More claims (registered and flow claims cannot be overridden).
    pub claims: Map<String, Value>,
    /// The session id, when the token belongs to a session.
    pub sid: Option<String>,
    /// Authentication methods (RFC 8176), e.g. `["pwd", "sms", "mfa"]`.
    pub amr: Vec<String>,
}

impl AccessRequest {
    /// A request for `sub` with nothing else.
    ///
    /// ```
    /// assert!(edge_jwt::AccessRequest::new("u").role.is_none());
    /// ```
    pub fn new(sub: impl Into<String>) -> AccessRequest {
        AccessRequest {
            sub: sub.into(),
            ..Default::default()
        }
    }
}

/// What [`Auth::verify_access_token`] requires beyond a valid token.
///
/// ```
/// let check = edge_jwt::AccessCheck { scope: vec!["read".into()], ..Default::default() };
/// assert!(check.role.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct AccessCheck {
    /// The role the token must have.
    pub role: Option<String>,
    /// Scopes the token must all have.
    pub scope: Vec<String>,
}

impl Auth {
    /// Issues an access token (`typ: at+jwt`) with `sub`, `role`, `scope`, `sid`, `amr`, `jti`,
    /// `iat`, `exp`.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig, AccessRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let token = auth.issue_access_token(&AccessRequest { scope: Some("read write".into()), ..AccessRequest::new("ada") }).unwrap();
    /// assert_eq!(edge_jwt::decode(&token).unwrap().header["typ"], "at+jwt");
    /// ```
    pub fn issue_access_token(&self, request: &AccessRequest) -> Result<String> {
        self.issue_access_at(request, self.now(), self.config.access_ttl)
    }

    pub(crate) fn issue_access_at(
        &self,
        request: &AccessRequest,
        now: f64,
        ttl: f64,
    ) -> Result<String> {
        check_sub(&request.sub)?;
        let mut claims = extra_claims(&request.claims)?;
        claims.insert("sub".into(), request.sub.clone().into());
        if let Some(role) = &request.role {
            claims.insert("role".into(), role.clone().into());
        }
        if let Some(scope) = &request.scope {
            claims.insert("scope".into(), scope.clone().into());
        }
        if let Some(sid) = &request.sid {
            claims.insert("sid".into(), sid.clone().into());
        }
        if !request.amr.is_empty() {
            claims.insert("amr".into(), request.amr.clone().into());
        }
        self.mint(Purpose::Access, claims, ttl, now)
    }

    /// Verifies an access token and, when asked, its role and scopes. Stateless: a revoked
    /// session's access tokens stay valid until they expire (keep `access_ttl` short, or check
    /// [`Ledger::is_revoked`](crate::Ledger::is_revoked) with the `sid`).
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig, AccessRequest, AccessCheck, ErrorCode};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let token = auth.issue_access_token(&AccessRequest { role: Some("user".into()), ..AccessRequest::new("ada") }).unwrap();
    /// let err = auth.verify_access_token(&token, &AccessCheck { role: Some("admin".into()), ..Default::default() }).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::JwtClaimValidationFailed);
    /// assert_eq!(err.claim(), Some("role"));
    /// ```
    pub fn verify_access_token(
        &self,
        token: &str,
        check: &AccessCheck,
    ) -> Result<Map<String, Value>> {
        let claims = self.open(Purpose::Access, token, self.now(), 0.0)?;
        if let Some(role) = &check.role {
            if claims.get("role").and_then(Value::as_str) != Some(role.as_str()) {
                return Err(JwtError::claim_failed(
                    "role",
                    "check_failed",
                    "the token does not have the required role",
                ));
            }
        }
        if !check.scope.is_empty() {
            let granted: Vec<&str> = claims
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or("")
                .split(' ')
                .collect();
            let required = check
                .scope
                .iter()
                .flat_map(|s| s.split(' '))
                .filter(|s| !s.is_empty());
            if let Some(missing) = required.into_iter().find(|s| !granted.contains(s)) {
                return Err(JwtError::claim_failed(
                    "scope",
                    "check_failed",
                    format!("the token lacks the \"{missing}\" scope"),
                ));
            }
        }
        Ok(claims)
    }
}
