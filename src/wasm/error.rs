//! `JwtError` to a JS `Error` named "JwtError" with `code`, `claim` and `reason`; the package's
//! JS turns it into an instance of its `JwtError` class.

use js_sys::{Error, Object};
use wasm_bindgen::JsValue;

use crate::error::JwtError;

impl From<JwtError> for JsValue {
    fn from(err: JwtError) -> JsValue {
        let js = Error::new(err.message());
        js.set_name("JwtError");
        let object: &Object = js.as_ref();
        super::convert::set(object, "code", &JsValue::from_str(err.code().as_str()));
        if let Some(claim) = err.claim() {
            super::convert::set(object, "claim", &JsValue::from_str(claim));
        }
        if let Some(reason) = err.reason() {
            super::convert::set(object, "reason", &JsValue::from_str(reason));
        }
        js.into()
    }
}
