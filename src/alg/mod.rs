//! JWS algorithms: names, families, and dispatch of signing and verification to jwt-compact
//! (and, for ES384, which jwt-compact lacks, to our [`es384::Es384`] on the same trait).

mod dispatch;
mod es384;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod wycheproof;

pub(crate) use dispatch::{sign_bytes, verify_bytes};

use std::fmt;
use std::str::FromStr;

use crate::error::{ErrorCode, JwtError};

/// A JWS signature algorithm supported by edge-jwt. `none` is not one of them, by design.
///
/// ```
/// use edge_jwt::Alg;
/// let alg: Alg = "ES256".parse().unwrap();
/// assert_eq!(alg, Alg::ES256);
/// assert_eq!(alg.as_str(), "ES256");
/// assert!("none".parse::<Alg>().is_err());
/// // RFC 9864's fully-specified "Ed25519" is read as EdDSA.
/// assert_eq!("Ed25519".parse::<Alg>().unwrap(), Alg::EdDSA);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Alg {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// Ed25519 (RFC 8037).
    EdDSA,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812).
    ES256K,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
}

/// The family of keys an algorithm needs.
///
/// ```
/// use edge_jwt::{Alg, KeyFamily};
/// assert_eq!(Alg::PS256.family(), KeyFamily::Rsa);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// A shared secret (`kty: "oct"`).
    Hmac,
    /// An Ed25519 key (`kty: "OKP"`, `crv: "Ed25519"`).
    Ed25519,
    /// A P-256 key (`kty: "EC"`, `crv: "P-256"`).
    P256,
    /// A P-384 key (`kty: "EC"`, `crv: "P-384"`).
    P384,
    /// A secp256k1 key (`kty: "EC"`, `crv: "secp256k1"`).
    Secp256k1,
    /// An RSA key (`kty: "RSA"`).
    Rsa,
}

impl Alg {
    /// Every supported algorithm.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Alg::ALL.len(), 13);
    /// ```
    pub const ALL: [Alg; 13] = [
        Alg::HS256,
        Alg::HS384,
        Alg::HS512,
        Alg::EdDSA,
        Alg::ES256,
        Alg::ES384,
        Alg::ES256K,
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
    ];

    /// The registered JWS name.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Alg::EdDSA.as_str(), "EdDSA");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::EdDSA => "EdDSA",
            Alg::ES256 => "ES256",
            Alg::ES384 => "ES384",
            Alg::ES256K => "ES256K",
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
        }
    }

    /// The key family this algorithm needs.
    ///
    /// ```
    /// use edge_jwt::{Alg, KeyFamily};
    /// assert_eq!(Alg::ES256K.family(), KeyFamily::Secp256k1);
    /// ```
    pub const fn family(self) -> KeyFamily {
        match self {
            Alg::HS256 | Alg::HS384 | Alg::HS512 => KeyFamily::Hmac,
            Alg::EdDSA => KeyFamily::Ed25519,
            Alg::ES256 => KeyFamily::P256,
            Alg::ES384 => KeyFamily::P384,
            Alg::ES256K => KeyFamily::Secp256k1,
            _ => KeyFamily::Rsa,
        }
    }

    /// For HMAC algorithms, the hash output length in bytes, which is also the shortest
    /// secret edge-jwt accepts.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Alg::HS384.hmac_min_key_len(), Some(48));
    /// assert_eq!(edge_jwt::Alg::ES256.hmac_min_key_len(), None);
    /// ```
    pub const fn hmac_min_key_len(self) -> Option<usize> {
        match self {
            Alg::HS256 => Some(32),
            Alg::HS384 => Some(48),
            Alg::HS512 => Some(64),
            _ => None,
        }
    }

    /// True for algorithms with a public key (everything but HMAC).
    ///
    /// ```
    /// assert!(edge_jwt::Alg::RS256.is_asymmetric());
    /// assert!(!edge_jwt::Alg::HS256.is_asymmetric());
    /// ```
    pub const fn is_asymmetric(self) -> bool {
        !matches!(self.family(), KeyFamily::Hmac)
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Alg {
    type Err = JwtError;

    fn from_str(name: &str) -> Result<Self, JwtError> {
        if name == "Ed25519" {
            // RFC 9864's fully-specified name for EdDSA with Ed25519 (jose 6 writes it): the
            // same algorithm as "EdDSA" over the only curve edge-jwt supports.
            return Ok(Alg::EdDSA);
        }
        Alg::ALL
            .iter()
            .copied()
            .find(|alg| alg.as_str() == name)
            .ok_or_else(|| {
                if name.eq_ignore_ascii_case("none") {
                    JwtError::new(
                        ErrorCode::JoseAlgNotAllowed,
                        "the \"none\" algorithm is never accepted",
                    )
                    .with_claim("alg")
                } else {
                    let shown: String = name.chars().take(32).collect();
                    JwtError::new(
                        ErrorCode::JoseNotSupported,
                        format!("unsupported algorithm {shown:?}"),
                    )
                    .with_claim("alg")
                    .with_reason("unsupported_alg")
                }
            })
    }
}
