//! Key fitness rules (RFC 8725 §3.5, RFC 7518 §3.2, §3.3): weak keys are refused when a key is
//! made, so a `Key` that exists is always fit for its algorithm.

use rsa::traits::PublicKeyParts;
use rsa::BigUint;

use crate::alg::Alg;
use crate::error::{JwtError, Result};

/// The smallest RSA modulus edge-jwt accepts, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus edge-jwt accepts, in bits, in every form (JWK, SPKI, PKCS#1, PKCS#8):
/// bounds the work a hostile key can cause.
pub const MAX_RSA_BITS: usize = 8192;

fn too_large(bits: usize) -> JwtError {
    JwtError::jwk(format!(
        "RSA keys may have at most {MAX_RSA_BITS} bits; this one has {bits}"
    ))
}

/// Refuses a modulus (big-endian bytes) over [`MAX_RSA_BITS`] before any work is done on it.
pub(crate) fn check_rsa_modulus_len(n: &[u8]) -> Result<()> {
    let n = &n[n.iter().take_while(|&&b| b == 0).count()..];
    let bits = match n.first() {
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    };
    if bits > MAX_RSA_BITS {
        return Err(too_large(bits));
    }
    Ok(())
}

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
    if bits > MAX_RSA_BITS {
        return Err(too_large(bits));
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
    if n.bits() > MAX_RSA_BITS {
        return Err(too_large(n.bits()));
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
