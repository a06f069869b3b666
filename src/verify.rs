//! Verification: parse, header rules, key choice, signature, then claims.

use serde_json::{Map, Value};

use crate::alg::{verify_bytes, Alg};
use crate::error::{ErrorCode, JwtError, Result};
use crate::keys::{Key, KeySet};
use crate::policy::{check_claims, check_typ, VerifyOptions};
use crate::time::resolve_now;
use crate::token::{claims_from_bytes, UntrustedToken};

/// The keys to verify with: one key, or a set chosen from by `kid` and algorithm.
///
/// ```
/// use edge_jwt::{Alg, Key, Keys};
/// let key = Key::generate(Alg::HS256).unwrap();
/// let keys: Keys = (&key).into();
/// # let _ = keys;
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// One key, bound to its algorithm.
    One(&'a Key),
    /// A key set.
    Set(&'a KeySet),
}

impl<'a> From<&'a Key> for Keys<'a> {
    fn from(key: &'a Key) -> Self {
        Keys::One(key)
    }
}

impl<'a> From<&'a KeySet> for Keys<'a> {
    fn from(set: &'a KeySet) -> Self {
        Keys::Set(set)
    }
}

/// The largest compact JWS [`verify_compact`] accepts: 1 MiB.
pub const MAX_COMPACT_SIZE: usize = 1 << 20;

/// A token whose signature and claims passed every rule.
///
/// ```
/// use edge_jwt::{sign, verify, Alg, Key, SignOptions, VerifyOptions};
/// let key = Key::generate(Alg::EdDSA).unwrap();
/// let claims = serde_json::json!({"sub": "ada"});
/// let token = sign(claims.as_object().unwrap(), &key, &SignOptions::default()).unwrap();
/// let verified = verify(&token, &key, &VerifyOptions::new([Alg::EdDSA])).unwrap();
/// assert_eq!(verified.claims["sub"], "ada");
/// assert_eq!(verified.header["alg"], "EdDSA");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The claims set.
    pub claims: Map<String, Value>,
}

/// A JWS whose signature is valid, with its payload as bytes (no claim rules applied).
///
/// ```
/// # let _ = std::mem::size_of::<edge_jwt::VerifiedCompact>();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedCompact {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// Verifies a JWT: strict compact parsing, `alg` among `options.algorithms` and bound to the
/// key, no unknown `crit`, the signature, then every claim rule of `options`.
///
/// ```
/// use edge_jwt::{sign, verify, Alg, ErrorCode, Key, SignOptions, VerifyOptions};
/// let key = Key::from_secret(&[7u8; 32], Alg::HS256).unwrap();
/// let claims = serde_json::json!({"sub": "ada", "exp": 1000});
/// let token = sign(claims.as_object().unwrap(), &key, &SignOptions::default()).unwrap();
/// let err = verify(&token, &key, &VerifyOptions::new([Alg::HS256]).at(1000.0)).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::JwtExpired); // now == exp is expired
/// assert!(verify(&token, &key, &VerifyOptions::new([Alg::HS256]).at(999.0)).is_ok());
/// ```
pub fn verify<'k>(
    token: &str,
    keys: impl Into<Keys<'k>>,
    options: &VerifyOptions,
) -> Result<VerifiedToken> {
    options.validate()?;
    let now = resolve_now(options.now)?;
    let untrusted = UntrustedToken::parse(token, options.max_token_size)?;
    check_signature(&untrusted, keys.into(), &options.algorithms)?;
    if let Some(typ) = &options.typ {
        check_typ(untrusted.header(), typ)?;
    }
    let claims = claims_from_bytes(&untrusted.payload_bytes())?;
    check_claims(&claims, options, now)?;
    Ok(VerifiedToken {
        header: untrusted.header().clone().into_fields(),
        claims,
    })
}

/// Verifies a compact JWS and returns its payload bytes, without claim rules: for JWS payloads
/// that are not JWT claims (RFC 7515). `algorithms` is required; tokens up to
/// [`MAX_COMPACT_SIZE`] bytes are accepted.
///
/// ```
/// use edge_jwt::{verify_compact, Alg, Key};
/// // RFC 7515 Appendix A.1
/// let jwk = serde_json::json!({"kty":"oct","alg":"HS256",
///   "k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"});
/// let key = Key::from_jwk(&jwk).unwrap();
/// let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// let jws = verify_compact(token, &key, &[Alg::HS256]).unwrap();
/// assert!(jws.payload.starts_with(b"{\"iss\":\"joe\""));
/// ```
pub fn verify_compact<'k>(
    token: &str,
    keys: impl Into<Keys<'k>>,
    algorithms: &[Alg],
) -> Result<VerifiedCompact> {
    if algorithms.is_empty() {
        return Err(JwtError::invalid_argument(
            "algorithms is required: list the algorithms you accept",
        ));
    }
    let untrusted = UntrustedToken::parse(token, MAX_COMPACT_SIZE)?;
    check_signature(&untrusted, keys.into(), algorithms)?;
    Ok(VerifiedCompact {
        payload: untrusted.payload_bytes(),
        header: untrusted.header().clone().into_fields(),
    })
}

/// The header rules and the signature: `alg` allowed and bound to the chosen key.
fn check_signature(
    untrusted: &UntrustedToken<'_>,
    keys: Keys<'_>,
    algorithms: &[Alg],
) -> Result<()> {
    let alg: Alg = untrusted.header().alg().parse()?;
    if !algorithms.contains(&alg) {
        return Err(JwtError::new(
            ErrorCode::JoseAlgNotAllowed,
            format!("{alg} is not among the allowed algorithms"),
        )
        .with_claim("alg"));
    }
    let key = match keys {
        Keys::One(key) => {
            if key.alg() != alg {
                return Err(JwtError::new(
                    ErrorCode::JoseAlgNotAllowed,
                    format!("the key is bound to {}, the token uses {alg}", key.alg()),
                )
                .with_claim("alg"));
            }
            if !key.can_verify() {
                return Err(
                    JwtError::jwk("the key's key_ops do not allow verify").with_reason("key_ops")
                );
            }
            key
        }
        Keys::Set(set) => set.select(alg, untrusted.header().kid(), false)?,
    };
    if verify_bytes(
        key.material(),
        alg,
        untrusted.signing_input().as_bytes(),
        untrusted.signature(),
    ) {
        Ok(())
    } else {
        Err(JwtError::new(
            ErrorCode::JwsSignatureVerificationFailed,
            "signature verification failed",
        ))
    }
}
