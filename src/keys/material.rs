//! The key material behind a [`Key`](super::Key): one variant per key family, with the private
//! half optional. Secrets are zeroized on drop by the crates that hold them.

use zeroize::Zeroizing;

use crate::alg::KeyFamily;

pub(crate) enum Material {
    Hmac(Zeroizing<Vec<u8>>),
    Ed25519 {
        secret: Option<ed25519_dalek::SigningKey>,
        public: ed25519_dalek::VerifyingKey,
    },
    P256 {
        secret: Option<p256::ecdsa::SigningKey>,
        public: p256::ecdsa::VerifyingKey,
    },
    P384 {
        secret: Option<p384::ecdsa::SigningKey>,
        public: p384::ecdsa::VerifyingKey,
    },
    Secp256k1 {
        secret: Option<k256::ecdsa::SigningKey>,
        public: k256::ecdsa::VerifyingKey,
    },
    Rsa {
        secret: Option<Box<rsa::RsaPrivateKey>>,
        public: rsa::RsaPublicKey,
    },
}

impl Material {
    pub(crate) fn family(&self) -> KeyFamily {
        match self {
            Material::Hmac(_) => KeyFamily::Hmac,
            Material::Ed25519 { .. } => KeyFamily::Ed25519,
            Material::P256 { .. } => KeyFamily::P256,
            Material::P384 { .. } => KeyFamily::P384,
            Material::Secp256k1 { .. } => KeyFamily::Secp256k1,
            Material::Rsa { .. } => KeyFamily::Rsa,
        }
    }

    pub(crate) fn has_secret(&self) -> bool {
        match self {
            Material::Hmac(_) => true,
            Material::Ed25519 { secret, .. } => secret.is_some(),
            Material::P256 { secret, .. } => secret.is_some(),
            Material::P384 { secret, .. } => secret.is_some(),
            Material::Secp256k1 { secret, .. } => secret.is_some(),
            Material::Rsa { secret, .. } => secret.is_some(),
        }
    }

    /// The public half only; `None` for HMAC secrets, which have no public half.
    pub(crate) fn public_only(&self) -> Option<Material> {
        Some(match self {
            Material::Hmac(_) => return None,
            Material::Ed25519 { public, .. } => Material::Ed25519 {
                secret: None,
                public: *public,
            },
            Material::P256 { public, .. } => Material::P256 {
                secret: None,
                public: *public,
            },
            Material::P384 { public, .. } => Material::P384 {
                secret: None,
                public: *public,
            },
            Material::Secp256k1 { public, .. } => Material::Secp256k1 {
                secret: None,
                public: *public,
            },
            Material::Rsa { public, .. } => Material::Rsa {
                secret: None,
                public: public.clone(),
            },
        })
    }
}

impl Clone for Material {
    fn clone(&self) -> Self {
        match self {
            Material::Hmac(bytes) => Material::Hmac(bytes.clone()),
            Material::Ed25519 { secret, public } => Material::Ed25519 {
                secret: secret.clone(),
                public: *public,
            },
            Material::P256 { secret, public } => Material::P256 {
                secret: secret.clone(),
                public: *public,
            },
            Material::P384 { secret, public } => Material::P384 {
                secret: secret.clone(),
                public: *public,
            },
            Material::Secp256k1 { secret, public } => Material::Secp256k1 {
                secret: secret.clone(),
                public: *public,
            },
            Material::Rsa { secret, public } => Material::Rsa {
                secret: secret.clone(),
                public: public.clone(),
            },
        }
    }
}
