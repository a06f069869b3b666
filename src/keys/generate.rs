//! Fresh random keys from the platform CSPRNG (`crypto.getRandomValues` in wasm).

use rand_core::OsRng;
use zeroize::Zeroizing;

use super::{Key, Material};
use crate::alg::{Alg, KeyFamily};
use crate::error::{JwtError, Result};
use crate::random;

/// Options for [`Key::generate_with`].
///
/// ```
/// let opts = edge_jwt::GenerateOptions { modulus_bits: Some(3072), ..Default::default() };
/// assert_eq!(opts.kid, None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// The key id; the RFC 7638 thumbprint when `None`.
    pub kid: Option<String>,
    /// RSA modulus length in bits (2048 when `None`; 2048 to 4096 allowed).
    pub modulus_bits: Option<usize>,
}

pub(super) fn generate(alg: Alg, options: &GenerateOptions) -> Result<Key> {
    let material = match alg.family() {
        KeyFamily::Hmac => {
            let len = alg.hmac_min_key_len().unwrap_or(64);
            let mut secret = Zeroizing::new(vec![0u8; len]);
            random::fill(&mut secret)?;
            Material::Hmac(secret)
        }
        KeyFamily::Ed25519 => {
            let secret = ed25519_dalek::SigningKey::generate(&mut OsRng);
            Material::Ed25519 {
                public: secret.verifying_key(),
                secret: Some(secret),
            }
        }
        KeyFamily::P256 => {
            let secret = p256::ecdsa::SigningKey::random(&mut OsRng);
            Material::P256 {
                public: *secret.verifying_key(),
                secret: Some(secret),
            }
        }
        KeyFamily::P384 => {
            let secret = p384::ecdsa::SigningKey::random(&mut OsRng);
            Material::P384 {
                public: *secret.verifying_key(),
                secret: Some(secret),
            }
        }
        KeyFamily::Secp256k1 => {
            let secret = k256::ecdsa::SigningKey::random(&mut OsRng);
            Material::Secp256k1 {
                public: *secret.verifying_key(),
                secret: Some(secret),
            }
        }
        KeyFamily::Rsa => {
            let bits = options.modulus_bits.unwrap_or(2048);
            if !(2048..=4096).contains(&bits) || bits % 8 != 0 {
                return Err(JwtError::invalid_argument(
                    "modulusLength must be a multiple of 8 from 2048 to 4096",
                ));
            }
            let secret = rsa::RsaPrivateKey::new(&mut OsRng, bits)
                .map_err(|_| JwtError::invalid_argument("RSA key generation failed"))?;
            Material::Rsa {
                public: secret.to_public_key(),
                secret: Some(Box::new(secret)),
            }
        }
    };
    Key::from_material(alg, material, options.kid.clone())
}
