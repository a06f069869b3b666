//! Signing: header and registered claims from [`SignOptions`], then the signature.

use serde_json::{Map, Value};

use crate::alg::sign_bytes;
use crate::error::{JwtError, Result};
use crate::keys::Key;
use crate::random;
use crate::time::{check_duration, resolve_now, MILLISECONDS_THRESHOLD};
use crate::token::base64url;

/// How to make the `jti` claim.
///
/// ```
/// let jti = edge_jwt::Jti::Random;
/// # let _ = jti;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jti {
    /// This value.
    Value(String),
    /// 128 random bits, base64url.
    Random,
}

/// Options for [`sign`]. Lifetimes are in seconds (see [`crate::parse_duration`] for `"15m"`).
///
/// ```
/// use edge_jwt::SignOptions;
/// let options = SignOptions { expires_in: Some(900.0), issuer: Some("https://id.example".into()), ..Default::default() };
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// The `typ` header (`"JWT"` when `None`).
    pub typ: Option<String>,
    /// The `kid` header (the key's kid when `None`).
    pub kid: Option<String>,
    /// `exp` = now + this many seconds.
    pub expires_in: Option<f64>,
    /// `nbf` = now + this many seconds.
    pub not_before: Option<f64>,
    /// `iss`.
    pub issuer: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `aud`: one audience is written as a string, several as an array.
    pub audience: Vec<String>,
    /// `jti`.
    pub jti: Option<Jti>,
    /// More header parameters (`alg`, `crit` and `b64` cannot be set this way).
    pub header: Map<String, Value>,
    /// The time to sign at, in seconds (the clock when `None`).
    pub now: Option<f64>,
}

/// Signs `claims` with `key` under the key's algorithm. `iat` is set to now unless the claims
/// have one; options override the claims they name. Claims of the wrong type (a string `exp`,
/// a numeric `aud`) are refused, so that what is signed here always verifies here.
///
/// ```
/// use edge_jwt::{decode, sign, Alg, Key, SignOptions};
/// let key = Key::generate(Alg::ES256).unwrap();
/// let claims = serde_json::json!({"sub": "ada", "name": "Ada Lovelace 👩‍💻"});
/// let options = SignOptions { expires_in: Some(900.0), now: Some(1_700_000_000.0), ..Default::default() };
/// let token = sign(claims.as_object().unwrap(), &key, &options).unwrap();
/// let decoded = decode(&token).unwrap();
/// assert_eq!(decoded.claims["exp"], 1_700_000_900);
/// assert_eq!(decoded.claims["name"], "Ada Lovelace 👩‍💻");
/// assert_eq!(decoded.header["kid"], key.kid());
/// ```
pub fn sign(claims: &Map<String, Value>, key: &Key, options: &SignOptions) -> Result<String> {
    if !key.can_sign() {
        return Err(JwtError::invalid_argument(
            "this key cannot sign (it is a public key, or its key_ops do not allow sign)",
        ));
    }
    let now = resolve_now(options.now)?.floor();
    let header = build_header(key, options)?;
    let claims = build_claims(claims, options, now)?;
    let header_json = serde_json::to_vec(&header)
        .map_err(|_| JwtError::invalid_argument("the header cannot be serialised"))?;
    let claims_json = serde_json::to_vec(&claims)
        .map_err(|_| JwtError::invalid_argument("the claims cannot be serialised"))?;
    let mut token = base64url::encode(&header_json);
    token.push('.');
    token.push_str(&base64url::encode(&claims_json));
    let signature = sign_bytes(key.material(), key.alg(), token.as_bytes())?;
    token.push('.');
    token.push_str(&base64url::encode(&signature));
    Ok(token)
}

fn build_header(key: &Key, options: &SignOptions) -> Result<Map<String, Value>> {
    let mut header = Map::new();
    header.insert("alg".into(), key.alg().as_str().into());
    header.insert("typ".into(), options.typ.as_deref().unwrap_or("JWT").into());
    header.insert(
        "kid".into(),
        options.kid.as_deref().unwrap_or(key.kid()).into(),
    );
    for (name, value) in &options.header {
        match name.as_str() {
            "alg" | "crit" | "b64" => {
                return Err(JwtError::invalid_argument(format!(
                    "the \"{name}\" header cannot be set by hand"
                )))
            }
            "typ" if options.typ.is_some() => {}
            "kid" if options.kid.is_some() => {}
            "typ" | "kid" | "cty" if !value.is_string() => {
                return Err(JwtError::invalid_argument(format!(
                    "the \"{name}\" header must be a string"
                )))
            }
            _ => {
                header.insert(name.clone(), value.clone());
            }
        }
    }
    Ok(header)
}

fn build_claims(
    claims: &Map<String, Value>,
    options: &SignOptions,
    now: f64,
) -> Result<Map<String, Value>> {
    let mut out = claims.clone();
    let seconds = |value: f64| Value::from(value as i64);
    if !out.contains_key("iat") {
        out.insert("iat".into(), seconds(now));
    }
    if let Some(ttl) = options.expires_in {
        let ttl = check_duration(ttl)?;
        if ttl == 0.0 {
            return Err(JwtError::invalid_argument("expiresIn must be positive"));
        }
        out.insert("exp".into(), seconds(now + ttl.floor()));
    }
    if let Some(delay) = options.not_before {
        out.insert("nbf".into(), seconds(now + check_duration(delay)?.floor()));
    }
    if let Some(iss) = &options.issuer {
        out.insert("iss".into(), iss.clone().into());
    }
    if let Some(sub) = &options.subject {
        out.insert("sub".into(), sub.clone().into());
    }
    match options.audience.as_slice() {
        [] => {}
        [one] => {
            out.insert("aud".into(), one.clone().into());
        }
        many => {
            out.insert("aud".into(), many.to_vec().into());
        }
    }
    match &options.jti {
        None => {}
        Some(Jti::Value(jti)) => {
            out.insert("jti".into(), jti.clone().into());
        }
        Some(Jti::Random) => {
            out.insert("jti".into(), random::token_id()?.into());
        }
    }
    check_registered(&out)?;
    Ok(out)
}

/// Refuses registered claims of the wrong type.
fn check_registered(claims: &Map<String, Value>) -> Result<()> {
    let wrong = |name: &str, what: &str| {
        Err(
            JwtError::invalid_argument(format!("the \"{name}\" claim must be {what}"))
                .with_claim(name),
        )
    };
    for name in ["exp", "nbf", "iat"] {
        match claims.get(name).map(Value::as_f64) {
            None => {}
            Some(Some(t)) if t.abs() < MILLISECONDS_THRESHOLD => {}
            Some(Some(_)) => return wrong(name, "seconds, not milliseconds (Date.now() / 1000)"),
            Some(None) => return wrong(name, "a number of seconds"),
        }
    }
    for name in ["iss", "sub", "jti"] {
        if claims.get(name).is_some_and(|v| !v.is_string()) {
            return wrong(name, "a string");
        }
    }
    match claims.get("aud") {
        None | Some(Value::String(_)) => Ok(()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(()),
        Some(_) => wrong("aud", "a string or an array of strings"),
    }
}
