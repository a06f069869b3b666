//! The JS bindings: a thin layer that converts, calls the core and maps errors. No rules live
//! here. The package's hand-written JS wraps these raw exports into the public API.

mod convert;
mod error;
mod flows;
mod js;
mod keys;
mod ledger;
#[cfg(test)]
mod tests;

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::error::JwtError;
use crate::inspect::RefreshAtOptions;
use crate::policy::VerifyOptions;
use crate::sign::{Jti, SignOptions};
use crate::token::DEFAULT_MAX_TOKEN_SIZE;
use crate::verify::Keys;
use convert::*;
pub use keys::{WasmKey, WasmKeySet};

type JsResult<T> = Result<T, JsValue>;

const SIGN_OPTIONS: &[&str] = &[
    "typ",
    "kid",
    "expiresIn",
    "notBefore",
    "issuer",
    "subject",
    "audience",
    "jti",
    "header",
    "now",
];
const VERIFY_OPTIONS: &[&str] = &[
    "algorithms",
    "issuer",
    "audience",
    "subject",
    "typ",
    "leeway",
    "maxAge",
    "requiredClaims",
    "now",
    "maxTokenSize",
];

/// Signs a JSON object of claims with a key.
#[wasm_bindgen]
pub fn sign(claims: JsValue, key: &WasmKey, options: JsValue) -> JsResult<String> {
    let claims = json_object(&claims, "claims")?;
    let options = sign_options(&options)?;
    Ok(crate::sign(&claims, key.inner(), &options)?)
}

fn sign_options(value: &JsValue) -> Result<SignOptions, JwtError> {
    let Some(o) = options(value, "sign options", SIGN_OPTIONS)? else {
        return Ok(SignOptions::default());
    };
    let jti = match get(&o, "jti") {
        v if v.is_undefined() || v.is_null() || v == JsValue::FALSE => None,
        v if v == JsValue::TRUE => Some(Jti::Random),
        v => Some(Jti::Value(v.as_string().ok_or_else(|| {
            JwtError::invalid_argument("jti must be a string or true")
        })?)),
    };
    let header = get(&o, "header");
    let header = if header.is_undefined() || header.is_null() {
        Default::default()
    } else {
        json_object(&header, "header")?
    };
    Ok(SignOptions {
        typ: opt_string(&o, "typ")?,
        kid: opt_string(&o, "kid")?,
        expires_in: opt_duration(&o, "expiresIn")?,
        not_before: opt_duration(&o, "notBefore")?,
        issuer: opt_string(&o, "issuer")?,
        subject: opt_string(&o, "subject")?,
        audience: string_list(&o, "audience")?,
        jti,
        header,
        now: opt_now(Some(&o))?,
    })
}

fn verify_options(value: &JsValue) -> Result<VerifyOptions, JwtError> {
    let o = options(value, "verify options", VERIFY_OPTIONS)?.ok_or_else(|| {
        JwtError::invalid_argument("verify options are required: at least { algorithms: [...] }")
    })?;
    let mut options = VerifyOptions::new(alg_list(&o, "algorithms")?);
    options.issuer = string_list(&o, "issuer")?;
    options.audience = string_list(&o, "audience")?;
    options.subject = opt_string(&o, "subject")?;
    options.typ = opt_string(&o, "typ")?;
    options.leeway = opt_duration(&o, "leeway")?.unwrap_or(0.0);
    options.max_age = opt_duration(&o, "maxAge")?;
    options.required_claims = string_list(&o, "requiredClaims")?;
    options.now = opt_now(Some(&o))?;
    if let Some(size) = opt_number(&o, "maxTokenSize")? {
        if !(1.0..=16_777_216.0).contains(&size) {
            return Err(JwtError::invalid_argument(
                "maxTokenSize must be 1 to 16777216 bytes",
            ));
        }
        options.max_token_size = size as usize;
    }
    Ok(options)
}

fn verified(result: crate::VerifiedToken) -> JsResult<JsValue> {
    Ok(to_js(
        &serde_json::json!({ "header": result.header, "claims": result.claims }),
    )?)
}

fn verify_with(token: &JsValue, keys: Keys<'_>, options: &JsValue) -> JsResult<JsValue> {
    let options = verify_options(options)?;
    let token = string_arg(token, "token", Some(options.max_token_size))?;
    verified(crate::verify(&token, keys, &options)?)
}

/// Verifies a JWT with one key.
#[wasm_bindgen(js_name = verifyWithKey)]
pub fn verify_with_key(token: JsValue, key: &WasmKey, options: JsValue) -> JsResult<JsValue> {
    verify_with(&token, Keys::One(key.inner()), &options)
}

/// Verifies a JWT with a key set.
#[wasm_bindgen(js_name = verifyWithKeySet)]
pub fn verify_with_key_set(
    token: JsValue,
    keys: &WasmKeySet,
    options: JsValue,
) -> JsResult<JsValue> {
    verify_with(&token, Keys::Set(keys.inner()), &options)
}

fn verify_compact_with(token: &JsValue, keys: Keys<'_>, options: &JsValue) -> JsResult<JsValue> {
    let o = convert::options(options, "verifyCompact options", &["algorithms"])?
        .ok_or_else(|| JwtError::invalid_argument("options are required: { algorithms: [...] }"))?;
    let algorithms = alg_list(&o, "algorithms")?;
    let token = string_arg(token, "token", Some(crate::MAX_COMPACT_SIZE))?;
    let result = crate::verify_compact(&token, keys, &algorithms)?;
    let out = Object::new();
    set(&out, "header", &to_js(&result.header)?);
    set(
        &out,
        "payload",
        &Uint8Array::from(&result.payload[..]).into(),
    );
    Ok(out.into())
}

/// Verifies a compact JWS with one key and returns its payload bytes.
#[wasm_bindgen(js_name = verifyCompactWithKey)]
pub fn verify_compact_with_key(
    token: JsValue,
    key: &WasmKey,
    options: JsValue,
) -> JsResult<JsValue> {
    verify_compact_with(&token, Keys::One(key.inner()), &options)
}

/// Verifies a compact JWS with a key set and returns its payload bytes.
#[wasm_bindgen(js_name = verifyCompactWithKeySet)]
pub fn verify_compact_with_key_set(
    token: JsValue,
    keys: &WasmKeySet,
    options: JsValue,
) -> JsResult<JsValue> {
    verify_compact_with(&token, Keys::Set(keys.inner()), &options)
}

/// Decodes a token WITHOUT verifying it.
#[wasm_bindgen]
pub fn decode(token: JsValue) -> JsResult<JsValue> {
    let token = string_arg(&token, "token", Some(DEFAULT_MAX_TOKEN_SIZE))?;
    let decoded = crate::decode(&token)?;
    Ok(to_js(
        &serde_json::json!({ "header": decoded.header, "claims": decoded.claims }),
    )?)
}

/// Decodes a token WITHOUT verifying it and reads its times.
#[wasm_bindgen]
pub fn inspect(token: JsValue, options: JsValue) -> JsResult<JsValue> {
    let o = convert::options(&options, "inspect options", &["now"])?;
    let token = string_arg(&token, "token", Some(DEFAULT_MAX_TOKEN_SIZE))?;
    let info = crate::inspect(&token, opt_now(o.as_ref())?)?;
    let out: Object =
        to_js(&serde_json::json!({ "header": info.header, "claims": info.claims }))?.into();
    for (name, value) in [
        ("issuedAt", info.issued_at),
        ("notBefore", info.not_before),
        ("expiresAt", info.expires_at),
    ] {
        if let Some(seconds) = value {
            set(&out, name, &date(seconds));
        }
    }
    if let Some(seconds) = info.expires_in {
        set(&out, "expiresIn", &JsValue::from_f64(seconds));
    }
    set(&out, "expired", &JsValue::from_bool(info.expired));
    Ok(out.into())
}

/// When to refresh a token, in epoch milliseconds.
#[wasm_bindgen(js_name = refreshAt)]
pub fn refresh_at(token: JsValue, options: JsValue) -> JsResult<f64> {
    let o = convert::options(&options, "refreshAt options", &["skew", "jitter", "now"])?;
    let token = string_arg(&token, "token", Some(DEFAULT_MAX_TOKEN_SIZE))?;
    let mut refresh = RefreshAtOptions::default();
    if let Some(o) = &o {
        refresh.skew = opt_duration(o, "skew")?.unwrap_or(refresh.skew);
        refresh.jitter = opt_duration(o, "jitter")?.unwrap_or(refresh.jitter);
    }
    refresh.now = opt_now(o.as_ref())?;
    Ok(crate::refresh_at(&token, &refresh)?)
}
