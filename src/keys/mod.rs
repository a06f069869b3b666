//! Keys bound to one algorithm, and key sets.
//!
//! A [`Key`] is always bound to exactly one [`Alg`] (RFC 8725 §3.1): the verifier, never the
//! token, decides how a key is used. Weak keys are refused when the key is made.

mod fitness;
mod generate;
mod jwk;
mod material;
mod pem;
mod set;

pub use fitness::{MAX_RSA_BITS, MIN_RSA_BITS};
pub use generate::GenerateOptions;
pub use set::KeySet;

pub(crate) use material::Material;

use std::fmt;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::alg::{Alg, KeyFamily};
use crate::error::{JwtError, Result};

/// A signing or verification key bound to one algorithm.
///
/// `Debug` never shows key material:
///
/// ```
/// use edge_jwt::{Alg, Key};
/// let key = Key::from_secret(b"0123456789abcdef0123456789abcdef", Alg::HS256).unwrap();
/// assert_eq!(key.alg(), Alg::HS256);
/// assert!(!format!("{key:?}").contains("0123456789"));
/// ```
#[derive(Clone)]
pub struct Key {
    alg: Alg,
    kid: String,
    material: Material,
    can_sign: bool,
    can_verify: bool,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl Key {
    pub(crate) fn from_material(alg: Alg, material: Material, kid: Option<String>) -> Result<Key> {
        if alg.family() != material.family() {
            return Err(JwtError::jwk(format!("this key cannot be used with {alg}")));
        }
        let mut key = Key {
            alg,
            kid: String::new(),
            material,
            can_sign: true,
            can_verify: true,
        };
        key.kid = match kid {
            Some(kid) => kid,
            None => key.thumbprint(),
        };
        Ok(key)
    }

    /// Makes an HMAC key from a shared secret. The secret must be at least as long as the hash
    /// output (32 bytes for HS256, 48 for HS384, 64 for HS512).
    ///
    /// ```
    /// use edge_jwt::{Alg, ErrorCode, Key};
    /// assert!(Key::from_secret(b"0123456789abcdef0123456789abcdef", Alg::HS256).is_ok());
    /// let err = Key::from_secret(b"short", Alg::HS256).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::JwkInvalid);
    /// ```
    pub fn from_secret(secret: &[u8], alg: Alg) -> Result<Key> {
        if alg.family() != KeyFamily::Hmac {
            return Err(JwtError::invalid_argument(format!(
                "from_secret makes HMAC keys only; {alg} needs a key pair"
            )));
        }
        fitness::check_hmac_secret(secret, alg)?;
        Key::from_material(alg, Material::Hmac(Zeroizing::new(secret.to_vec())), None)
    }

    /// Generates a new random key for `alg` (RSA keys have 2048 bits).
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::EdDSA).unwrap();
    /// assert!(key.is_private());
    /// assert_eq!(key.kid().len(), 43); // RFC 7638 thumbprint
    /// ```
    pub fn generate(alg: Alg) -> Result<Key> {
        generate::generate(alg, &GenerateOptions::default())
    }

    /// Generates a key with options (a `kid`, an RSA modulus length).
    ///
    /// ```
    /// use edge_jwt::{Alg, GenerateOptions, Key};
    /// let opts = GenerateOptions { kid: Some("k1".into()), ..Default::default() };
    /// assert_eq!(Key::generate_with(Alg::ES256, &opts).unwrap().kid(), "k1");
    /// ```
    pub fn generate_with(alg: Alg, options: &GenerateOptions) -> Result<Key> {
        generate::generate(alg, options)
    }

    /// Reads a JWK (RFC 7517). The JWK's `alg` binds the key; without one, EC and OKP keys get
    /// the only algorithm their curve has, and RSA and `oct` keys need `alg` (see
    /// [`Key::from_jwk_with_alg`]). `use` and `key_ops` are honoured; weak keys are refused.
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let jwk = serde_json::json!({"kty":"oct","alg":"HS256",
    ///     "k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"});
    /// let key = Key::from_jwk(&jwk).unwrap();
    /// assert_eq!(key.alg(), Alg::HS256);
    /// ```
    pub fn from_jwk(jwk: &Value) -> Result<Key> {
        jwk::from_jwk(jwk, None)
    }

    /// Reads a JWK and binds it to `alg` when the JWK has no `alg` of its own (a JWK whose own
    /// `alg` differs is refused).
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let jwk = serde_json::json!({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"});
    /// assert_eq!(Key::from_jwk_with_alg(&jwk, Some(Alg::HS512)).unwrap().alg(), Alg::HS512);
    /// ```
    pub fn from_jwk_with_alg(jwk: &Value, alg: Option<Alg>) -> Result<Key> {
        jwk::from_jwk(jwk, alg)
    }

    /// Reads a PEM key: SPKI (`PUBLIC KEY`), PKCS#8 (`PRIVATE KEY`, v1 or v2), PKCS#1
    /// (`RSA PRIVATE KEY`, `RSA PUBLIC KEY`) or SEC1 (`EC PRIVATE KEY`), bound to `alg`.
    ///
    /// Formatting is forgiven: surrounding whitespace, CRLF line endings, base64 wrapped at any
    /// width or not at all, and the `EC PARAMETERS` block `openssl ecparam -genkey` writes
    /// before the key (its curve must be `alg`'s). The rest is strict: exactly one key block,
    /// nothing but whitespace around it, only base64 inside it, and a key that fits `alg`;
    /// encrypted keys and certificates are refused (`ERR_JWK_INVALID`, saying why).
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let pem = Key::generate(Alg::ES256).unwrap().to_pem(false).unwrap();
    /// assert!(Key::from_pem(&pem.replace('\n', "\r\n"), Alg::ES256).is_ok());
    /// let err = Key::from_pem(&pem, Alg::RS256).unwrap_err();
    /// assert_eq!(err.message(), "the key is a P-256 key, not one for RS256");
    /// ```
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::ES256).unwrap();
    /// let pem = key.to_pem(false).unwrap();
    /// assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    /// let back = Key::from_pem(&pem, Alg::ES256).unwrap();
    /// assert_eq!(back.kid(), key.kid());
    /// ```
    pub fn from_pem(pem: &str, alg: Alg) -> Result<Key> {
        pem::from_pem(pem, alg)
    }

    /// Writes the key as PEM: SPKI for the public half, PKCS#8 with `private` (PKCS#8 v1, as
    /// OpenSSL writes it; Ed25519 keys as RFC 8410 describes, without the optional public key,
    /// so that OpenSSL 3, WebCrypto and jose import them).
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::EdDSA).unwrap();
    /// assert!(key.to_pem(true).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
    /// ```
    pub fn to_pem(&self, private: bool) -> Result<String> {
        pem::to_pem(self, private)
    }

    /// The same key with another `kid`.
    ///
    /// ```
    /// use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::ES256).unwrap().with_kid("2026-12");
    /// assert_eq!(key.kid(), "2026-12");
    /// ```
    pub fn with_kid(mut self, kid: impl Into<String>) -> Key {
        self.kid = kid.into();
        self
    }

    /// The algorithm this key is bound to.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// assert_eq!(Key::generate(Alg::ES384).unwrap().alg(), Alg::ES384);
    /// ```
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key id: the JWK's `kid`, or the RFC 7638 thumbprint.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::HS256).unwrap();
    /// assert_eq!(key.kid(), key.thumbprint());
    /// ```
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// True when the key can sign (it holds a private key or a secret).
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::ES256).unwrap();
    /// assert!(key.is_private());
    /// assert!(!key.public_key().unwrap().is_private());
    /// ```
    pub fn is_private(&self) -> bool {
        self.material.has_secret()
    }

    /// The public half of an asymmetric key; an HMAC secret has none
    /// (`ERR_INVALID_ARGUMENT`).
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// let key = Key::generate(Alg::RS256).unwrap();
    /// assert_eq!(key.public_key().unwrap().kid(), key.kid());
    /// assert!(Key::generate(Alg::HS256).unwrap().public_key().is_err());
    /// ```
    pub fn public_key(&self) -> Result<Key> {
        let material = self
            .material
            .public_only()
            .ok_or_else(|| JwtError::invalid_argument("an HMAC secret has no public key"))?;
        Ok(Key {
            alg: self.alg,
            kid: self.kid.clone(),
            material,
            can_sign: false,
            can_verify: self.can_verify,
        })
    }

    /// The key as a JWK with `kty`, `kid`, `alg`, `use: "sig"`. The private members (`d`, the
    /// RSA CRT values, or an HMAC `k`) are included only with `private`.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// let jwk = Key::generate(Alg::EdDSA).unwrap().to_jwk(false).unwrap();
    /// assert_eq!(jwk["kty"], "OKP");
    /// assert!(jwk.get("d").is_none());
    /// ```
    pub fn to_jwk(&self, private: bool) -> Result<Map<String, Value>> {
        jwk::to_jwk(self, private)
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url) of the key's public members.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key};
    /// assert_eq!(Key::generate(Alg::ES256).unwrap().thumbprint().len(), 43);
    /// ```
    pub fn thumbprint(&self) -> String {
        jwk::thumbprint(&self.material)
    }

    pub(crate) fn material(&self) -> &Material {
        &self.material
    }

    pub(crate) fn can_sign(&self) -> bool {
        self.can_sign && self.material.has_secret()
    }

    pub(crate) fn can_verify(&self) -> bool {
        self.can_verify
    }

    pub(crate) fn set_ops(&mut self, can_sign: bool, can_verify: bool) {
        self.can_sign = can_sign;
        self.can_verify = can_verify;
    }
}
