//! A set of keys (JWKS) and the choice of the one key that fits a token.

use serde_json::{Map, Value};

use super::Key;
use crate::alg::Alg;
use crate::error::{ErrorCode, JwtError, Result};

/// A set of keys, such as a JWKS. Verification picks the key whose `kid` and algorithm fit the
/// token; none or several are errors (`ERR_JWKS_NO_MATCHING_KEY`,
/// `ERR_JWKS_MULTIPLE_MATCHING_KEYS`).
///
/// ```
/// use edge_jwt::{Alg, Key, KeySet};
/// let mut set = KeySet::new();
/// set.add(Key::generate(Alg::ES256).unwrap().public_key().unwrap());
/// let jwks = set.to_jwks().unwrap();
/// assert_eq!(KeySet::from_jwks(&jwks).unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Key>,
    /// The JWKS entries `from_jwks` could not use: their `kid` and why, so that a token signed by
    /// one of them is told so instead of only "no key fits".
    left_out: Vec<(Option<String>, String)>,
}

impl KeySet {
    /// An empty set.
    ///
    /// ```
    /// assert!(edge_jwt::KeySet::new().is_empty());
    /// ```
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// Reads a JWKS (`{"keys": [...]}`). Keys meant for encryption (`use: "enc"`), key types
    /// edge-jwt does not sign with, and keys it refuses (too weak, malformed, an unsupported
    /// `alg`) are left out, so one such key added by a provider does not break verification with
    /// the others; a set in which no key at all is usable is an error naming the first failure.
    /// RSA and `oct` keys without `alg` get `default_alg` if given.
    ///
    /// ```
    /// let jwks = serde_json::json!({"keys": []});
    /// assert!(edge_jwt::KeySet::from_jwks(&jwks).unwrap().is_empty());
    /// ```
    pub fn from_jwks(jwks: &Value) -> Result<KeySet> {
        KeySet::from_jwks_with_alg(jwks, None)
    }

    /// Like [`KeySet::from_jwks`], binding keys without `alg` to `default_alg` when it fits them.
    ///
    /// ```
    /// use edge_jwt::{Alg, Key, KeySet};
    /// let mut jwk = Key::generate(Alg::ES256).unwrap().to_jwk(false).unwrap();
    /// jwk.remove("alg");
    /// let jwks = serde_json::json!({"keys": [jwk]});
    /// assert_eq!(KeySet::from_jwks_with_alg(&jwks, Some(Alg::ES256)).unwrap().len(), 1);
    /// ```
    pub fn from_jwks_with_alg(jwks: &Value, default_alg: Option<Alg>) -> Result<KeySet> {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| JwtError::jwk("a JWKS is an object with a \"keys\" array"))?;
        let mut set = KeySet::new();
        let mut first_failure = None;
        for (index, jwk) in keys.iter().enumerate() {
            if is_skipped(jwk) {
                continue;
            }
            let hint = default_alg.filter(|_| jwk.get("alg").is_none());
            match Key::from_jwk_with_alg(jwk, hint) {
                Ok(key) => set.add(key),
                // One unusable key (too weak, an algorithm edge-jwt lacks) must not take the
                // whole set down when a provider adds it: it is left out, like `use: "enc"`.
                Err(err) => {
                    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
                    set.left_out.push((kid, err.message().to_owned()));
                    first_failure.get_or_insert_with(|| {
                        JwtError::new(err.code(), format!("JWKS key {index}: {}", err.message()))
                    });
                }
            }
        }
        match first_failure {
            // Nothing usable at all is a misconfiguration: say why the first key failed.
            Some(failure) if set.is_empty() => Err(failure),
            _ => Ok(set),
        }
    }

    /// Adds a key.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key, KeySet};
    /// let mut set = KeySet::new();
    /// set.add(Key::generate(Alg::HS256).unwrap());
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn add(&mut self, key: Key) {
        self.keys.push(key);
    }

    /// The number of keys.
    ///
    /// ```
    /// assert_eq!(edge_jwt::KeySet::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set has no keys.
    ///
    /// ```
    /// assert!(edge_jwt::KeySet::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in the order they were added.
    ///
    /// ```
    /// assert_eq!(edge_jwt::KeySet::new().keys().count(), 0);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }

    /// The public JWKS. HMAC secrets are never published and are left out.
    ///
    /// ```
    /// # use edge_jwt::{Alg, Key, KeySet};
    /// let mut set = KeySet::new();
    /// set.add(Key::generate(Alg::EdDSA).unwrap());
    /// set.add(Key::generate(Alg::HS256).unwrap());
    /// let jwks = set.to_jwks().unwrap();
    /// assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    /// assert!(jwks["keys"][0].get("d").is_none());
    /// ```
    pub fn to_jwks(&self) -> Result<Value> {
        let keys = self
            .keys
            .iter()
            .filter(|key| key.alg().is_asymmetric())
            .map(|key| key.to_jwk(false).map(Value::Object))
            .collect::<Result<Vec<_>>>()?;
        let mut jwks = Map::new();
        jwks.insert("keys".into(), Value::Array(keys));
        Ok(Value::Object(jwks))
    }

    /// The one key for a token with this `alg` and `kid`.
    pub(crate) fn select(&self, alg: Alg, kid: Option<&str>, signing: bool) -> Result<&Key> {
        let mut candidates = self.keys.iter().filter(|key| {
            key.alg() == alg
                && kid.is_none_or(|kid| key.kid() == kid)
                && if signing {
                    key.can_sign()
                } else {
                    key.can_verify()
                }
        });
        let first = candidates.next().ok_or_else(|| self.no_matching_key(kid))?;
        if candidates.next().is_some() {
            return Err(JwtError::new(
                ErrorCode::JwksMultipleMatchingKeys,
                "several keys in the set fit the token: give each a distinct kid",
            ));
        }
        Ok(first)
    }
}

impl KeySet {
    /// `ERR_JWKS_NO_MATCHING_KEY`, saying so when the token's key was one the JWKS held but
    /// `from_jwks` left out (an RSA key without `alg`, say: pass `{ alg }`).
    fn no_matching_key(&self, kid: Option<&str>) -> JwtError {
        let left_out = self
            .left_out
            .iter()
            .find(|(left, _)| kid.is_some() && left.as_deref() == kid);
        let message = match left_out {
            Some((Some(kid), why)) => format!(
                "the JWKS key \"{}\" was left out of the set when it was read: {why}",
                kid.chars().take(64).collect::<String>()
            ),
            _ => "no key in the set fits the token".to_owned(),
        };
        JwtError::new(ErrorCode::JwksNoMatchingKey, message)
    }
}

fn is_skipped(jwk: &Value) -> bool {
    let use_enc = jwk
        .get("use")
        .and_then(Value::as_str)
        .is_some_and(|u| u != "sig");
    let kty = jwk.get("kty").and_then(Value::as_str);
    let crv = jwk.get("crv").and_then(Value::as_str);
    let unsupported = match kty {
        Some("RSA" | "oct") => false,
        Some("EC") => !matches!(crv, Some("P-256" | "P-384" | "secp256k1")),
        Some("OKP") => crv != Some("Ed25519"),
        _ => true,
    };
    use_enc || unsupported
}
