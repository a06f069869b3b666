//! Key fitness rules (RFC 8725 §3.5, RFC 7518 §3.2, §3.3): weak keys are refused when a key is
//! made, so a `Key` that exists is always fit for its algorithm.

use rsa::traits::PublicKeyParts;
use rsa::BigUint;

use crate::alg::Alg;
use crate::error::{JwtError, Result};

/// The smallest RSA modulus edge-jwt accepts, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus edge-jwt accepts, in bits (bounds the work a hostile JWK can cause).
pub const MAX_RSA_BITS: usize = 8192;

pub(crate) fn check_hmac_secret(secret: &[u8], alg: Alg) -> Result<()> {
    let min = alg
        .hmac_min_key_len()
        .ok_or_else(|| JwtError::jwk("not an HMAC algorithm"))?;
    if secret.len() < min {
        return Err(JwtError::jwk(format!(
            "{alg} needs a secret of at least {min} bytes (the hash output); got {} bytes",
            secret.len()
        ))
        .with_reason("weak_key"));
    }
    Ok(())
}

pub(crate) fn check_rsa_public(key: &rsa::RsaPublicKey) -> Result<()> {
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(JwtError::jwk(format!(
            "RSA keys must have at least {MIN_RSA_BITS} bits; this one has {bits}"
        ))
        .with_reason("weak_key"));
    }
    if key.e() == &BigUint::from(1u8) {
        return Err(JwtError::jwk("RSA public exponent 1 is refused").with_reason("weak_key"));
    }
    Ok(())
}

pub(crate) fn rsa_public_from_parts(n: &[u8], e: &[u8]) -> Result<rsa::RsaPublicKey> {
    let n = BigUint::from_bytes_be(n);
    let e = BigUint::from_bytes_be(e);
    if e == BigUint::from(1u8) {
        return Err(JwtError::jwk("RSA public exponent 1 is refused").with_reason("weak_key"));
    }
    if n.bits() < MIN_RSA_BITS {
        return Err(JwtError::jwk(format!(
            "RSA keys must have at least {MIN_RSA_BITS} bits; this one has {}",
            n.bits()
        ))
        .with_reason("weak_key"));
    }
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS)
        .map_err(|_| JwtError::jwk("invalid RSA public key"))
}

pub(crate) fn check_ed25519_public(key: &ed25519_dalek::VerifyingKey) -> Result<()> {
    if key.is_weak() {
        return Err(
            JwtError::jwk("small-order Ed25519 public keys are refused").with_reason("weak_key")
        );
    }
    Ok(())
}
