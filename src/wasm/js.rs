//! The JS built-ins the bindings call on values a user passed in, imported with `catch`.
//!
//! A user's Proxy trap or getter can throw from inside `Object.keys`, `Array.from` or
//! `Array.isArray` (a revoked Proxy). Imported without `catch`, that exception would unwind
//! through the module's frames and leave its shadow stack and allocator in the middle of a call,
//! corrupting the instance. Here it comes back as an `Err`, which the bindings turn into
//! `ERR_INVALID_ARGUMENT`.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{JwtError, Result};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(object: &JsValue) -> std::result::Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> std::result::Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> std::result::Result<Array, JsValue>;
    /// `Object.prototype.toString.call(value)`: "[object Object]" for plain objects (of any
    /// realm), "[object Map]", "[object Uint8Array]"... for the rest.
    #[wasm_bindgen(catch, js_namespace = ["Object", "prototype", "toString"], js_name = call)]
    fn object_tag(value: &JsValue) -> std::result::Result<js_sys::JsString, JsValue>;
}

/// Whether `value` is a plain object: not a Map, Set, typed array, Error, Date... whose data
/// `JSON.stringify` would silently drop (a Map of claims signs as `{}`).
pub(crate) fn is_plain_object(value: &JsValue) -> bool {
    value.is_object()
        && !is_array(value)
        && object_tag(value).is_ok_and(|tag| tag == "[object Object]")
}

/// The longest string option accepted (issuer, audience, subject, jti, kid, URLs, e-mail...).
pub(crate) const MAX_TEXT_OPTION: u32 = 16 * 1024;

/// The most items read from an array argument (algorithms, audiences, secrets, methods...).
pub(crate) const MAX_ARRAY_ITEMS: u32 = 1000;

fn unreadable(what: &str) -> JwtError {
    JwtError::invalid_argument(format!(
        "{what} could not be read (a getter or Proxy threw)"
    ))
}

/// `Array.isArray(value)`; false for a revoked Proxy instead of a throw.
pub(crate) fn is_array(value: &JsValue) -> bool {
    array_is_array(value).unwrap_or(false)
}

/// The own enumerable names of `object`, as strings.
pub(crate) fn own_names(object: &JsValue, what: &str) -> Result<Vec<String>> {
    let names = object_keys(object).map_err(|_| unreadable(what))?;
    Ok(names.iter().filter_map(|name| name.as_string()).collect())
}

/// The items of a JS array, copied by `Array.from` (so getters run once, in JS, and an
/// exception is an error here), at most [`MAX_ARRAY_ITEMS`] of them.
pub(crate) fn array_items(value: &JsValue, what: &str) -> Result<Vec<JsValue>> {
    let length = Reflect::get(value, &JsValue::from_str("length"))
        .map_err(|_| unreadable(what))?
        .as_f64()
        .unwrap_or(0.0);
    if length > f64::from(MAX_ARRAY_ITEMS) {
        return Err(JwtError::invalid_argument(format!(
            "{what} has more than {MAX_ARRAY_ITEMS} items"
        )));
    }
    let copy = array_from(value).map_err(|_| unreadable(what))?;
    Ok(copy.iter().collect())
}

/// A JS string as Rust text; `None` for other types. A string that is not valid Unicode (a lone
/// surrogate) is an error rather than being read with U+FFFD in its place, so two different JS
/// strings never become the same `sub`, `iss` or `aud`.
pub(crate) fn text(value: &JsValue, what: &str) -> Result<Option<String>> {
    let Some(js) = value.dyn_ref::<js_sys::JsString>() else {
        return Ok(None);
    };
    // Checked before the text is copied into the module's memory (which never shrinks, and
    // whose allocator aborts the instance when a copy does not fit).
    if js.length() > MAX_TEXT_OPTION {
        return Err(JwtError::invalid_argument(format!(
            "{what} is longer than {MAX_TEXT_OPTION} characters"
        ))
        .with_reason("too_large"));
    }
    if !js.is_valid_utf16() {
        return Err(JwtError::invalid_argument(format!(
            "{what} is not valid Unicode (a lone surrogate)"
        )));
    }
    Ok(Some(String::from(js.clone())))
}
