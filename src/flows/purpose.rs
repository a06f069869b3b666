//! Purpose separation: each kind of flow token has its own `typ` and its own HMAC key, derived
//! from the configured secret with HKDF-SHA256 (RFC 5869) under a distinct `info`. A token of
//! one kind therefore cannot verify as another even if a check were skipped.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::alg::Alg;
use crate::error::Result;
use crate::keys::Key;
use crate::token::base64url;

/// The kinds of token the flows issue.
///
/// ```
/// use edge_jwt::Purpose;
/// assert_eq!(Purpose::Access.typ(), "at+jwt");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Access tokens (RFC 9068).
    Access,
    /// Refresh tokens.
    Refresh,
    /// Magic-link tokens.
    MagicLink,
    /// One-time-code challenges.
    Otp,
    /// Two-factor pending tokens.
    TwoFactor,
}

impl Purpose {
    /// Every purpose.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Purpose::ALL.len(), 5);
    /// ```
    pub const ALL: [Purpose; 5] = [
        Purpose::Access,
        Purpose::Refresh,
        Purpose::MagicLink,
        Purpose::Otp,
        Purpose::TwoFactor,
    ];

    /// The `typ` header of tokens of this purpose.
    ///
    /// ```
    /// assert_eq!(edge_jwt::Purpose::Refresh.typ(), "refresh+jwt");
    /// ```
    pub const fn typ(self) -> &'static str {
        match self {
            Purpose::Access => "at+jwt",
            Purpose::Refresh => "refresh+jwt",
            Purpose::MagicLink => "magic-link+jwt",
            Purpose::Otp => "otp-challenge+jwt",
            Purpose::TwoFactor => "2fa-pending+jwt",
        }
    }

    /// The HKDF `info` label of this purpose's key.
    const fn label(self) -> &'static str {
        match self {
            Purpose::Access => "access",
            Purpose::Refresh => "refresh",
            Purpose::MagicLink => "magic-link",
            Purpose::Otp => "otp-challenge",
            Purpose::TwoFactor => "2fa-pending",
        }
    }
}

const SALT: &[u8] = b"edge-jwt/flows/v1";

/// Derives 32 bytes from `secret` for `label`.
pub(crate) fn derive(secret: &[u8], label: &str) -> Zeroizing<[u8; 32]> {
    let hkdf = Hkdf::<Sha256>::new(Some(SALT), secret);
    let mut out = Zeroizing::new([0u8; 32]);
    let info = format!("edge-jwt/v1 {label}");
    // 32 bytes is far below HKDF-SHA256's limit of 8160: expand cannot fail.
    let _ = hkdf.expand(info.as_bytes(), &mut out[..]);
    out
}

/// The key id of a secret: 72 bits of an HKDF output, so versions can be told apart without
/// revealing anything about the secret.
pub(crate) fn secret_id(secret: &[u8]) -> String {
    base64url::encode(&derive(secret, "kid")[..9])
}

/// One secret's per-purpose keys.
#[derive(Clone)]
pub(crate) struct SecretKeys {
    pub(crate) kid: String,
    keys: Vec<(Purpose, Key)>,
    otp_mac: Zeroizing<[u8; 32]>,
}

impl SecretKeys {
    pub(crate) fn new(secret: &[u8]) -> Result<SecretKeys> {
        let kid = secret_id(secret);
        let keys = Purpose::ALL
            .iter()
            .map(|&p| {
                Ok((
                    p,
                    Key::from_secret(&derive(secret, p.label())[..], Alg::HS256)?
                        .with_kid(kid.clone()),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SecretKeys {
            kid,
            keys,
            otp_mac: derive(secret, "otp-mac"),
        })
    }

    pub(crate) fn key(&self, purpose: Purpose) -> &Key {
        // Every purpose is derived in `new`.
        &self
            .keys
            .iter()
            .find(|(p, _)| *p == purpose)
            .unwrap_or(&self.keys[0])
            .1
    }

    pub(crate) fn otp_mac_key(&self) -> &[u8] {
        &self.otp_mac[..]
    }
}
