//! What a sign-in grants — role, scope, extra claims, authentication methods — carried inside
//! refresh and two-factor pending tokens (the `ctx` claim) until it becomes access tokens.

use serde_json::{Map, Value};

use super::access::AccessRequest;
use super::auth::extra_claims;
use crate::error::Result;

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Grant {
    pub(crate) role: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) amr: Vec<String>,
}

impl Grant {
    /// The `ctx` claim; extra claims may not use the names the flows own.
    pub(crate) fn to_context(&self) -> Result<Map<String, Value>> {
        let mut context = Map::new();
        if let Some(role) = &self.role {
            context.insert("role".into(), role.clone().into());
        }
        if let Some(scope) = &self.scope {
            context.insert("scope".into(), scope.clone().into());
        }
        if !self.claims.is_empty() {
            context.insert("claims".into(), Value::Object(extra_claims(&self.claims)?));
        }
        if !self.amr.is_empty() {
            context.insert("amr".into(), self.amr.clone().into());
        }
        Ok(context)
    }

    /// Reads a verified token's `ctx` claim (absent members are empty).
    pub(crate) fn from_context(context: Option<&Value>) -> Grant {
        let text = |name: &str| {
            context
                .and_then(|c| c.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Grant {
            role: text("role"),
            scope: text("scope"),
            claims: context
                .and_then(|c| c.get("claims"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            amr: string_array(context.and_then(|c| c.get("amr"))),
        }
    }

    /// The access token this grant gives `sub` in session `sid`.
    pub(crate) fn access_request(&self, sub: &str, sid: Option<&str>) -> AccessRequest {
        AccessRequest {
            sub: sub.to_owned(),
            role: self.role.clone(),
            scope: self.scope.clone(),
            claims: self.claims.clone(),
            sid: sid.map(str::to_owned),
            amr: self.amr.clone(),
        }
    }
}

/// The strings of a JSON array (others skipped); empty when absent.
pub(crate) fn string_array(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
