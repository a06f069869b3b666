//! JSON parsing that sees duplicate member names.
//!
//! `serde_json::Value` silently keeps the last of duplicate names, which lets two parsers read
//! one token differently (RFC 7515 §4, RFC 8725 §3.12). This visitor builds the same `Value` but
//! fails on any duplicate name, at any depth.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `text` as a JSON object, refusing duplicate member names at any depth.
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<StrictValue>(text) {
        Ok(StrictValue(Value::Object(map))) => Ok(map),
        Ok(_) => Err("is not a JSON object".into()),
        Err(err) if err.to_string().starts_with("duplicate member") => {
            Err("has a duplicate member name".into())
        }
        Err(_) => Err("is not valid JSON".into()),
    }
}

struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let StrictValue(value) = access.next_value()?;
            if map.contains_key(&name) {
                return Err(de::Error::custom("duplicate member name"));
            }
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_object;

    #[test]
    fn refuses_duplicates_at_any_depth() {
        assert!(parse_object(r#"{"a":1,"a":2}"#)
            .unwrap_err()
            .contains("duplicate"));
        assert!(parse_object(r#"{"a":{"b":1,"b":1}}"#)
            .unwrap_err()
            .contains("duplicate"));
        assert!(parse_object(r#"{"a":[{"b":1,"b":1}]}"#)
            .unwrap_err()
            .contains("duplicate"));
        // Escapes that spell the same name are the same name.
        assert!(parse_object(r#"{"a":1,"\u0061":2}"#)
            .unwrap_err()
            .contains("duplicate"));
    }

    #[test]
    fn keeps_order_and_unicode() {
        let map = parse_object(r#"{"z":1,"a":"\ud83d\ude00 é 漢"}"#).unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(map["a"], "😀 é 漢");
    }

    #[test]
    fn refuses_non_objects_and_bad_json() {
        assert_eq!(parse_object("[1]").unwrap_err(), "is not a JSON object");
        assert_eq!(parse_object("{").unwrap_err(), "is not valid JSON");
        assert_eq!(
            parse_object(r#"{"a":"\ud800"}"#).unwrap_err(),
            "is not valid JSON"
        );
        assert_eq!(parse_object("{} x").unwrap_err(), "is not valid JSON");
    }
}
