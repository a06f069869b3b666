//! The JOSE header: `alg`, `kid`, `typ`, `crit`, and the rest kept as JSON.

use serde_json::{Map, Value};

use super::json;
use crate::error::{ErrorCode, JwtError, Result};

/// A parsed JOSE header. Embedded keys (`jwk`, `jku`, `x5u`, `x5c`) are kept as data but never
/// used to choose a key: the verifier's keys are the only ones trusted.
///
/// ```
/// use edge_jwt::Header;
/// let h = Header::parse(br#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#).unwrap();
/// assert_eq!((h.alg(), h.kid(), h.typ()), ("ES256", Some("k1"), Some("JWT")));
/// ```
#[derive(Debug, Clone)]
pub struct Header {
    fields: Map<String, Value>,
}

impl Header {
    /// Parses header bytes: UTF-8, a JSON object without duplicate names, a string `alg`,
    /// string `kid`/`typ` when present, and a well-formed `crit`.
    ///
    /// ```
    /// use edge_jwt::{ErrorCode, Header};
    /// assert_eq!(Header::parse(br#"{"alg":"HS256","alg":"none"}"#).unwrap_err().code(), ErrorCode::JwsInvalid);
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Header> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| JwtError::jws("the header is not valid UTF-8"))?;
        let fields =
            json::parse_object(text).map_err(|why| JwtError::jws(format!("the header {why}")))?;
        match fields.get("alg") {
            Some(Value::String(_)) => {}
            Some(_) => return Err(JwtError::jws("the header's \"alg\" must be a string")),
            None => return Err(JwtError::jws("the header has no \"alg\"")),
        }
        for name in ["kid", "typ", "cty"] {
            if fields.get(name).is_some_and(|v| !v.is_string()) {
                return Err(JwtError::jws(format!(
                    "the header's \"{name}\" must be a string"
                )));
            }
        }
        let header = Header { fields };
        header.check_crit()?;
        Ok(header)
    }

    /// RFC 7515 §4.1.11: `crit` is a non-empty array of names present in the header; edge-jwt
    /// understands no extensions, so any entry is refused.
    fn check_crit(&self) -> Result<()> {
        let Some(crit) = self.fields.get("crit") else {
            return Ok(());
        };
        let names = crit
            .as_array()
            .filter(|names| !names.is_empty())
            .ok_or_else(|| JwtError::jws("\"crit\" must be a non-empty array of header names"))?;
        for name in names {
            let name = name
                .as_str()
                .ok_or_else(|| JwtError::jws("\"crit\" entries must be strings"))?;
            if !self.fields.contains_key(name) {
                return Err(JwtError::jws(
                    "a \"crit\" entry names a header parameter that is absent",
                ));
            }
        }
        Err(JwtError::new(
            ErrorCode::JoseNotSupported,
            "the token requires a critical header extension that is not supported",
        )
        .with_claim("crit"))
    }

    /// The `alg` parameter, exactly as written.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Header::parse(br#"{"alg":"none"}"#).unwrap().alg(), "none");
    /// ```
    pub fn alg(&self) -> &str {
        self.fields
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The `kid` parameter.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Header::parse(br#"{"alg":"EdDSA"}"#).unwrap().kid(), None);
    /// ```
    pub fn kid(&self) -> Option<&str> {
        self.fields.get("kid").and_then(Value::as_str)
    }

    /// The `typ` parameter.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Header::parse(br#"{"alg":"EdDSA","typ":"at+jwt"}"#).unwrap().typ(), Some("at+jwt"));
    /// ```
    pub fn typ(&self) -> Option<&str> {
        self.fields.get("typ").and_then(Value::as_str)
    }

    /// All header parameters.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Header::parse(br#"{"alg":"EdDSA","x":1}"#).unwrap().fields()["x"], 1);
    /// ```
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    pub(crate) fn into_fields(self) -> Map<String, Value> {
        self.fields
    }
}
