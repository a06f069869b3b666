//! Wycheproof `json_web_signature_test.json` through `verify_compact`: every "valid" token
//! verifies and every "invalid" one fails, except six tokens labelled valid that a strict
//! verifier refuses on purpose (see `tests/vectors/wycheproof/SOURCES.md`), and two tokens
//! labelled "invalid" that are byte-identical to a valid one.

mod common;

use common::*;
use edge_jwt::{verify_compact, ErrorCode, Key};
use serde_json::Value;
use std::collections::BTreeMap;

/// tcIds labelled "valid" that edge-jwt refuses, and the code it refuses them with.
const STRICTER: [(u64, ErrorCode); 6] = [
    // PS384 token, JWK bound to "alg": "PS256" (RFC 8725 §3.1: one key, one algorithm).
    (346, ErrorCode::JoseAlgNotAllowed),
    (350, ErrorCode::JoseAlgNotAllowed),
    // ES512 token with a P-521 JWK whose "alg" is "ES521": P-521 is not supported.
    (347, ErrorCode::JoseNotSupported),
    (351, ErrorCode::JoseNotSupported),
    // '?' inserted into the header / payload segment: not base64url (RFC 7515 §2).
    (372, ErrorCode::JwsInvalid),
    (373, ErrorCode::JwsInvalid),
];

/// tcIds labelled "invalid" whose token is byte-for-byte the token of the valid tcId 357 (the
/// upstream file lost the `=` padding these two tests are about), so they verify like 357.
const SAME_AS_357: [u64; 2] = [367, 370];

/// The outcome of one test: Ok, or the error code (of the key import or of verification).
fn run(group: &Value, test: &Value) -> Result<(), ErrorCode> {
    let jwk = group.get("public").unwrap_or(&group["private"]);
    let key = Key::from_jwk(jwk).map_err(|e| e.code())?;
    let Some(jws) = test["jws"].as_str() else {
        // The JSON serialization is not a compact JWS.
        return Err(ErrorCode::JwsInvalid);
    };
    verify_compact(jws, &key, &[key.alg()])
        .map(|_| ())
        .map_err(|e| e.code())
}

#[test]
fn json_web_signature_vectors() {
    let file = vector_json("wycheproof/json_web_signature_test.json");
    let mut outcomes: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut total = 0;
    for group in file["testGroups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let result = test["result"].as_str().unwrap();
            let outcome = run(group, test);
            let expected_error = STRICTER
                .iter()
                .find(|(tc, _)| *tc == id)
                .map(|(_, code)| *code);
            if SAME_AS_357.contains(&id) {
                assert_eq!(test["jws"], jws_of(&file, 357));
                assert_eq!(outcome, Ok(()), "tcId {id}");
            } else {
                match (result, expected_error) {
                    (_, Some(code)) => {
                        assert_eq!(outcome, Err(code), "tcId {id} ({})", test["comment"])
                    }
                    ("valid", None) => {
                        assert_eq!(outcome, Ok(()), "tcId {id} ({})", test["comment"])
                    }
                    ("invalid", None) => {
                        assert!(outcome.is_err(), "tcId {id} ({}) verified", test["comment"])
                    }
                    (other, _) => panic!("tcId {id}: unexpected result label {other}"),
                }
            }
            let label = if outcome.is_ok() {
                "accepted"
            } else {
                "refused"
            };
            *outcomes.entry((result, label)).or_default() += 1;
            total += 1;
        }
    }
    assert_eq!(total, file["numberOfTests"].as_u64().unwrap() as usize);
    assert_eq!(total, 401);
    let counts: Vec<usize> = [
        ("valid", "accepted"),
        ("valid", "refused"),
        ("invalid", "refused"),
        ("invalid", "accepted"),
    ]
    .iter()
    .map(|k| outcomes.get(k).copied().unwrap_or(0))
    .collect();
    assert_eq!(counts, [40, 6, 353, 2], "{outcomes:?}");
}

fn jws_of(file: &Value, id: u64) -> Value {
    let tests = file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap());
    tests
        .filter(|t| t["tcId"] == id)
        .map(|t| t["jws"].clone())
        .next()
        .unwrap()
}

#[test]
fn encryption_keys_are_refused_before_any_token() {
    let file = vector_json("wycheproof/json_web_signature_test.json");
    let enc_groups: Vec<&Value> = file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            g["comment"]
                .as_str()
                .is_some_and(|c| c.contains("encryption"))
        })
        .collect();
    assert_eq!(enc_groups.len(), 4);
    for group in enc_groups {
        let jwk = group.get("public").unwrap_or(&group["private"]);
        assert_eq!(
            code(Key::from_jwk(jwk)),
            ErrorCode::JwkInvalid,
            "{}",
            group["comment"]
        );
    }
}
