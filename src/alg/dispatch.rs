//! Dispatch from (key material, algorithm) to the jwt-compact `Algorithm` that does the work.

use jwt_compact::alg::{
    Ed25519, Es256, Es256k, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa,
};
use jwt_compact::{Algorithm, AlgorithmSignature};

use super::es384::Es384;
use super::Alg;
use crate::error::{JwtError, Result};
use crate::keys::Material;

fn rsa_alg(alg: Alg) -> Option<Rsa> {
    Some(match alg {
        Alg::RS256 => Rsa::rs256(),
        Alg::RS384 => Rsa::rs384(),
        Alg::RS512 => Rsa::rs512(),
        Alg::PS256 => Rsa::ps256(),
        Alg::PS384 => Rsa::ps384(),
        Alg::PS512 => Rsa::ps512(),
        _ => return None,
    })
}

fn signed<A: Algorithm>(alg: &A, key: &A::SigningKey, message: &[u8]) -> Vec<u8> {
    alg.sign(key, message).as_bytes().into_owned()
}

/// Signs `message` with `material` under `alg`. The key must hold its private half.
pub(crate) fn sign_bytes(material: &Material, alg: Alg, message: &[u8]) -> Result<Vec<u8>> {
    let no_secret = || JwtError::invalid_argument("this key has no private part and cannot sign");
    Ok(match (material, alg) {
        (Material::Hmac(k), Alg::HS256) => signed(&Hs256, &Hs256Key::new(&k[..]), message),
        (Material::Hmac(k), Alg::HS384) => signed(&Hs384, &Hs384Key::new(&k[..]), message),
        (Material::Hmac(k), Alg::HS512) => signed(&Hs512, &Hs512Key::new(&k[..]), message),
        (Material::Ed25519 { secret, .. }, Alg::EdDSA) => {
            signed(&Ed25519, secret.as_ref().ok_or_else(no_secret)?, message)
        }
        (Material::P256 { secret, .. }, Alg::ES256) => {
            signed(&Es256, secret.as_ref().ok_or_else(no_secret)?, message)
        }
        (Material::P384 { secret, .. }, Alg::ES384) => {
            signed(&Es384, secret.as_ref().ok_or_else(no_secret)?, message)
        }
        (Material::Secp256k1 { secret, .. }, Alg::ES256K) => signed(
            &Es256k::<sha2::Sha256>::default(),
            secret.as_ref().ok_or_else(no_secret)?,
            message,
        ),
        (Material::Rsa { secret, .. }, alg) if rsa_alg(alg).is_some() => {
            let secret = secret.as_ref().ok_or_else(no_secret)?;
            signed(&rsa_alg(alg).unwrap_or(Rsa::rs256()), secret, message)
        }
        _ => {
            return Err(JwtError::invalid_argument(format!(
                "this key cannot sign {alg}"
            )))
        }
    })
}

fn checked<A: Algorithm>(alg: &A, key: &A::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    if let Some(len) = <A::Signature as AlgorithmSignature>::LENGTH {
        if signature.len() != len.get() {
            return false;
        }
    }
    match A::Signature::try_from_slice(signature) {
        Ok(signature) => alg.verify_signature(&signature, key, message),
        Err(_) => false,
    }
}

/// Checks `signature` over `message`; false for any mismatch, including a key of another kind.
pub(crate) fn verify_bytes(
    material: &Material,
    alg: Alg,
    message: &[u8],
    signature: &[u8],
) -> bool {
    match (material, alg) {
        (Material::Hmac(k), Alg::HS256) => {
            checked(&Hs256, &Hs256Key::new(&k[..]), message, signature)
        }
        (Material::Hmac(k), Alg::HS384) => {
            checked(&Hs384, &Hs384Key::new(&k[..]), message, signature)
        }
        (Material::Hmac(k), Alg::HS512) => {
            checked(&Hs512, &Hs512Key::new(&k[..]), message, signature)
        }
        (Material::Ed25519 { public, .. }, Alg::EdDSA) => {
            checked(&Ed25519, public, message, signature)
        }
        (Material::P256 { public, .. }, Alg::ES256) => checked(&Es256, public, message, signature),
        (Material::P384 { public, .. }, Alg::ES384) => checked(&Es384, public, message, signature),
        (Material::Secp256k1 { public, .. }, Alg::ES256K) => checked(
            &Es256k::<sha2::Sha256>::default(),
            public,
            message,
            signature,
        ),
        (Material::Rsa { public, .. }, alg) => match rsa_alg(alg) {
            Some(rsa) => checked(&rsa, public, message, signature),
            None => false,
        },
        _ => false,
    }
}
