//! Conversions between JS values and the core's types. Every input is checked here: wrong
//! types give `ERR_INVALID_ARGUMENT`, never a panic.

use js_sys::{Date, JsString, Object, Reflect, Uint8Array, JSON};
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

use super::js::{array_items, is_array, is_plain_object, own_names, text};
use crate::error::{JwtError, Result};
use crate::time::parse_duration;
use crate::token::json;
use crate::Alg;

/// Reads a string argument, refusing other types; `max_len` (UTF-16 units) bounds the copy.
pub(crate) fn string_arg(value: &JsValue, what: &str, max_len: Option<usize>) -> Result<String> {
    let js = value
        .dyn_ref::<JsString>()
        .ok_or_else(|| JwtError::invalid_argument(format!("{what} must be a string")))?;
    if let Some(max) = max_len {
        if js.length() as usize > max {
            return Err(JwtError::jws(format!("{what} is longer than {max} bytes"))
                .with_reason("too_large"));
        }
    }
    Ok(String::from(js.clone()))
}

/// A plain JSON object from JS (through `JSON.stringify`, so what is signed is what JSON says).
pub(crate) fn json_object(value: &JsValue, what: &str) -> Result<Map<String, Value>> {
    if !is_plain_object(value) {
        return Err(JwtError::invalid_argument(format!(
            "{what} must be a plain JSON object (not an array, Map, typed array, Date...)"
        )));
    }
    let unserialisable = || {
        JwtError::invalid_argument(format!(
            "{what} cannot be written as JSON (a BigInt, a cycle, or nesting too deep)"
        ))
    };
    let text = JSON::stringify(value).map_err(|_| unserialisable())?;
    let text = text.dyn_into::<JsString>().map_err(|_| unserialisable())?;
    // Checked before the text is copied into the module's memory, which never shrinks.
    if text.length() as usize > MAX_JSON_INPUT {
        return Err(JwtError::invalid_argument(format!(
            "{what} is larger than {} KiB of JSON",
            MAX_JSON_INPUT / 1024
        ))
        .with_reason("too_large"));
    }
    if !text.is_valid_utf16() {
        return Err(JwtError::invalid_argument(format!(
            "{what} holds a string that is not valid Unicode (a lone surrogate)"
        )));
    }
    json::parse_object(&String::from(text))
        .map_err(|why| JwtError::invalid_argument(format!("{what} {why}")))
}

/// The module's memory size in 64 KiB pages (for tests of what must not enter it).
#[cfg(test)]
pub(crate) fn wasm_memory_pages() -> usize {
    core::arch::wasm32::memory_size(0)
}

/// The largest JSON object accepted from JS (claims, JWKs, headers): 1 MiB.
pub(crate) const MAX_JSON_INPUT: usize = 1 << 20;

/// JSON text to a JS value.
pub(crate) fn to_js(value: &impl serde::Serialize) -> Result<JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|_| JwtError::invalid_argument("value cannot be serialised"))?;
    JSON::parse(&text).map_err(|_| JwtError::invalid_argument("value cannot be converted"))
}

/// An options object: `undefined`/`null` is empty; names outside `known` are refused so that
/// a typo (`isuer`) never silently turns a check off.
/// An options object read once: the names it has are listed up front, so absent options cost
/// no call into JS.
pub(crate) struct Opts {
    object: Object,
    present: Vec<String>,
}

impl Opts {
    /// The option's value, or `undefined` when the object does not have it.
    pub(crate) fn get(&self, name: &str) -> JsValue {
        if self.present.iter().any(|p| p == name) {
            prop(&self.object, name)
        } else {
            JsValue::UNDEFINED
        }
    }
}

pub(crate) fn options(value: &JsValue, what: &str, known: &[&str]) -> Result<Option<Opts>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| value.is_object() && !is_array(value))
        .ok_or_else(|| JwtError::invalid_argument(format!("{what} must be an object")))?;
    let mut present = Vec::new();
    for name in own_names(object, what)? {
        if !known.contains(&name.as_str()) {
            return Err(JwtError::invalid_argument(format!(
                "{what} has an unknown option \"{name}\""
            )));
        }
        present.push(name);
    }
    Ok(Some(Opts {
        object: object.clone(),
        present,
    }))
}

/// `get(options, name)`: the value of an option (see [`Opts::get`]).
pub(crate) fn get(options: &Opts, name: &str) -> JsValue {
    options.get(name)
}

/// A property of any JS object.
pub(crate) fn prop(object: &Object, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

pub(crate) fn opt_string(object: &Opts, name: &str) -> Result<Option<String>> {
    let value = get(object, name);
    if absent(&value) {
        return Ok(None);
    }
    text(&value, name)?
        .map(Some)
        .ok_or_else(|| JwtError::invalid_argument(format!("{name} must be a string")))
}

/// A string or an array of strings.
pub(crate) fn string_list(object: &Opts, name: &str) -> Result<Vec<String>> {
    let value = get(object, name);
    if absent(&value) {
        return Ok(Vec::new());
    }
    if let Some(one) = text(&value, name)? {
        return Ok(vec![one]);
    }
    let bad =
        || JwtError::invalid_argument(format!("{name} must be a string or an array of strings"));
    if !is_array(&value) {
        return Err(bad());
    }
    array_items(&value, name)?
        .iter()
        .map(|item| text(item, name)?.ok_or_else(bad))
        .collect()
}

pub(crate) fn opt_number(object: &Opts, name: &str) -> Result<Option<f64>> {
    let value = get(object, name);
    if absent(&value) {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(JwtError::invalid_argument(format!(
            "{name} must be a finite number"
        ))),
    }
}

/// A duration: seconds, or a string like `"15m"`.
pub(crate) fn opt_duration(object: &Opts, name: &str) -> Result<Option<f64>> {
    let value = get(object, name);
    if absent(&value) {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return parse_duration(&text)
            .map(Some)
            .map_err(|e| JwtError::invalid_argument(format!("{name}: {}", e.message())));
    }
    opt_number(object, name)
}

/// `now`: a `Date` or seconds. Milliseconds are refused later, by the core.
pub(crate) fn opt_now(object: Option<&Opts>) -> Result<Option<f64>> {
    let Some(object) = object else {
        return Ok(None);
    };
    let value = get(object, "now");
    if let Some(date) = value.dyn_ref::<Date>() {
        let ms = date.get_time();
        if !ms.is_finite() {
            return Err(JwtError::invalid_argument("now is an invalid Date"));
        }
        return Ok(Some(ms / 1000.0));
    }
    opt_number(object, "now")
}

pub(crate) fn alg_arg(value: &JsValue) -> Result<Alg> {
    let name = value
        .as_string()
        .ok_or_else(|| JwtError::invalid_argument("alg must be a string such as \"ES256\""))?;
    name.parse::<Alg>().map_err(|e| {
        JwtError::new(
            e.code(),
            format!(
                "unsupported algorithm \"{}\"",
                name.chars().take(20).collect::<String>()
            ),
        )
    })
}

pub(crate) fn alg_list(object: &Opts, name: &str) -> Result<Vec<Alg>> {
    let value = get(object, name);
    if !is_array(&value) {
        return Err(JwtError::invalid_argument(format!(
            "{name} is required: an array of algorithm names"
        )));
    }
    array_items(&value, name)?.iter().map(alg_arg).collect()
}

/// A `Date` for seconds since the epoch.
pub(crate) fn date(seconds: f64) -> JsValue {
    Date::new(&JsValue::from_f64(seconds * 1000.0)).into()
}

pub(crate) fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

/// The longest secret accepted: far beyond any HMAC key, far below what could exhaust memory.
const MAX_SECRET_CHARS: u32 = 64 * 1024;

/// Secret bytes from a `Uint8Array` or a string (UTF-8).
pub(crate) fn secret_bytes(value: &JsValue) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        if bytes.length() > MAX_SECRET_CHARS {
            return Err(JwtError::invalid_argument(format!(
                "the secret is longer than {MAX_SECRET_CHARS} bytes"
            )));
        }
        return Ok(zeroize::Zeroizing::new(bytes.to_vec()));
    }
    if let Some(text) = value.dyn_ref::<JsString>() {
        if text.length() > MAX_SECRET_CHARS {
            return Err(JwtError::invalid_argument(format!(
                "the secret is longer than {MAX_SECRET_CHARS} characters"
            )));
        }
        if !text.is_valid_utf16() {
            return Err(JwtError::invalid_argument(
                "the secret string is not valid Unicode",
            ));
        }
        return Ok(zeroize::Zeroizing::new(
            String::from(text.clone()).into_bytes(),
        ));
    }
    Err(JwtError::invalid_argument(
        "the secret must be a Uint8Array or a string",
    ))
}
