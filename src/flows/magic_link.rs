//! Passwordless email magic links: a short-lived token in the callback URL's query, bound to
//! that URL, single-use with a ledger.

use serde_json::{Map, Value};

use super::auth::{check_sub, str_claim, Auth};
use super::ledger::Ledger;
use super::purpose::Purpose;
use crate::error::{ErrorCode, JwtError, Result};

/// The query parameter that carries the token.
pub const MAGIC_LINK_PARAM: &str = "token";

/// What a magic link is for.
///
/// ```
/// let req = edge_jwt::MagicLinkRequest::new("ada", "https://app.example/auth/callback");
/// assert!(req.ttl.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MagicLinkRequest {
    /// The subject.
    pub sub: String,
    /// The address the link is sent to (carried as the `email` claim).
    pub email: Option<String>,
    /// The callback URL (http or https); its other query parameters are kept.
    pub url: String,
    /// Lifetime in seconds (the configured `magic_link_ttl` when `None`).
    pub ttl: Option<f64>,
}

impl MagicLinkRequest {
    /// A link for `sub` to `url`.
    ///
    /// ```
    /// assert_eq!(edge_jwt::MagicLinkRequest::new("u", "https://x.example/cb").url, "https://x.example/cb");
    /// ```
    pub fn new(sub: impl Into<String>, url: impl Into<String>) -> MagicLinkRequest {
        MagicLinkRequest {
            sub: sub.into(),
            url: url.into(),
            ..Default::default()
        }
    }
}

/// A magic link to send.
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::MagicLink>();
/// ```
#[derive(Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MagicLink {
    /// The URL to send, with the token in its query.
    pub url: String,
    /// The token alone.
    pub token: String,
    /// Its id.
    pub jti: String,
    /// When it expires, in seconds.
    pub expires_at: f64,
}

/// The link and its token sign someone in: Debug output (logs) shows neither.
impl std::fmt::Debug for MagicLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MagicLink")
            .field("url", &"[redacted]")
            .field("token", &"[redacted]")
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Auth {
    /// Creates a magic link: the callback URL with `token=<jwt>` added to its query.
    ///
    /// ```
    /// # use edge_jwt::{Auth, AuthConfig, MagicLinkRequest};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let link = auth.create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb?next=%2Fhome")).unwrap();
    /// assert!(link.url.starts_with("https://app.example/cb?next=%2Fhome&token=ey"));
    /// ```
    pub fn create_magic_link(&self, request: &MagicLinkRequest) -> Result<MagicLink> {
        check_sub(&request.sub)?;
        let (base, fragment) = split_fragment(&request.url);
        check_url(base)?;
        if query_param(base, MAGIC_LINK_PARAM).is_some() {
            return Err(JwtError::invalid_argument(
                "url already has a \"token\" parameter",
            ));
        }
        let ttl = request.ttl.unwrap_or(self.config.magic_link_ttl);
        if !(ttl >= 1.0 && ttl <= self.config.magic_link_ttl.max(86_400.0)) {
            return Err(
                JwtError::invalid_argument("ttl must be 1 second to 1 day").with_claim("ttl")
            );
        }
        let now = self.now();
        let jti = crate::random::token_id()?;
        let mut claims = Map::new();
        claims.insert("sub".into(), request.sub.clone().into());
        if let Some(email) = &request.email {
            claims.insert("email".into(), email.clone().into());
        }
        claims.insert("url".into(), base.into());
        claims.insert("jti".into(), jti.clone().into());
        let token = self.mint(Purpose::MagicLink, claims, ttl, now)?;
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}{MAGIC_LINK_PARAM}={token}{fragment}");
        Ok(MagicLink {
            url,
            token,
            jti,
            expires_at: now + ttl.floor(),
        })
    }

    /// Redeems a magic link given as the token or the whole URL (whose address must be the one
    /// the link was made for). With a ledger the link is single-use (`ERR_TOKEN_REUSED` on the
    /// second click); without one it can be replayed until it expires.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, ErrorCode, MagicLinkRequest, MemoryLedger};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let ledger = MemoryLedger::new();
    /// let link = auth.create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb")).unwrap();
    /// let claims = block_on(auth.redeem_magic_link(&link.url, Some(&ledger))).unwrap();
    /// assert_eq!(claims["sub"], "ada");
    /// let err = block_on(auth.redeem_magic_link(&link.url, Some(&ledger))).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::TokenReused);
    /// ```
    pub async fn redeem_magic_link<L: Ledger>(
        &self,
        token_or_url: &str,
        ledger: Option<&L>,
    ) -> Result<Map<String, Value>> {
        self.redeem(token_or_url, None, ledger).await
    }

    /// [`redeem_magic_link`](Auth::redeem_magic_link) at the callback this server serves: the
    /// link must have been made for `callback`'s origin and path (its query may differ), or it is
    /// refused (`ERR_JWT_CLAIM_VALIDATION_FAILED`, claim `url`) before the ledger is asked. Use it
    /// when the client posts the bare token, or a URL the server did not build itself.
    ///
    /// ```
    /// use edge_jwt::{block_on, Auth, AuthConfig, ErrorCode, MagicLinkRequest, NoLedger};
    /// let auth = Auth::new(AuthConfig::new("https://id.example", "api", vec![7; 32])).unwrap();
    /// let link = auth.create_magic_link(&MagicLinkRequest::new("ada", "https://a.example/cb?x=1")).unwrap();
    /// let ok = block_on(auth.redeem_magic_link_at(&link.token, "https://a.example/cb", None::<&NoLedger>));
    /// assert_eq!(ok.unwrap()["sub"], "ada");
    /// let err = block_on(auth.redeem_magic_link_at(&link.token, "https://b.example/cb", None::<&NoLedger>)).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::JwtClaimValidationFailed);
    /// ```
    pub async fn redeem_magic_link_at<L: Ledger>(
        &self,
        token_or_url: &str,
        callback: &str,
        ledger: Option<&L>,
    ) -> Result<Map<String, Value>> {
        self.redeem(token_or_url, Some(callback), ledger).await
    }

    async fn redeem<L: Ledger>(
        &self,
        token_or_url: &str,
        callback: Option<&str>,
        ledger: Option<&L>,
    ) -> Result<Map<String, Value>> {
        let (token, url) = if token_or_url.contains("://") {
            let (base, _) = split_fragment(token_or_url);
            let token = query_param(base, MAGIC_LINK_PARAM)
                .ok_or_else(|| JwtError::invalid_argument("the URL has no \"token\" parameter"))?;
            (
                token.to_owned(),
                Some(without_param(base, MAGIC_LINK_PARAM)),
            )
        } else {
            (token_or_url.trim().to_owned(), None)
        };
        let claims = self.open(Purpose::MagicLink, &token, self.now(), 0.0)?;
        if let Some(url) = url {
            if str_claim(&claims, "url")? != url {
                return Err(JwtError::claim_failed(
                    "url",
                    "check_failed",
                    "the link was made for another address",
                ));
            }
        }
        if let Some(callback) = callback {
            if origin_and_path(str_claim(&claims, "url")?) != origin_and_path(callback) {
                return Err(JwtError::claim_failed(
                    "url",
                    "check_failed",
                    "the link was made for another address",
                ));
            }
        }
        if let Some(ledger) = ledger {
            let jti = str_claim(&claims, "jti")?;
            let until = self.remember_until(Self::exp_of(&claims)?);
            if !ledger.consume(&format!("magic-link:{jti}"), until).await? {
                return Err(JwtError::new(
                    ErrorCode::TokenReused,
                    "this link was already used",
                ));
            }
        }
        Ok(claims)
    }
}

fn check_url(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty)
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || url.len() > 2048
    {
        return Err(
            JwtError::invalid_argument("url must be an absolute http(s) URL").with_claim("url"),
        );
    }
    Ok(())
}

/// A URL without its query and fragment.
fn origin_and_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

fn split_fragment(url: &str) -> (&str, &str) {
    match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    }
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The URL without `name=...` (the inverse of what `create_magic_link` appends).
fn without_param(url: &str, name: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with(&format!("{name}=")))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_helpers_invert_each_other() {
        assert_eq!(
            query_param("https://a.example/cb?x=1&token=abc", "token"),
            Some("abc")
        );
        assert_eq!(query_param("https://a.example/cb?xtoken=1", "token"), None);
        assert_eq!(
            without_param("https://a.example/cb?x=1&token=abc", "token"),
            "https://a.example/cb?x=1"
        );
        assert_eq!(
            without_param("https://a.example/cb?token=abc", "token"),
            "https://a.example/cb"
        );
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("http://127.0.0.1:8787/auth/magic").is_ok());
    }
}
