//! The raw JS bindings with bad input from JavaScript: wrong types, `undefined`, `null`, numbers,
//! huge strings, arrays for objects, BigInt, cyclic objects, unknown option names and lone
//! surrogates. Each call must fail with a `JwtError`-shaped error carrying the right `code`,
//! never trap, and leave the instance able to sign and verify. Run in Node by
//! `scripts/test-wasm.sh`.

use js_sys::{Array, BigInt, Date, Function, JsString, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use super::{
    decode, inspect, refresh_at, sign, verify_compact_with_key, verify_with_key,
    verify_with_key_set,
};
use super::{WasmKey, WasmKeySet};

const SECRET: &str = "a-wasm-test-secret-of-32-bytes!!";

/// Parses JSON text into a JS value.
fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("test JSON: {json}"))
}

fn undefined() -> JsValue {
    JsValue::UNDEFINED
}

/// An object `{ name: value }` for values that JSON cannot spell.
fn object_with(name: &str, value: &JsValue) -> JsValue {
    let object = Object::new();
    Reflect::set(&object, &JsValue::from_str(name), value).unwrap();
    object.into()
}

fn cyclic() -> JsValue {
    let object = Object::new();
    Reflect::set(&object, &JsValue::from_str("self"), &object).unwrap();
    object.into()
}

fn bigint() -> JsValue {
    BigInt::from(9_007_199_254_740_993u64).into()
}

/// A string of `len` characters with a lone high surrogate in the middle.
fn lone_surrogate(len: usize) -> JsValue {
    let half = JsString::from("s".repeat(len / 2));
    half.concat(&JsString::from_char_code1(0xD800))
        .concat(&half)
        .into()
}

fn huge(len: usize) -> JsValue {
    JsValue::from_str(&"a".repeat(len))
}

/// Asserts a `JwtError`-shaped error (an `Error` named "JwtError" with a string `code`) and
/// returns it.
fn jwt_error<T>(result: Result<T, JsValue>, what: &str) -> js_sys::Error {
    let Err(error) = result else {
        panic!("{what}: expected an error")
    };
    let error: js_sys::Error = error
        .dyn_into()
        .unwrap_or_else(|v| panic!("{what}: not an Error: {v:?}"));
    assert_eq!(String::from(error.name()), "JwtError", "{what}");
    assert!(
        !String::from(error.message()).is_empty(),
        "{what}: empty message"
    );
    error
}

fn prop(error: &js_sys::Error, name: &str) -> Option<String> {
    Reflect::get(error, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
}

/// Asserts that `result` is a `JwtError` with `code`.
fn assert_code<T>(result: Result<T, JsValue>, code: &str, what: &str) {
    let error = jwt_error(result, what);
    assert_eq!(
        prop(&error, "code").as_deref(),
        Some(code),
        "{what}: {}",
        String::from(error.message())
    );
}

fn hs256() -> WasmKey {
    WasmKey::from_secret(
        JsValue::from_str(SECRET),
        JsValue::from_str("HS256"),
        undefined(),
    )
    .unwrap()
}

fn verify_options() -> JsValue {
    js(r#"{"algorithms":["HS256"]}"#)
}

fn good_token() -> String {
    sign(
        js(r#"{"sub":"ok"}"#),
        &hs256(),
        js(r#"{"expiresIn":"15m"}"#),
    )
    .unwrap()
}

/// The instance still works: a fresh key signs and the token verifies.
fn assert_healthy() {
    let verified =
        verify_with_key(JsValue::from_str(&good_token()), &hs256(), verify_options()).unwrap();
    let claims = Reflect::get(&verified, &JsValue::from_str("claims")).unwrap();
    let sub = Reflect::get(&claims, &JsValue::from_str("sub")).unwrap();
    assert_eq!(sub.as_string().as_deref(), Some("ok"));
}

const INVALID: &str = "ERR_INVALID_ARGUMENT";

#[wasm_bindgen_test]
fn the_healthy_path_works() {
    assert_healthy();
    let token = good_token();
    let info = inspect(JsValue::from_str(&token), undefined()).unwrap();
    assert_eq!(
        Reflect::get(&info, &JsValue::from_str("expired")).unwrap(),
        JsValue::FALSE
    );
    let expires = Reflect::get(&info, &JsValue::from_str("expiresAt")).unwrap();
    assert!(expires.is_instance_of::<Date>(), "expiresAt is a Date");
}

#[wasm_bindgen_test]
fn sign_refuses_claims_that_are_not_plain_objects() {
    let key = hs256();
    let function = Function::new_no_args("return 1");
    let cases: Vec<(&str, JsValue)> = vec![
        ("undefined", undefined()),
        ("null", JsValue::NULL),
        ("number", JsValue::from_f64(42.0)),
        ("string", JsValue::from_str(r#"{"sub":"a"}"#)),
        ("boolean", JsValue::TRUE),
        ("array", js(r#"[{"sub":"a"}]"#)),
        ("empty array", Array::new().into()),
        ("function", function.into()),
        ("BigInt", bigint()),
        ("BigInt member", object_with("n", &bigint())),
        (
            "nested BigInt",
            object_with("o", &object_with("n", &bigint())),
        ),
        ("cyclic", cyclic()),
        ("lone surrogate", object_with("sub", &lone_surrogate(10))),
        (
            "toJSON to a number",
            js_eval("({ toJSON() { return 5; } })"),
        ),
    ];
    for (what, claims) in cases {
        assert_code(sign(claims, &key, undefined()), INVALID, what);
    }
    assert_healthy();
}

#[wasm_bindgen_test]
fn sign_refuses_claims_over_a_mebibyte_before_copying_them() {
    let key = hs256();
    // (Made before measuring: building the test string itself goes through wasm memory.)
    let claims = object_with("blob", &huge(2 << 20));
    let pages = super::convert::wasm_memory_pages();
    let error = jwt_error(sign(claims, &key, undefined()), "2 MiB of claims");
    assert_eq!(prop(&error, "code").as_deref(), Some(INVALID));
    assert_eq!(prop(&error, "reason").as_deref(), Some("too_large"));
    assert_eq!(
        super::convert::wasm_memory_pages(),
        pages,
        "the text never entered wasm memory"
    );
    // Just under the cap is fine.
    let claims = object_with("blob", &huge((1 << 20) - 100));
    assert!(sign(claims, &key, undefined()).is_ok());
    assert_healthy();
}

/// Evaluates a JS expression.
fn js_eval(expression: &str) -> JsValue {
    Function::new_no_args(&format!("return {expression};"))
        .call0(&JsValue::NULL)
        .unwrap()
}

/// Sign options (JSON text) that are `ERR_INVALID_ARGUMENT`.
const BAD_SIGN_OPTIONS: &[&str] = &[
    "900",
    r#""15m""#,
    r#"[{"expiresIn":900}]"#,
    r#"{"expiresin":900}"#,
    r#"{"isuer":"https://id.example"}"#,
    r#"{"expiresIn":"soon"}"#,
    r#"{"expiresIn":-5}"#,
    r#"{"expiresIn":0}"#,
    r#"{"expiresIn":{"m":15}}"#,
    r#"{"now":1700000000000}"#,
    r#"{"now":"2024-01-01"}"#,
    r#"{"jti":5}"#,
    r#"{"audience":[1,2]}"#,
    r#"{"audience":{"a":1}}"#,
    r#"{"issuer":1}"#,
    r#"{"typ":1}"#,
    r#"{"header":{"alg":"none"}}"#,
    r#"{"header":{"crit":["x"],"x":1}}"#,
    r#"{"header":[1]}"#,
];

#[wasm_bindgen_test]
fn sign_refuses_bad_options() {
    let key = hs256();
    for options in BAD_SIGN_OPTIONS {
        assert_code(sign(js("{}"), &key, js(options)), INVALID, options);
    }
    let invalid_date: JsValue = Date::new(&JsValue::from_f64(f64::NAN)).into();
    for (what, options) in [
        ("BigInt duration", object_with("expiresIn", &bigint())),
        ("invalid Date", object_with("now", &invalid_date)),
        ("cyclic header", object_with("header", &cyclic())),
    ] {
        assert_code(sign(js("{}"), &key, options), INVALID, what);
    }
    assert_healthy();
}

#[wasm_bindgen_test]
fn sign_accepts_dates_and_duration_strings() {
    let key = hs256();
    let options = object_with(
        "now",
        &Date::new(&JsValue::from_f64(1_700_000_000_000.0)).into(),
    );
    Reflect::set(
        &options,
        &JsValue::from_str("expiresIn"),
        &JsValue::from_str("12h"),
    )
    .unwrap();
    let token = sign(js("{}"), &key, options).unwrap();
    let claims = Reflect::get(
        &decode(JsValue::from_str(&token)).unwrap(),
        &JsValue::from_str("claims"),
    )
    .unwrap();
    let get = |name: &str| {
        Reflect::get(&claims, &JsValue::from_str(name))
            .unwrap()
            .as_f64()
    };
    assert_eq!(
        (get("iat"), get("exp")),
        (Some(1_700_000_000.0), Some(1_700_043_200.0))
    );
}

#[wasm_bindgen_test]
fn verify_refuses_tokens_that_are_not_strings() {
    let key = hs256();
    let cases: Vec<(&str, JsValue)> = vec![
        ("undefined", undefined()),
        ("null", JsValue::NULL),
        ("number", JsValue::from_f64(1.0)),
        ("BigInt", bigint()),
        ("object", js(r#"{"token":"a.b.c"}"#)),
        ("array", js(r#"["a","b","c"]"#)),
        ("String object", js_eval("new String('a.b.c')")),
    ];
    for (what, token) in cases {
        assert_code(
            verify_with_key(token.clone(), &key, verify_options()),
            INVALID,
            what,
        );
        assert_code(
            verify_compact_with_key(token.clone(), &key, verify_options()),
            INVALID,
            what,
        );
        assert_code(decode(token.clone()), INVALID, what);
        assert_code(inspect(token.clone(), undefined()), INVALID, what);
        assert_code(refresh_at(token, undefined()), INVALID, what);
    }
    assert_healthy();
}

#[wasm_bindgen_test]
fn huge_and_malformed_tokens_are_jws_invalid() {
    let key = hs256();
    let big = huge(16 * 1024 + 1);
    for (what, result) in [
        (
            "verify",
            verify_with_key(big.clone(), &key, verify_options()).map(|_| ()),
        ),
        ("decode", decode(big.clone()).map(|_| ())),
        ("inspect", inspect(big.clone(), undefined()).map(|_| ())),
        (
            "refreshAt",
            refresh_at(big.clone(), undefined()).map(|_| ()),
        ),
    ] {
        let error = jwt_error(result, what);
        assert_eq!(
            prop(&error, "code").as_deref(),
            Some("ERR_JWS_INVALID"),
            "{what}"
        );
        assert_eq!(
            prop(&error, "reason").as_deref(),
            Some("too_large"),
            "{what}"
        );
    }
    let megabyte = huge((1 << 20) + 1);
    assert_code(
        verify_compact_with_key(megabyte, &key, verify_options()),
        "ERR_JWS_INVALID",
        "verifyCompact 1 MiB",
    );
    for (what, token) in [
        ("empty", JsValue::from_str("")),
        ("garbage", JsValue::from_str("a.b.c")),
        ("lone surrogate", lone_surrogate(40)),
        (
            "whitespace",
            JsValue::from_str(&format!(" {}", good_token())),
        ),
    ] {
        assert_code(
            verify_with_key(token.clone(), &key, verify_options()),
            "ERR_JWS_INVALID",
            what,
        );
        assert_code(decode(token), "ERR_JWS_INVALID", what);
    }
    assert_healthy();
}

/// Verify options (JSON text) and the code each gives.
const BAD_VERIFY_OPTIONS: &[(&str, &str)] = &[
    ("1", INVALID),
    (r#"["HS256"]"#, INVALID),
    ("{}", INVALID),
    (r#"{"algorithms":"HS256"}"#, INVALID),
    (r#"{"algorithms":[]}"#, INVALID),
    (r#"{"algorithms":[null]}"#, INVALID),
    (r#"{"algorithms":[256]}"#, INVALID),
    (r#"{"algorithms":["none"]}"#, "ERR_JOSE_ALG_NOT_ALLOWED"),
    (r#"{"algorithms":["HS999"]}"#, "ERR_JOSE_NOT_SUPPORTED"),
    (r#"{"algorithms":["HS256"],"audiance":"api"}"#, INVALID),
    (r#"{"algorithms":["HS256"],"issuer":5}"#, INVALID),
    (r#"{"algorithms":["HS256"],"audience":[5]}"#, INVALID),
    (r#"{"algorithms":["HS256"],"subject":["a"]}"#, INVALID),
    (
        r#"{"algorithms":["HS256"],"leeway":"a fortnight"}"#,
        INVALID,
    ),
    (r#"{"algorithms":["HS256"],"leeway":-1}"#, INVALID),
    (r#"{"algorithms":["HS256"],"maxAge":{}}"#, INVALID),
    (r#"{"algorithms":["HS256"],"maxTokenSize":0}"#, INVALID),
    (r#"{"algorithms":["HS256"],"maxTokenSize":1e9}"#, INVALID),
    (r#"{"algorithms":["HS256"],"maxTokenSize":"16k"}"#, INVALID),
    (r#"{"algorithms":["HS256"],"now":1700000000000}"#, INVALID),
    (r#"{"algorithms":["HS256"],"now":"now"}"#, INVALID),
    (r#"{"algorithms":["HS256"],"requiredClaims":[1]}"#, INVALID),
    // Smaller than the token: refused as too large before it is copied.
    (
        r#"{"algorithms":["HS256"],"maxTokenSize":10}"#,
        "ERR_JWS_INVALID",
    ),
];

#[wasm_bindgen_test]
fn verify_refuses_bad_options() {
    let key = hs256();
    let token = JsValue::from_str(&good_token());
    for (options, code) in BAD_VERIFY_OPTIONS {
        assert_code(
            verify_with_key(token.clone(), &key, js(options)),
            code,
            options,
        );
    }
    for (what, options) in [
        ("undefined", undefined()),
        ("null", JsValue::NULL),
        ("BigInt leeway", object_with_algorithms("leeway", &bigint())),
        ("cyclic now", object_with_algorithms("now", &cyclic())),
    ] {
        assert_code(verify_with_key(token.clone(), &key, options), INVALID, what);
    }
    for (what, options) in [
        ("undefined", undefined()),
        ("unknown", js(r#"{"algorithms":["HS256"],"x":1}"#)),
    ] {
        assert_code(
            verify_compact_with_key(token.clone(), &key, options),
            INVALID,
            what,
        );
    }
    assert_healthy();
}

fn object_with_algorithms(name: &str, value: &JsValue) -> JsValue {
    let options = object_with(name, value);
    Reflect::set(
        &options,
        &JsValue::from_str("algorithms"),
        &js(r#"["HS256"]"#),
    )
    .unwrap();
    options
}

#[wasm_bindgen_test]
fn verify_errors_carry_claim_and_reason() {
    let token = JsValue::from_str(&good_token());
    let options = js(r#"{"algorithms":["HS256"],"audience":"api"}"#);
    let error = jwt_error(
        verify_with_key(token.clone(), &hs256(), options),
        "missing aud",
    );
    assert_eq!(
        prop(&error, "code").as_deref(),
        Some("ERR_JWT_CLAIM_VALIDATION_FAILED")
    );
    assert_eq!(prop(&error, "claim").as_deref(), Some("aud"));
    assert_eq!(prop(&error, "reason").as_deref(), Some("missing"));
    let later = object_with_algorithms(
        "now",
        &Date::new(&JsValue::from_f64(4_000_000_000_000.0)).into(),
    );
    assert_code(
        verify_with_key(token, &hs256(), later),
        "ERR_JWT_EXPIRED",
        "a Date far ahead",
    );
}

#[wasm_bindgen_test]
fn inspect_and_refresh_at_refuse_bad_options() {
    let token = JsValue::from_str(&good_token());
    for (what, options) in [
        ("number", JsValue::from_f64(1.0)),
        ("array", Array::new().into()),
        ("unknown", js(r#"{"when":1}"#)),
        ("now string", js(r#"{"now":"soon"}"#)),
        ("now milliseconds", js(r#"{"now":1700000000000}"#)),
    ] {
        assert_code(inspect(token.clone(), options), INVALID, what);
    }
    for (what, options) in [
        ("skew negative", js(r#"{"skew":-1}"#)),
        ("jitter text", js(r#"{"jitter":"lots"}"#)),
        ("unknown", js(r#"{"skw":60}"#)),
    ] {
        assert_code(refresh_at(token.clone(), options), INVALID, what);
    }
    let no_exp = sign(js("{}"), &hs256(), undefined()).unwrap();
    assert_code(
        refresh_at(JsValue::from_str(&no_exp), undefined()),
        "ERR_JWT_INVALID",
        "no exp",
    );
    assert_healthy();
}

#[wasm_bindgen_test]
fn key_constructors_refuse_bad_input() {
    let es256 = || JsValue::from_str("ES256");
    let cases: Vec<(&str, Result<WasmKey, JsValue>, &str)> = vec![
        (
            "generate none",
            WasmKey::generate(JsValue::from_str("none"), undefined()),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        ),
        (
            "generate number",
            WasmKey::generate(JsValue::from_f64(256.0), undefined()),
            INVALID,
        ),
        (
            "generate undefined",
            WasmKey::generate(undefined(), undefined()),
            INVALID,
        ),
        (
            "generate unknown",
            WasmKey::generate(JsValue::from_str("HS999"), undefined()),
            "ERR_JOSE_NOT_SUPPORTED",
        ),
        (
            "generate options array",
            WasmKey::generate(es256(), js("[1]")),
            INVALID,
        ),
        (
            "generate unknown option",
            WasmKey::generate(es256(), js(r#"{"kidd":"x"}"#)),
            INVALID,
        ),
        (
            "generate kid number",
            WasmKey::generate(es256(), js(r#"{"kid":5}"#)),
            INVALID,
        ),
        (
            "generate small RSA",
            WasmKey::generate(JsValue::from_str("RS256"), js(r#"{"modulusLength":1024}"#)),
            INVALID,
        ),
        (
            "generate huge RSA",
            WasmKey::generate(JsValue::from_str("RS256"), js(r#"{"modulusLength":1e300}"#)),
            INVALID,
        ),
        (
            "secret number",
            WasmKey::from_secret(
                JsValue::from_f64(1.0),
                JsValue::from_str("HS256"),
                undefined(),
            ),
            INVALID,
        ),
        (
            "secret null",
            WasmKey::from_secret(JsValue::NULL, JsValue::from_str("HS256"), undefined()),
            INVALID,
        ),
        (
            "secret array",
            WasmKey::from_secret(js("[1,2,3]"), JsValue::from_str("HS256"), undefined()),
            INVALID,
        ),
        (
            "secret lone surrogate",
            WasmKey::from_secret(lone_surrogate(64), JsValue::from_str("HS256"), undefined()),
            INVALID,
        ),
        (
            "secret short",
            WasmKey::from_secret(
                Uint8Array::new_with_length(8).into(),
                JsValue::from_str("HS256"),
                undefined(),
            ),
            "ERR_JWK_INVALID",
        ),
        (
            "secret for RS256",
            WasmKey::from_secret(
                JsValue::from_str(SECRET),
                JsValue::from_str("RS256"),
                undefined(),
            ),
            INVALID,
        ),
        (
            "secret alg missing",
            WasmKey::from_secret(JsValue::from_str(SECRET), undefined(), undefined()),
            INVALID,
        ),
        (
            "jwk null",
            WasmKey::from_jwk(JsValue::NULL, undefined()),
            INVALID,
        ),
        (
            "jwk array",
            WasmKey::from_jwk(js("[]"), undefined()),
            INVALID,
        ),
        (
            "jwk string",
            WasmKey::from_jwk(JsValue::from_str(r#"{"kty":"oct"}"#), undefined()),
            INVALID,
        ),
        (
            "jwk BigInt",
            WasmKey::from_jwk(object_with("k", &bigint()), undefined()),
            INVALID,
        ),
        (
            "jwk cyclic",
            WasmKey::from_jwk(cyclic(), undefined()),
            INVALID,
        ),
        (
            "jwk oct without alg",
            WasmKey::from_jwk(js(r#"{"kty":"oct","k":"AAAA"}"#), undefined()),
            "ERR_JWK_INVALID",
        ),
        (
            "jwk unknown option",
            WasmKey::from_jwk(js(r#"{"kty":"oct"}"#), js(r#"{"algo":"HS256"}"#)),
            INVALID,
        ),
        (
            "jwk small-order Ed25519",
            WasmKey::from_jwk(
                js(
                    r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
                ),
                undefined(),
            ),
            "ERR_JWK_INVALID",
        ),
        (
            "pem number",
            WasmKey::from_pem(JsValue::from_f64(1.0), es256(), undefined()),
            INVALID,
        ),
        (
            "pem garbage",
            WasmKey::from_pem(
                JsValue::from_str("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
                es256(),
                undefined(),
            ),
            "ERR_JWK_INVALID",
        ),
        (
            "pem huge",
            WasmKey::from_pem(huge(70_000), es256(), undefined()),
            "ERR_JWK_INVALID",
        ),
        (
            "pem for HS256",
            WasmKey::from_pem(
                JsValue::from_str("-----BEGIN PUBLIC KEY-----\n"),
                JsValue::from_str("HS256"),
                undefined(),
            ),
            INVALID,
        ),
    ];
    for (what, result, code) in cases {
        assert_code(result, code, what);
    }
    let key = hs256();
    for (what, options) in [
        ("number", JsValue::from_f64(1.0)),
        ("unknown", js(r#"{"privat":true}"#)),
    ] {
        assert_code(key.to_jwk(options.clone()), INVALID, what);
        assert_code(key.to_pem(options), INVALID, what);
    }
    assert_code(key.public_key(), INVALID, "HMAC public key");
    assert_healthy();
}

#[wasm_bindgen_test]
fn key_sets_refuse_bad_input_and_select_by_kid() {
    for (what, jwks, code) in [
        ("undefined", undefined(), INVALID),
        ("array", js("[]"), INVALID),
        ("no keys", js("{}"), "ERR_JWK_INVALID"),
        ("keys object", js(r#"{"keys":{}}"#), "ERR_JWK_INVALID"),
        (
            "weak key",
            js(r#"{"keys":[{"kty":"oct","alg":"HS256","k":"AAAA"}]}"#),
            "ERR_JWK_INVALID",
        ),
        ("cyclic", object_with("keys", &cyclic()), INVALID),
    ] {
        assert_code(WasmKeySet::from_jwks(jwks, undefined()), code, what);
    }
    let a = WasmKey::generate(JsValue::from_str("EdDSA"), js(r#"{"kid":"a"}"#)).unwrap();
    let b = WasmKey::generate(JsValue::from_str("EdDSA"), js(r#"{"kid":"b"}"#)).unwrap();
    let mut set = WasmKeySet::new();
    set.add(&a.public_key().unwrap());
    let options = || js(r#"{"algorithms":["EdDSA"]}"#);
    let by_b = JsValue::from_str(&sign(js("{}"), &b, undefined()).unwrap());
    assert_code(
        verify_with_key_set(by_b.clone(), &set, options()),
        "ERR_JWKS_NO_MATCHING_KEY",
        "kid b",
    );
    set.add(&b.public_key().unwrap());
    assert!(verify_with_key_set(by_b, &set, options()).is_ok());
    let round_trip = WasmKeySet::from_jwks(set.to_jwks().unwrap(), undefined()).unwrap();
    assert_eq!(round_trip.size(), 2);
    assert_healthy();
}

#[wasm_bindgen_test]
fn many_failures_in_a_row_leave_the_instance_usable() {
    let key = hs256();
    for i in 0..200 {
        let bad = if i % 2 == 0 { cyclic() } else { bigint() };
        assert_code(sign(bad, &key, undefined()), INVALID, "loop");
        assert_code(decode(huge(20_000)), "ERR_JWS_INVALID", "loop");
    }
    assert_healthy();
}

#[wasm_bindgen_test]
fn deep_nesting_is_refused_without_trapping() {
    let deep = js_eval(
        "(() => { let o = 1; for (let i = 0; i < 5000; i++) o = [o]; return { a: o }; })()",
    );
    assert_code(
        sign(deep.clone(), &hs256(), undefined()),
        INVALID,
        "deep claims",
    );
    assert_code(WasmKey::from_jwk(deep, undefined()), INVALID, "deep JWK");
    let payload = format!(r#"{{"a":{}1{}}}"#, "[".repeat(2_000), "]".repeat(2_000));
    let b64 = crate::token::base64url::encode;
    let token = format!(
        "{}.{}.AAAA",
        b64(br#"{"alg":"HS256"}"#),
        b64(payload.as_bytes())
    );
    assert_code(
        decode(JsValue::from_str(&token)),
        "ERR_JWT_INVALID",
        "deep token",
    );
    assert_healthy();
}

#[wasm_bindgen_test]
fn throwing_proxies_and_getters_are_errors_not_traps() {
    // A JS exception thrown from inside a built-in the bindings call (Object.keys on a Proxy,
    // Array.from over a throwing getter, Array.isArray on a revoked Proxy) must come back as
    // ERR_INVALID_ARGUMENT. Were it to unwind through the module's frames, each call would leak
    // shadow stack until the instance traps (it did after ~1,400 calls).
    let throwing_keys = js_eval("new Proxy({}, { ownKeys() { throw new Error('trap') } })");
    let throwing_item = js_eval(
        "({ algorithms: Object.defineProperty([], '0', { get() { throw new Error('getter') }, enumerable: true }) })",
    );
    let revoked = js_eval(
        "(() => { const r = Proxy.revocable([], {}); r.revoke(); return { audience: r.proxy, algorithms: ['HS256'] }; })()",
    );
    let endless =
        js_eval("({ algorithms: { length: 1e9, 0: 'HS256' }, audience: { length: 1e9 } })");
    let huge_list = js_eval("({ algorithms: Array(5000).fill('HS256') })");
    let token = JsValue::from_str(&good_token());
    for round in 0..3_000 {
        assert_code(
            verify_with_key(token.clone(), &hs256(), throwing_keys.clone()),
            INVALID,
            "ownKeys trap",
        );
        if round % 100 == 0 {
            for (what, options) in [
                ("getter", &throwing_item),
                ("revoked", &revoked),
                ("length 1e9", &endless),
                ("5000 algorithms", &huge_list),
            ] {
                assert_code(
                    verify_with_key(token.clone(), &hs256(), options.clone()),
                    INVALID,
                    what,
                );
            }
            assert_code(
                sign(js(r#"{"sub":"x"}"#), &hs256(), throwing_keys.clone()),
                INVALID,
                "sign options trap",
            );
        }
    }
    assert_healthy();
}

#[wasm_bindgen_test]
fn lone_surrogates_in_string_options_are_refused() {
    // Read lossily, "evil\u{D800}" would become "evil\u{FFFD}": two JS strings, one issuer.
    let options = Object::new();
    Reflect::set(&options, &"algorithms".into(), &js(r#"["HS256"]"#)).unwrap();
    Reflect::set(&options, &"issuer".into(), &lone_surrogate(8)).unwrap();
    let token = sign(
        js(r#"{"sub":"x","iss":"ssss\ufffdssss"}"#),
        &hs256(),
        undefined(),
    )
    .unwrap();
    assert_code(
        verify_with_key(JsValue::from_str(&token), &hs256(), options.into()),
        INVALID,
        "issuer with a lone surrogate",
    );
    let sign_options = object_with("subject", &lone_surrogate(8));
    assert_code(
        sign(js(r#"{}"#), &hs256(), sign_options),
        INVALID,
        "subject with a lone surrogate",
    );
    let list = Array::of2(&"a".into(), &lone_surrogate(4));
    let options = Object::new();
    Reflect::set(&options, &"algorithms".into(), &js(r#"["HS256"]"#)).unwrap();
    Reflect::set(&options, &"audience".into(), &list).unwrap();
    assert_code(
        verify_with_key(JsValue::from_str(&token), &hs256(), options.into()),
        INVALID,
        "audience list with a lone surrogate",
    );
    assert_healthy();
}

#[wasm_bindgen_test]
fn claims_that_json_would_silently_empty_are_refused() {
    // JSON.stringify writes a Map, a Set or an Error as {} and a typed array as an index object:
    // signing one would lose the claims without a word.
    for (what, value) in [
        ("Map", js_eval("new Map([['sub', 'ada']])")),
        ("Set", js_eval("new Set(['ada'])")),
        ("Uint8Array", js_eval("new Uint8Array([1, 2])")),
        ("Error", js_eval("new Error('x')")),
        ("Date", js_eval("new Date(0)")),
        ("Promise", js_eval("Promise.resolve(1)")),
    ] {
        assert_code(sign(value, &hs256(), undefined()), INVALID, what);
    }
    // Plain objects of any prototype-less or class-free kind still sign.
    for value in [
        js_eval("({ sub: 'ada' })"),
        js_eval("Object.assign(Object.create(null), { sub: 'ada' })"),
        js_eval("new Proxy({ sub: 'ada' }, {})"),
    ] {
        sign(value, &hs256(), undefined()).unwrap();
    }
    let hostile = js_eval(
        "new Proxy({}, { get(t, k) { if (k === Symbol.toStringTag) throw new Error('trap'); return t[k]; } })",
    );
    assert_code(
        sign(hostile, &hs256(), undefined()),
        INVALID,
        "toStringTag trap",
    );
    assert_healthy();
}
