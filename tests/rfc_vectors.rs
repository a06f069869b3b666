//! Published examples: RFC 7515 Appendix A, RFC 7520 §4.1–4.4, RFC 8037 (Ed25519), and the
//! RFC 7638 thumbprints. The data is `tests/vectors/rfc-examples.json` (see its README).

mod common;

use common::*;
use edge_jwt::{verify, verify_compact, Alg, ErrorCode, Key, KeySet, VerifyOptions};
use serde_json::{json, Value};

const JOE_CLAIMS: &str =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const FRODO: &str = "It\u{2019}s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there\u{2019}s no knowing where you might be swept off to.";

struct Example {
    alg: String,
    key: Value,
    token: String,
}

fn example(name: &str) -> Example {
    let all = vector_json("rfc-examples.json");
    let entry = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name}"));
    Example {
        alg: entry["alg"].as_str().unwrap().to_owned(),
        key: entry["key"].clone(),
        token: entry["token"].as_str().unwrap().to_owned(),
    }
}

/// Verifies an example as a JWS, checks its payload, and checks that a changed payload fails.
fn assert_verifies(name: &str, payload: &str) -> (Key, Example) {
    let example = example(name);
    let alg: Alg = example.alg.parse().unwrap();
    let key = Key::from_jwk_with_alg(&example.key, Some(alg)).unwrap();
    let jws =
        verify_compact(&example.token, &key, &[alg]).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(jws.payload, payload.as_bytes(), "{name}");
    assert_eq!(jws.header["alg"], example.alg);

    let mut parts: Vec<String> = example.token.split('.').map(str::to_owned).collect();
    parts[1] = b64(payload.replace('e', "E"));
    let tampered = parts.join(".");
    assert_eq!(
        code(verify_compact(&tampered, &key, &[alg])),
        ErrorCode::JwsSignatureVerificationFailed,
        "{name}"
    );
    (key, example)
}

/// The JWT examples of RFC 7515 (= RFC 7519 §3.1) also pass `verify` until their `exp`.
fn assert_joe_jwt(name: &str) {
    let (key, example) = assert_verifies(name, JOE_CLAIMS);
    let alg = key.alg();
    let before = verify(
        &example.token,
        &key,
        &VerifyOptions::new([alg]).at(1_300_819_379.0).issuer("joe"),
    )
    .unwrap();
    assert_eq!(before.claims["http://example.com/is_root"], true);
    let at_exp = verify(
        &example.token,
        &key,
        &VerifyOptions::new([alg]).at(1_300_819_380.0),
    );
    assert_eq!(code(at_exp), ErrorCode::JwtExpired);
}

#[test]
fn rfc7515_a1_hs256() {
    assert_joe_jwt("rfc7515-A.1");
    // The header has a `typ` of "JWT" and CRLF whitespace, kept as signed.
    let example = example("rfc7515-A.1");
    assert_eq!(
        unb64(example.token.split('.').next().unwrap()),
        b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"
    );
}

#[test]
fn rfc7515_a2_rs256() {
    assert_joe_jwt("rfc7515-A.2");
}

#[test]
fn rfc7515_a3_es256() {
    assert_joe_jwt("rfc7515-A.3");
}

#[test]
fn rfc7515_a4_es512_is_not_supported() {
    // edge-jwt implements the algorithms of the spec's `Alg`; ES512 (P-521) is not one of them.
    let example = example("rfc7515-A.4");
    assert_eq!(example.alg, "ES512");
    assert_eq!(
        code(Key::from_jwk(&example.key)),
        ErrorCode::JoseNotSupported
    );
    let any = Key::generate(Alg::ES384).unwrap();
    assert_eq!(
        code(verify_compact(&example.token, &any, &Alg::ALL)),
        ErrorCode::JoseNotSupported
    );
}

#[test]
fn rfc7515_a5_none_never_verifies() {
    let example = example("rfc7515-A.5");
    assert!(example.key.is_null());
    assert!(
        example.token.ends_with('.'),
        "an unsecured JWS has an empty signature"
    );
    let all = VerifyOptions::new(Alg::ALL).at(1_300_819_379.0);
    for key in [
        hs256_key(),
        Key::generate(Alg::EdDSA).unwrap(),
        rsa_key(Alg::RS256),
    ] {
        let err = error(verify(&example.token, &key, &all));
        assert_eq!(err.code(), ErrorCode::JoseAlgNotAllowed);
        assert_eq!(
            code(verify_compact(&example.token, &key, &Alg::ALL)),
            ErrorCode::JoseAlgNotAllowed
        );
    }
}

#[test]
fn rfc8037_a4_ed25519() {
    let (key, _) = assert_verifies("rfc8037-A.4", "Example of Ed25519 signing");
    assert_eq!(key.alg(), Alg::EdDSA);
    // RFC 8037 A.1: the private key of the example is consistent with its public key.
    let private = json!({"kty": "OKP", "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let private = Key::from_jwk(&private).unwrap();
    assert!(private.is_private());
    assert!(verify_compact(&example("rfc8037-A.4").token, &private, &[Alg::EdDSA]).is_ok());
}

#[test]
fn rfc8037_a3_thumbprint() {
    let key = Key::from_jwk(&example("rfc8037-A.4").key).unwrap();
    assert_eq!(
        key.thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        key.kid(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
        "no kid in the JWK"
    );
}

#[test]
fn rfc7520_4_1_rs256() {
    let (key, _) = assert_verifies("rfc7520-4.1", FRODO);
    assert_eq!(key.kid(), "bilbo.baggins@hobbiton.example");
}

#[test]
fn rfc7520_4_2_ps384() {
    assert_verifies("rfc7520-4.2", FRODO);
}

#[test]
fn rfc7520_4_3_es512_is_not_supported() {
    let example = example("rfc7520-4.3");
    assert_eq!(example.alg, "ES512");
    assert_eq!(
        code(Key::from_jwk(&example.key)),
        ErrorCode::JoseNotSupported
    );
}

#[test]
fn rfc7520_4_4_hs256() {
    assert_verifies("rfc7520-4.4", FRODO);
}

#[test]
fn rfc7520_key_set_selects_by_kid() {
    // The RS256 and PS384 examples share one RSA key and kid: bound to two algorithms it is two
    // keys, and the token's alg picks one.
    let rsa = example("rfc7520-4.1").key;
    let mut set = KeySet::new();
    set.add(Key::from_jwk_with_alg(&rsa, Some(Alg::RS256)).unwrap());
    set.add(Key::from_jwk_with_alg(&rsa, Some(Alg::PS384)).unwrap());
    set.add(Key::from_jwk(&example("rfc7520-4.4").key).unwrap());
    for name in ["rfc7520-4.1", "rfc7520-4.2", "rfc7520-4.4"] {
        let jws = verify_compact(
            &example(name).token,
            &set,
            &[Alg::RS256, Alg::PS384, Alg::HS256],
        )
        .unwrap();
        assert_eq!(jws.payload, FRODO.as_bytes(), "{name}");
    }
    assert_eq!(
        code(verify_compact(
            &example("rfc7520-4.1").token,
            &set,
            &[Alg::PS384]
        )),
        ErrorCode::JoseAlgNotAllowed
    );
}

#[test]
fn rfc7638_thumbprint_example() {
    // RFC 7638 §3.1.
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    let key = Key::from_jwk(&jwk).unwrap();
    assert_eq!(
        key.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(key.kid(), "2011-04-29");
    // Without a kid the thumbprint is the kid; members outside the required ones do not count.
    let mut bare = jwk.as_object().unwrap().clone();
    bare.remove("kid");
    bare.insert("use".into(), json!("sig"));
    assert_eq!(
        Key::from_jwk(&Value::Object(bare)).unwrap().kid(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    let pem = key.to_pem(false).unwrap();
    assert_eq!(
        Key::from_pem(&pem, Alg::PS512).unwrap().thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}
