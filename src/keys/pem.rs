//! PEM import and export: SPKI, PKCS#8, PKCS#1 (RSA) and SEC1 (EC).

use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};

use super::fitness::{check_ed25519_public, check_rsa_public};
use super::{Key, Material};
use crate::alg::{Alg, KeyFamily};
use crate::error::{JwtError, Result};

/// The PEM labels edge-jwt reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Spki,
    Pkcs8,
    Pkcs1Private,
    Pkcs1Public,
    Sec1,
}

fn label_of(pem: &str) -> Result<Label> {
    let begin = pem.trim_start();
    let label = begin
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .map(|(label, _)| label)
        .ok_or_else(|| JwtError::jwk("not a PEM document"))?;
    Ok(match label {
        "PUBLIC KEY" => Label::Spki,
        "PRIVATE KEY" => Label::Pkcs8,
        "RSA PRIVATE KEY" => Label::Pkcs1Private,
        "RSA PUBLIC KEY" => Label::Pkcs1Public,
        "EC PRIVATE KEY" => Label::Sec1,
        "ENCRYPTED PRIVATE KEY" => {
            return Err(JwtError::jwk(
                "encrypted PEM keys are not supported: decrypt it first",
            ))
        }
        _ => return Err(JwtError::jwk("unsupported PEM label")),
    })
}

pub(super) fn from_pem(pem: &str, alg: Alg) -> Result<Key> {
    let label = label_of(pem)?;
    let bad = || JwtError::jwk(format!("the PEM does not hold a key for {alg}"));
    macro_rules! ec {
        ($krate:ident, $variant:ident) => {{
            match label {
                Label::Spki => Material::$variant {
                    secret: None,
                    public: $krate::ecdsa::VerifyingKey::from_public_key_pem(pem)
                        .map_err(|_| bad())?,
                },
                Label::Pkcs8 | Label::Sec1 => {
                    let secret = if label == Label::Pkcs8 {
                        $krate::ecdsa::SigningKey::from_pkcs8_pem(pem).map_err(|_| bad())?
                    } else {
                        $krate::SecretKey::from_sec1_pem(pem)
                            .map_err(|_| bad())?
                            .into()
                    };
                    Material::$variant {
                        public: *secret.verifying_key(),
                        secret: Some(secret),
                    }
                }
                _ => return Err(bad()),
            }
        }};
    }
    let material = match alg.family() {
        KeyFamily::Hmac => {
            return Err(JwtError::invalid_argument(
                "HMAC keys are secrets: use from_secret",
            ))
        }
        KeyFamily::Ed25519 => match label {
            Label::Spki => {
                let public =
                    ed25519_dalek::VerifyingKey::from_public_key_pem(pem).map_err(|_| bad())?;
                check_ed25519_public(&public)?;
                Material::Ed25519 {
                    secret: None,
                    public,
                }
            }
            Label::Pkcs8 => {
                let secret = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| bad())?;
                Material::Ed25519 {
                    public: secret.verifying_key(),
                    secret: Some(secret),
                }
            }
            _ => return Err(bad()),
        },
        KeyFamily::P256 => ec!(p256, P256),
        KeyFamily::P384 => ec!(p384, P384),
        KeyFamily::Secp256k1 => ec!(k256, Secp256k1),
        KeyFamily::Rsa => {
            let (secret, public) = match label {
                Label::Spki => (
                    None,
                    rsa::RsaPublicKey::from_public_key_pem(pem).map_err(|_| bad())?,
                ),
                Label::Pkcs1Public => (
                    None,
                    rsa::RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| bad())?,
                ),
                Label::Pkcs8 | Label::Pkcs1Private => {
                    let secret = if label == Label::Pkcs8 {
                        rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| bad())?
                    } else {
                        rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| bad())?
                    };
                    let public = secret.to_public_key();
                    (Some(Box::new(secret)), public)
                }
                Label::Sec1 => return Err(bad()),
            };
            check_rsa_public(&public)?;
            Material::Rsa { secret, public }
        }
    };
    Key::from_material(alg, material, None)
}

pub(super) fn to_pem(key: &Key, private: bool) -> Result<String> {
    if private && !key.is_private() {
        return Err(JwtError::invalid_argument(
            "this key has no private part to export",
        ));
    }
    fn failed<E>(_: E) -> JwtError {
        JwtError::jwk("the key could not be encoded as PEM")
    }
    let pem = match (key.material(), private) {
        (Material::Hmac(_), _) => {
            return Err(JwtError::invalid_argument("HMAC secrets have no PEM form"))
        }
        (
            Material::Ed25519 {
                secret: Some(s), ..
            },
            true,
        ) => {
            // RFC 8410 PKCS#8 v1, without the optional public key: ed25519-dalek writes the v2
            // OneAsymmetricKey form, which OpenSSL 3, WebCrypto and jose refuse to import.
            let keypair = ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: s.to_bytes(),
                public_key: None,
            };
            keypair
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(failed)?
                .to_string()
        }
        (
            Material::P256 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::P384 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::Secp256k1 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::Rsa {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (Material::Ed25519 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::P256 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::P384 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::Secp256k1 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::Rsa { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
    };
    Ok(pem)
}
