//! Parsing of compact JWS text into an [`UntrustedToken`]: three segments, strict base64url, a
//! header that is a JSON object without duplicate names. Nothing here is trusted yet; the claims
//! are only decoded after the signature has been checked (see [`crate::verify`]).

pub(crate) mod base64url;
mod header;
pub(crate) mod json;

pub use header::Header;

use serde_json::{Map, Value};

use crate::error::{JwtError, Result};

/// The default cap on token size: 16 KiB.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;

/// A token split and its header parsed, with the signature not yet checked. Its claims cannot be
/// read from this type except through [`UntrustedToken::decode_claims_unverified`].
///
/// ```
/// use edge_jwt::UntrustedToken;
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
/// let untrusted = UntrustedToken::parse(token, 16 * 1024).unwrap();
/// assert_eq!(untrusted.header().alg(), "HS256");
/// ```
#[derive(Debug, Clone)]
pub struct UntrustedToken<'a> {
    signing_input: &'a str,
    payload_b64: &'a str,
    header: Header,
    signature: Vec<u8>,
}

impl<'a> UntrustedToken<'a> {
    /// Splits `token` and parses its header. Fails with `ERR_JWS_INVALID` on anything that is not
    /// strict compact JWS, and when the token is longer than `max_size` bytes.
    ///
    /// ```
    /// use edge_jwt::{ErrorCode, UntrustedToken};
    /// let err = UntrustedToken::parse("a.b", 1024).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::JwsInvalid);
    /// ```
    pub fn parse(token: &'a str, max_size: usize) -> Result<UntrustedToken<'a>> {
        if token.len() > max_size {
            return Err(
                JwtError::jws(format!("the token is longer than {max_size} bytes"))
                    .with_reason("too_large"),
            );
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::jws("a compact JWS has exactly three segments"));
        };
        if header_b64.is_empty() {
            return Err(JwtError::jws("the header segment is empty"));
        }
        let header_bytes = base64url::decode(header_b64)
            .ok_or_else(|| JwtError::jws("the header is not strict base64url"))?;
        let header = Header::parse(&header_bytes)?;
        let signature = base64url::decode(signature_b64)
            .ok_or_else(|| JwtError::jws("the signature is not strict base64url"))?;
        if base64url::decode(payload_b64).is_none() {
            return Err(JwtError::jws("the payload is not strict base64url"));
        }
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        Ok(UntrustedToken {
            signing_input,
            payload_b64,
            header,
            signature,
        })
    }

    /// The parsed header (untrusted until the signature is checked).
    ///
    /// ```
    /// # use edge_jwt::UntrustedToken;
    /// let t = UntrustedToken::parse("eyJhbGciOiJIUzI1NiJ9.e30.c2ln", 1024).unwrap();
    /// assert_eq!(t.header().kid(), None);
    /// ```
    pub fn header(&self) -> &Header {
        &self.header
    }

    pub(crate) fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The raw payload bytes. Not verified.
    pub(crate) fn payload_bytes(&self) -> Vec<u8> {
        base64url::decode(self.payload_b64).unwrap_or_default()
    }

    /// Decodes the claims WITHOUT checking the signature: for display and routing only, never
    /// for decisions. Fails with `ERR_JWT_INVALID` when the payload is not UTF-8 or not a JSON
    /// object without duplicate names.
    ///
    /// ```
    /// # use edge_jwt::UntrustedToken;
    /// let t = UntrustedToken::parse("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", 1024).unwrap();
    /// assert_eq!(t.decode_claims_unverified().unwrap()["sub"], "a");
    /// ```
    pub fn decode_claims_unverified(&self) -> Result<Map<String, Value>> {
        claims_from_bytes(&self.payload_bytes())
    }
}

pub(crate) fn claims_from_bytes(bytes: &[u8]) -> Result<Map<String, Value>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| JwtError::jwt("the claims are not valid UTF-8").with_reason("utf8"))?;
    json::parse_object(text).map_err(|why| JwtError::jwt(format!("the claims set {why}")))
}
