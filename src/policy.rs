//! What a verifier expects of a token ([`VerifyOptions`]) and the claim rules (RFC 7519 §4.1,
//! RFC 8725), applied only after the signature has been checked.

use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::error::{ErrorCode, JwtError, Result};
use crate::time::MILLISECONDS_THRESHOLD;
use crate::token::{Header, DEFAULT_MAX_TOKEN_SIZE};

/// The largest leeway accepted: 366 days (the flows use long leeways to accept an expired
/// access token presented together with its refresh token).
pub const MAX_LEEWAY: f64 = 366.0 * 86_400.0;

/// What the verifier requires. `algorithms` is required and never taken from the token.
///
/// ```
/// use edge_jwt::{Alg, VerifyOptions};
/// let options = VerifyOptions::new([Alg::ES256])
///     .issuer("https://id.example")
///     .audience("api")
///     .leeway(30.0);
/// assert_eq!(options.algorithms, [Alg::ES256]);
/// ```
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The algorithms accepted (required, non-empty).
    pub algorithms: Vec<Alg>,
    /// Accepted issuers (`iss` must equal one, exactly). Empty: not checked.
    pub issuer: Vec<String>,
    /// Accepted audiences (`aud` must contain one). Empty: a token with `aud` is refused.
    pub audience: Vec<String>,
    /// The expected subject.
    pub subject: Option<String>,
    /// The expected `typ` header, compared as a media type.
    pub typ: Option<String>,
    /// Clock tolerance in seconds for `exp`, `nbf` and `iat`.
    pub leeway: f64,
    /// Maximum age in seconds since `iat` (which then becomes required).
    pub max_age: Option<f64>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// The time to judge by, in seconds (the clock when `None`).
    pub now: Option<f64>,
    /// The largest token accepted, in bytes (16 KiB by default).
    pub max_token_size: usize,
}

impl VerifyOptions {
    /// Options accepting `algorithms`, with every other check at its default.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]);
    /// assert_eq!(o.max_token_size, 16 * 1024);
    /// ```
    pub fn new(algorithms: impl IntoIterator<Item = Alg>) -> VerifyOptions {
        VerifyOptions {
            algorithms: algorithms.into_iter().collect(),
            issuer: Vec::new(),
            audience: Vec::new(),
            subject: None,
            typ: None,
            leeway: 0.0,
            max_age: None,
            required_claims: Vec::new(),
            now: None,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
        }
    }

    /// Adds an accepted issuer.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).issuer("a").issuer("b");
    /// assert_eq!(o.issuer, ["a", "b"]);
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer.push(issuer.into());
        self
    }

    /// Adds an accepted audience.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).audience("api");
    /// assert_eq!(o.audience, ["api"]);
    /// ```
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience.push(audience.into());
        self
    }

    /// Sets the expected subject.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).subject("u1");
    /// assert_eq!(o.subject.as_deref(), Some("u1"));
    /// ```
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the expected `typ`.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).typ("at+jwt");
    /// assert_eq!(o.typ.as_deref(), Some("at+jwt"));
    /// ```
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets the clock tolerance in seconds.
    ///
    /// ```
    /// assert_eq!(edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).leeway(5.0).leeway, 5.0);
    /// ```
    pub fn leeway(mut self, seconds: f64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Sets the maximum age since `iat`, in seconds.
    ///
    /// ```
    /// assert_eq!(edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).max_age(60.0).max_age, Some(60.0));
    /// ```
    pub fn max_age(mut self, seconds: f64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Adds a claim that must be present.
    ///
    /// ```
    /// let o = edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).require("jti");
    /// assert_eq!(o.required_claims, ["jti"]);
    /// ```
    pub fn require(mut self, claim: impl Into<String>) -> Self {
        self.required_claims.push(claim.into());
        self
    }

    /// Judges time by `now` (seconds) instead of the clock.
    ///
    /// ```
    /// assert_eq!(edge_jwt::VerifyOptions::new([edge_jwt::Alg::HS256]).at(1e9).now, Some(1e9));
    /// ```
    pub fn at(mut self, now: f64) -> Self {
        self.now = Some(now);
        self
    }

    /// Checks the options themselves (before any token is looked at).
    pub(crate) fn validate(&self) -> Result<()> {
        if self.algorithms.is_empty() {
            return Err(JwtError::invalid_argument(
                "algorithms is required: list the algorithms you accept",
            ));
        }
        if !(self.leeway.is_finite() && (0.0..=MAX_LEEWAY).contains(&self.leeway)) {
            return Err(JwtError::invalid_argument(
                "leeway must be 0 to 366 days, in seconds",
            ));
        }
        if self
            .max_age
            .is_some_and(|age| !age.is_finite() || age < 0.0)
        {
            return Err(JwtError::invalid_argument(
                "maxAge must be a non-negative number of seconds",
            ));
        }
        if self.max_token_size == 0 {
            return Err(JwtError::invalid_argument("maxTokenSize must be positive"));
        }
        Ok(())
    }
}

/// Normalises a `typ` as a media type: lower case, `application/` implied (RFC 7515 §4.1.9).
pub(crate) fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    if lower.contains('/') {
        lower
    } else {
        format!("application/{lower}")
    }
}

pub(crate) fn check_typ(header: &Header, expected: &str) -> Result<()> {
    match header.typ() {
        None => Err(JwtError::claim_failed(
            "typ",
            "missing",
            "the token has no \"typ\" header",
        )),
        Some(typ) if normalize_typ(typ) == normalize_typ(expected) => Ok(()),
        Some(_) => Err(JwtError::claim_failed(
            "typ",
            "check_failed",
            "unexpected \"typ\" header",
        )),
    }
}

/// A numeric date claim: absent, or a number (RFC 7519 §2).
pub(crate) fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>> {
    let invalid = |why: String| JwtError::claim_failed(name, "invalid", why);
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            // A date in milliseconds (Date.now()) would read as thousands of years ahead and
            // make a token that never expires: it is refused, as a `now` in milliseconds is.
            Some(t) if t.abs() >= MILLISECONDS_THRESHOLD => Err(invalid(format!(
                "\"{name}\" looks like milliseconds: NumericDate is seconds"
            ))),
            Some(t) => Ok(Some(t)),
            None => Err(invalid(format!("\"{name}\" must be a number"))),
        },
        Some(_) => Err(invalid(format!("\"{name}\" must be a number"))),
    }
}

/// Applies every claim rule of `options` at time `now` (seconds).
pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    options: &VerifyOptions,
    now: f64,
) -> Result<()> {
    let leeway = options.leeway;
    let exp = numeric_date(claims, "exp")?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = numeric_date(claims, "iat")?;

    for name in &options.required_claims {
        if !claims.contains_key(name) {
            return Err(JwtError::claim_failed(
                name,
                "missing",
                format!("the \"{name}\" claim is required"),
            ));
        }
    }
    if let Some(exp) = exp {
        if now >= exp + leeway {
            return Err(
                JwtError::new(ErrorCode::JwtExpired, "the token has expired")
                    .with_claim("exp")
                    .with_reason("check_failed"),
            );
        }
    }
    if let Some(nbf) = nbf {
        if now < nbf - leeway {
            return Err(JwtError::claim_failed(
                "nbf",
                "check_failed",
                "the token is not valid yet",
            ));
        }
    }
    if let Some(max_age) = options.max_age {
        let iat = iat.ok_or_else(|| {
            JwtError::claim_failed("iat", "missing", "maxAge needs an \"iat\" claim")
        })?;
        if iat > now + leeway {
            return Err(JwtError::claim_failed(
                "iat",
                "check_failed",
                "the token is issued in the future",
            ));
        }
        if now - iat > max_age + leeway {
            return Err(
                JwtError::new(ErrorCode::JwtExpired, "the token is older than maxAge")
                    .with_claim("iat")
                    .with_reason("check_failed"),
            );
        }
    }
    if !options.issuer.is_empty() {
        match claims.get("iss") {
            None => {
                return Err(JwtError::claim_failed(
                    "iss",
                    "missing",
                    "the \"iss\" claim is required",
                ))
            }
            Some(Value::String(iss)) if options.issuer.iter().any(|want| want == iss) => {}
            Some(_) => {
                return Err(JwtError::claim_failed(
                    "iss",
                    "check_failed",
                    "unexpected \"iss\" claim",
                ))
            }
        }
    }
    if let Some(subject) = &options.subject {
        match claims.get("sub") {
            None => {
                return Err(JwtError::claim_failed(
                    "sub",
                    "missing",
                    "the \"sub\" claim is required",
                ))
            }
            Some(Value::String(sub)) if sub == subject => {}
            Some(_) => {
                return Err(JwtError::claim_failed(
                    "sub",
                    "check_failed",
                    "unexpected \"sub\" claim",
                ))
            }
        }
    }
    check_audience(claims.get("aud"), &options.audience)
}

fn check_audience(aud: Option<&Value>, expected: &[String]) -> Result<()> {
    let audiences: Vec<&str> = match aud {
        None if expected.is_empty() => return Ok(()),
        None => {
            return Err(JwtError::claim_failed(
                "aud",
                "missing",
                "the \"aud\" claim is required",
            ))
        }
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(|a| a.as_str())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                JwtError::claim_failed(
                    "aud",
                    "invalid",
                    "\"aud\" must be a string or an array of strings",
                )
            })?,
        Some(_) => {
            return Err(JwtError::claim_failed(
                "aud",
                "invalid",
                "\"aud\" must be a string or an array of strings",
            ))
        }
    };
    if expected.is_empty() {
        return Err(JwtError::claim_failed(
            "aud",
            "unexpected",
            "the token has an audience but no audience is expected: pass `audience`",
        ));
    }
    if audiences
        .iter()
        .any(|a| expected.iter().any(|want| want == a))
    {
        Ok(())
    } else {
        Err(JwtError::claim_failed(
            "aud",
            "check_failed",
            "unexpected \"aud\" claim",
        ))
    }
}
