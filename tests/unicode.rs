//! Unicode in claims and headers round-trips exactly; invalid UTF-8 is refused with the code of
//! the segment it is in.

mod common;

use common::*;
use edge_jwt::{decode, inspect, sign, verify, Alg, ErrorCode, Key, SignOptions};
use serde_json::{json, Value};

fn samples() -> Value {
    json!({
        "accents": "Zoë Ångström, naïve café, Łódź",
        "cjk": "東京都 — 서울 — 北京",
        "emoji": "👩‍💻🎉🏳️‍🌈 👍🏽",
        "rtl": "שלום مرحبا",
        "combining": "e\u{301} vs \u{e9}",
        "controls": "tab\tnewline\nnul\u{0}quote\"backslash\\",
        "ключ": "значение",
        "🔑": ["∀x∈ℝ", {"ネスト": "値"}],
        "astral": "\u{10FFFF}\u{1F600}\u{20000}",
    })
}

#[test]
fn unicode_claims_round_trip_through_every_entry_point() {
    for alg in [Alg::HS256, Alg::EdDSA, Alg::ES256] {
        let key = if alg == Alg::HS256 {
            hs256_key()
        } else {
            Key::generate(alg).unwrap()
        };
        let token = sign_at_now(samples(), &key);
        let verified = verify(&token, &key, &options(alg)).unwrap();
        let decoded = decode(&token).unwrap();
        let info = inspect(&token, Some(NOW)).unwrap();
        let mut expected = object(samples());
        expected.insert("iat".into(), json!(NOW as i64));
        for claims in [&verified.claims, &decoded.claims, &info.claims] {
            assert_eq!(claims, &expected, "{alg}");
            assert_eq!(
                claims["combining"].as_str().unwrap().chars().count(),
                7,
                "no normalisation (NFC would give 6)"
            );
        }
    }
}

#[test]
fn escaped_surrogate_pairs_decode_to_the_character() {
    let token =
        raw_claims(r#"{"e":"\ud83d\ude00","m":"caf\u00e9","k":"\u6771\u4eac","\ud83d\udd11":1}"#);
    let claims = verify(&token, &hs256_key(), &options(Alg::HS256))
        .unwrap()
        .claims;
    assert_eq!(claims["e"], "😀");
    assert_eq!(claims["m"], "café");
    assert_eq!(claims["k"], "東京");
    assert_eq!(claims["🔑"], 1);
    assert_eq!(decode(&token).unwrap().claims, claims);
}

#[test]
fn escaped_and_literal_names_are_the_same_name() {
    let token = raw_claims(r#"{"é":1,"\u00e9":2}"#);
    assert_eq!(
        code(verify(&token, &hs256_key(), &options(Alg::HS256))),
        ErrorCode::JwtInvalid
    );
}

#[test]
fn lone_surrogate_escapes_are_refused() {
    for claims in [
        r#"{"e":"\ud83d"}"#,
        r#"{"e":"\ude00"}"#,
        r#"{"e":"\ude00\ud83d"}"#,
    ] {
        let token = raw_claims(claims);
        assert_eq!(
            code(verify(&token, &hs256_key(), &options(Alg::HS256))),
            ErrorCode::JwtInvalid,
            "{claims}"
        );
        assert_eq!(code(decode(&token)), ErrorCode::JwtInvalid, "{claims}");
    }
    let header = raw(r#"{"alg":"HS256","kid":"\udfff"}"#, "{}");
    assert_eq!(
        code(verify(&header, &hs256_key(), &options(Alg::HS256))),
        ErrorCode::JwsInvalid
    );
}

#[test]
fn invalid_utf8_in_the_header_is_jws_invalid() {
    for bytes in [
        &b"{\"alg\":\"HS256\",\"kid\":\"\xff\"}"[..],
        b"{\"alg\":\"HS256\",\"kid\":\"\xed\xa0\x80\"}",
        b"{\"alg\":\"HS256\",\"kid\":\"\xe6\x9d\"}",
    ] {
        let token = hs256_raw(&SECRET, bytes, b"{}");
        assert_eq!(
            code(verify(&token, &hs256_key(), &options(Alg::HS256))),
            ErrorCode::JwsInvalid
        );
        assert_eq!(code(decode(&token)), ErrorCode::JwsInvalid);
    }
}

#[test]
fn invalid_utf8_in_the_claims_is_jwt_invalid() {
    // A truncated multi-byte sequence, an encoded surrogate, an overlong '/', a stray continuation.
    for bytes in [
        &b"{\"n\":\"\xe6\x9d\"}"[..],
        b"{\"n\":\"\xed\xa0\x80\"}",
        b"{\"n\":\"\xc0\xaf\"}",
        b"{\"n\":\"\x80\"}",
    ] {
        let token = hs256_raw(&SECRET, br#"{"alg":"HS256"}"#, bytes);
        let err = error(verify(&token, &hs256_key(), &options(Alg::HS256)));
        assert_eq!(
            (err.code(), err.reason()),
            (ErrorCode::JwtInvalid, Some("utf8"))
        );
        assert_eq!(code(decode(&token)), ErrorCode::JwtInvalid);
        assert_eq!(code(inspect(&token, Some(NOW))), ErrorCode::JwtInvalid);
    }
}

#[test]
fn unicode_in_registered_claims_is_compared_exactly() {
    let key = hs256_key();
    let options_sign = SignOptions {
        issuer: Some("https://ïd.example/東京".into()),
        subject: Some("usér-😀".into()),
        audience: vec!["api-é".into()],
        kid: Some("clé-🔑".into()),
        now: Some(NOW),
        ..Default::default()
    };
    let token = sign(&object(json!({})), &key, &options_sign).unwrap();
    let want = options(Alg::HS256)
        .issuer("https://ïd.example/東京")
        .subject("usér-😀")
        .audience("api-é");
    let verified = verify(&token, &key, &want).unwrap();
    assert_eq!(verified.header["kid"], "clé-🔑");
    // The same text in another normal form (NFD) is another string.
    let nfd = options(Alg::HS256).audience("api-e\u{301}");
    assert_eq!(
        code(verify(&token, &key, &nfd)),
        ErrorCode::JwtClaimValidationFailed
    );
}

#[test]
fn unicode_kid_selects_from_a_key_set() {
    let key = Key::generate(Alg::EdDSA).unwrap().with_kid("ключ-🗝");
    let mut set = edge_jwt::KeySet::new();
    set.add(key.public_key().unwrap());
    set.add(Key::generate(Alg::EdDSA).unwrap().with_kid("ключ-🔑"));
    let token = sign_at_now(json!({"ok": "✓"}), &key);
    assert_eq!(
        verify(&token, &set, &options(Alg::EdDSA)).unwrap().claims["ok"],
        "✓"
    );
}
