//! The raw `WasmKey` and `WasmKeySet` classes behind the package's `Key` and `KeySet`.

use wasm_bindgen::prelude::*;

use super::convert::*;
use super::JsResult;
use crate::error::JwtError;
use crate::keys::{GenerateOptions, Key, KeySet};

/// A key bound to one algorithm (raw handle; the package's `Key` wraps it).
#[wasm_bindgen]
pub struct WasmKey {
    inner: Key,
}

impl WasmKey {
    pub(crate) fn inner(&self) -> &Key {
        &self.inner
    }
}

fn with_kid(key: Key, options: &JsValue) -> JsResult<Key> {
    let o = options_arg(options, &["kid"])?;
    Ok(
        match o
            .as_ref()
            .map(|o| opt_string(o, "kid"))
            .transpose()?
            .flatten()
        {
            Some(kid) => key.with_kid(kid),
            None => key,
        },
    )
}

fn options_arg(value: &JsValue, known: &[&str]) -> Result<Option<Opts>, JwtError> {
    options(value, "key options", known)
}

#[wasm_bindgen]
impl WasmKey {
    /// Generates a random key.
    pub fn generate(alg: JsValue, options: JsValue) -> JsResult<WasmKey> {
        let alg = alg_arg(&alg)?;
        let o = options_arg(&options, &["kid", "modulusLength"])?;
        let mut generate = GenerateOptions::default();
        if let Some(o) = &o {
            generate.kid = opt_string(o, "kid")?;
            generate.modulus_bits =
                opt_number(o, "modulusLength")?.map(|bits| bits.clamp(0.0, 1e6) as usize);
        }
        Ok(WasmKey {
            inner: Key::generate_with(alg, &generate)?,
        })
    }

    /// Reads a JWK.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: JsValue, options: JsValue) -> JsResult<WasmKey> {
        let jwk = serde_json::Value::Object(json_object(&jwk, "jwk")?);
        let o = options_arg(&options, &["alg"])?;
        let alg = match o.as_ref().map(|o| get(o, "alg")) {
            Some(v) if !v.is_undefined() && !v.is_null() => Some(alg_arg(&v)?),
            _ => None,
        };
        Ok(WasmKey {
            inner: Key::from_jwk_with_alg(&jwk, alg)?,
        })
    }

    /// Reads a PEM key.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: JsValue, alg: JsValue, options: JsValue) -> JsResult<WasmKey> {
        // The cap is on a key, not a token: report it as ERR_JWK_INVALID.
        let pem = string_arg(&pem, "pem", Some(64 * 1024)).map_err(|err| match err.reason() {
            Some("too_large") => {
                JwtError::jwk("the PEM is longer than 64 KiB").with_reason("too_large")
            }
            _ => err,
        })?;
        let key = Key::from_pem(&pem, alg_arg(&alg)?)?;
        Ok(WasmKey {
            inner: with_kid(key, &options)?,
        })
    }

    /// Makes an HMAC key from a secret.
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(secret: JsValue, alg: JsValue, options: JsValue) -> JsResult<WasmKey> {
        let alg = alg_arg(&alg)?;
        let secret = secret_bytes(&secret)?;
        let key = Key::from_secret(&secret, alg)?;
        Ok(WasmKey {
            inner: with_kid(key, &options)?,
        })
    }

    /// The algorithm.
    #[wasm_bindgen(getter)]
    pub fn alg(&self) -> String {
        self.inner.alg().as_str().to_owned()
    }

    /// The key id.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_owned()
    }

    /// True when the key can sign.
    #[wasm_bindgen(getter, js_name = isPrivate)]
    pub fn is_private(&self) -> bool {
        self.inner.is_private()
    }

    /// The key as a JWK.
    #[wasm_bindgen(js_name = toJwk)]
    pub fn to_jwk(&self, options: JsValue) -> JsResult<JsValue> {
        let o = options_arg(&options, &["private"])?;
        let private = o.as_ref().is_some_and(|o| get(o, "private").is_truthy());
        Ok(to_js(&self.inner.to_jwk(private)?)?)
    }

    /// The key as PEM (SPKI, or PKCS#8 with `private`).
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self, options: JsValue) -> JsResult<String> {
        let o = options_arg(&options, &["private"])?;
        let private = o.as_ref().is_some_and(|o| get(o, "private").is_truthy());
        Ok(self.inner.to_pem(private)?)
    }

    /// A copy of this key, for APIs that take ownership (such as `WasmAuth`'s signing key).
    pub fn copy(&self) -> WasmKey {
        WasmKey {
            inner: self.inner.clone(),
        }
    }

    /// The public half.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> JsResult<WasmKey> {
        Ok(WasmKey {
            inner: self.inner.public_key()?,
        })
    }
}

/// A set of keys (raw handle; the package's `KeySet` wraps it).
#[wasm_bindgen]
#[derive(Default)]
pub struct WasmKeySet {
    inner: KeySet,
}

impl WasmKeySet {
    pub(crate) fn inner(&self) -> &KeySet {
        &self.inner
    }
}

#[wasm_bindgen]
impl WasmKeySet {
    /// An empty set.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmKeySet {
        WasmKeySet::default()
    }

    /// Reads a JWKS.
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(jwks: JsValue, options: JsValue) -> JsResult<WasmKeySet> {
        let jwks = serde_json::Value::Object(json_object(&jwks, "jwks")?);
        let o = options_arg(&options, &["alg"])?;
        let alg = match o.as_ref().map(|o| get(o, "alg")) {
            Some(v) if !v.is_undefined() && !v.is_null() => Some(alg_arg(&v)?),
            _ => None,
        };
        Ok(WasmKeySet {
            inner: KeySet::from_jwks_with_alg(&jwks, alg)?,
        })
    }

    /// Adds a key (a copy of it).
    pub fn add(&mut self, key: &WasmKey) {
        self.inner.add(key.inner().clone());
    }

    /// The public JWKS.
    #[wasm_bindgen(js_name = toJwks)]
    pub fn to_jwks(&self) -> JsResult<JsValue> {
        Ok(to_js(&self.inner.to_jwks()?)?)
    }

    /// The number of keys.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}
