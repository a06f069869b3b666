//! A [`Ledger`] implemented by a JS object (`MemoryLedger`, a Durable Object client, ...): each
//! method is called and, when it returns a promise, awaited. A failure of the JS ledger is kept
//! and rethrown as it was, not disguised as a JwtError.

use std::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::convert::{prop, set};
use crate::error::{JwtError, Result};
use crate::flows::{Ledger, RotateOutcome, Rotation};

pub(crate) struct JsLedger {
    object: JsValue,
    failure: RefCell<Option<JsValue>>,
}

const METHODS: [&str; 5] = ["consume", "countAttempt", "rotate", "revoke", "isRevoked"];

impl JsLedger {
    /// Wraps `value` when it is an object with every ledger method.
    pub(crate) fn new(value: JsValue) -> Result<JsLedger> {
        let ok = value.is_object()
            && METHODS
                .iter()
                .all(|m| prop(value.unchecked_ref(), m).is_function());
        if !ok {
            return Err(JwtError::invalid_argument(
                "ledger must implement consume, countAttempt, rotate, revoke and isRevoked (see MemoryLedger)",
            ));
        }
        Ok(JsLedger {
            object: value,
            failure: RefCell::new(None),
        })
    }

    /// The JS error a ledger call threw, if any.
    pub(crate) fn take_failure(&self) -> Option<JsValue> {
        self.failure.borrow_mut().take()
    }

    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue> {
        let failed = |error: JsValue| {
            *self.failure.borrow_mut() = Some(error);
            JwtError::invalid_argument(format!("ledger.{method} failed"))
        };
        let function: Function = prop(self.object.unchecked_ref(), method).unchecked_into();
        let args: js_sys::Array = args.iter().collect();
        let result = Reflect::apply(&function, &self.object, &args).map_err(failed)?;
        match result.dyn_into::<Promise>() {
            Ok(promise) => JsFuture::from(promise).await.map_err(failed),
            Err(value) => Ok(value),
        }
    }
}

fn bad_answer(method: &str) -> JwtError {
    JwtError::invalid_argument(format!("ledger.{method} returned an unexpected value"))
}

impl Ledger for JsLedger {
    async fn consume(&self, id: &str, expires_at: f64) -> Result<bool> {
        self.call("consume", &[id.into(), expires_at.into()])
            .await?
            .as_bool()
            .ok_or_else(|| bad_answer("consume"))
    }

    async fn count_attempt(&self, id: &str, expires_at: f64) -> Result<u32> {
        let count = self
            .call("countAttempt", &[id.into(), expires_at.into()])
            .await?;
        count
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n.min(u32::MAX as f64) as u32)
            .ok_or_else(|| bad_answer("countAttempt"))
    }

    async fn rotate(&self, r: Rotation<'_>) -> Result<RotateOutcome> {
        let options = Object::new();
        set(&options, "now", &r.now.into());
        set(&options, "grace", &r.grace.into());
        set(&options, "expiresAt", &r.expires_at.into());
        let args = [
            r.family.into(),
            (r.generation as f64).into(),
            r.successor.into(),
            options.into(),
        ];
        let answer = self.call("rotate", &args).await?;
        let status = if answer.is_object() {
            prop(answer.unchecked_ref(), "status").as_string()
        } else {
            None
        };
        match status.as_deref() {
            Some("rotated") => Ok(RotateOutcome::Rotated),
            Some("reused") => Ok(RotateOutcome::Reused),
            Some("revoked") => Ok(RotateOutcome::Revoked),
            Some("grace") => prop(answer.unchecked_ref(), "successor")
                .as_string()
                .map(RotateOutcome::Grace)
                .ok_or_else(|| bad_answer("rotate")),
            _ => Err(bad_answer("rotate")),
        }
    }

    async fn revoke(&self, family: &str, expires_at: f64) -> Result<()> {
        self.call("revoke", &[family.into(), expires_at.into()])
            .await
            .map(|_| ())
    }

    async fn is_revoked(&self, family: &str) -> Result<bool> {
        self.call("isRevoked", &[family.into()])
            .await?
            .as_bool()
            .ok_or_else(|| bad_answer("isRevoked"))
    }
}
