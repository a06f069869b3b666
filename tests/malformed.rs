//! Malformed tokens: compact serialization, strict base64url, header and claims JSON, `crit`,
//! and the size cap. Each is refused with its own code, by `verify`, `verify_compact`, `decode`
//! and `inspect` alike.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use edge_jwt::{decode, inspect, verify, verify_compact, Alg, ErrorCode, VerifyOptions};

fn verify_code(token: &str) -> ErrorCode {
    code(verify(token, &hs256_key(), &options(Alg::HS256)))
}

/// Asserts that every entry point refuses `token` with `expected`.
fn refused_everywhere(token: &str, expected: ErrorCode) {
    assert_eq!(verify_code(token), expected, "verify {token:?}");
    assert_eq!(
        code(verify_compact(token, &hs256_key(), &[Alg::HS256])),
        expected,
        "verify_compact {token:?}"
    );
    assert_eq!(code(decode(token)), expected, "decode {token:?}");
    assert_eq!(
        code(inspect(token, Some(NOW))),
        expected,
        "inspect {token:?}"
    );
}

/// Asserts that tokens with each of these headers (JSON text) are `ERR_JWS_INVALID` everywhere.
fn headers_refused(headers: &[&str]) {
    for header in headers {
        refused_everywhere(&raw(header, "{}"), ErrorCode::JwsInvalid);
    }
}

/// Asserts that a token is `ERR_JWT_INVALID` for `verify`, `decode` and `inspect`.
fn claims_refused(token: &str) {
    assert_eq!(verify_code(token), ErrorCode::JwtInvalid, "{token}");
    assert_eq!(code(decode(token)), ErrorCode::JwtInvalid, "{token}");
    assert_eq!(
        code(inspect(token, Some(NOW))),
        ErrorCode::JwtInvalid,
        "{token}"
    );
}

fn good() -> String {
    raw_claims(r#"{"sub":"a"}"#)
}

#[test]
fn the_reference_token_is_fine() {
    assert_eq!(
        verify(&good(), &hs256_key(), &options(Alg::HS256))
            .unwrap()
            .claims["sub"],
        "a"
    );
}

#[test]
fn wrong_segment_count() {
    let t = good();
    let parts: Vec<&str> = t.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    for token in [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        h.to_string(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}."),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{s}.{p}.{s}"),
        format!(".{h}.{p}.{s}"),
    ] {
        refused_everywhere(&token, ErrorCode::JwsInvalid);
    }
}

#[test]
fn empty_header_segment() {
    let t = good();
    refused_everywhere(&with_segment(&t, 0, ""), ErrorCode::JwsInvalid);
}

#[test]
fn empty_payload_segment_is_not_a_claims_set() {
    // Correctly signed over "header." — the signature passes, then the empty claims are refused.
    let token = raw(r#"{"alg":"HS256"}"#, "");
    assert!(token.contains(".."));
    assert_eq!(verify_code(&token), ErrorCode::JwtInvalid);
    assert_eq!(code(decode(&token)), ErrorCode::JwtInvalid);
    // A JWS (not a JWT) may have an empty payload.
    assert_eq!(
        verify_compact(&token, &hs256_key(), &[Alg::HS256])
            .unwrap()
            .payload,
        b""
    );
}

#[test]
fn empty_signature_segment_does_not_verify() {
    let token = with_segment(&good(), 2, "");
    assert_eq!(
        verify_code(&token),
        ErrorCode::JwsSignatureVerificationFailed
    );
    assert_eq!(
        code(verify_compact(&token, &hs256_key(), &[Alg::HS256])),
        ErrorCode::JwsSignatureVerificationFailed
    );
    // decode does not verify, so an unsigned-looking token still decodes.
    assert_eq!(decode(&token).unwrap().claims["sub"], "a");
}

#[test]
fn padding_is_refused_in_every_segment() {
    let t = good();
    for index in 0..3 {
        let segment = t.split('.').nth(index).unwrap();
        for pad in ["=", "==", "==="] {
            refused_everywhere(
                &with_segment(&t, index, &format!("{segment}{pad}")),
                ErrorCode::JwsInvalid,
            );
        }
    }
    // A segment that base64 would pad: the padded form is refused, the unpadded one accepted.
    let padded = Base64::encode_string(br#"{"alg":"HS256","a":12}"#)
        .replace('+', "-")
        .replace('/', "_");
    assert!(padded.ends_with('='), "{padded}");
    refused_everywhere(&format!("{padded}.e30.AAAA"), ErrorCode::JwsInvalid);
}

#[test]
fn whitespace_is_refused_anywhere() {
    let t = good();
    let middle = t.find('.').unwrap() / 2;
    let cases = [
        format!(" {t}"),
        format!("{t} "),
        format!("{t}\n"),
        format!("{t}\r\n"),
        format!("\t{t}"),
        t.replacen('.', " .", 1),
        t.replacen('.', ".\n", 1),
        format!("{} {}", &t[..middle], &t[middle..]),
        format!("{}\n{}", &t[..middle], &t[middle..]),
        format!("{}\u{a0}{}", &t[..middle], &t[middle..]),
    ];
    for token in cases {
        refused_everywhere(&token, ErrorCode::JwsInvalid);
    }
}

/// A token whose signature, encoded in standard base64, contains `+` or `/`.
fn token_with_plus_or_slash_signature() -> (String, String) {
    for n in 0.. {
        let token = raw_claims(&format!(r#"{{"n":{n}}}"#));
        let signature = unb64(token.split('.').nth(2).unwrap());
        let standard = Base64::encode_string(&signature);
        let standard = standard.trim_end_matches('=');
        if standard.contains('+') && standard.contains('/') {
            return (token.clone(), with_segment(&token, 2, standard));
        }
    }
    unreachable!()
}

#[test]
fn standard_alphabet_is_refused() {
    let (good, standard) = token_with_plus_or_slash_signature();
    assert!(verify(&good, &hs256_key(), &options(Alg::HS256)).is_ok());
    refused_everywhere(&standard, ErrorCode::JwsInvalid);
    // In the header too: `{"alg":"HS256","k":"??>"}` encodes with `+`/`/` in standard base64.
    let header = br#"{"alg":"HS256","k":"??>"}"#;
    let standard = Base64::encode_string(header);
    assert!(
        standard.contains('/') || standard.contains('+'),
        "{standard}"
    );
    refused_everywhere(
        &format!("{}.e30.AAAA", standard.trim_end_matches('=')),
        ErrorCode::JwsInvalid,
    );
    assert!(decode(&format!("{}.e30.AAAA", b64(header))).is_ok());
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The segment with the unused low bits of its last character set.
fn with_trailing_bits(segment: &str) -> String {
    let unused_bits = match segment.len() % 4 {
        2 => 4,
        3 => 2,
        _ => panic!("segment {segment} has no unused bits"),
    };
    let last = *segment.as_bytes().last().unwrap();
    let value = ALPHABET.iter().position(|&c| c == last).unwrap();
    let changed = value | ((1 << unused_bits) - 1);
    assert_ne!(changed, value, "the canonical character had the bits clear");
    format!(
        "{}{}",
        &segment[..segment.len() - 1],
        ALPHABET[changed] as char
    )
}

#[test]
fn non_canonical_trailing_bits_are_refused() {
    let t = good();
    // HS256 signatures are 32 bytes: 43 characters, 2 unused bits.
    let signature = t.split('.').nth(2).unwrap();
    assert_eq!(signature.len(), 43);
    let token = with_segment(&t, 2, &with_trailing_bits(signature));
    refused_everywhere(&token, ErrorCode::JwsInvalid);
    for index in [0, 1] {
        let segment = t.split('.').nth(index).unwrap();
        if segment.len() % 4 != 0 {
            refused_everywhere(
                &with_segment(&t, index, &with_trailing_bits(segment)),
                ErrorCode::JwsInvalid,
            );
        }
    }
    // `AQ` is the byte 1; `AR` carries the same byte with a stray bit.
    refused_everywhere(
        &format!("{}.AR.{signature}", t.split('.').next().unwrap()),
        ErrorCode::JwsInvalid,
    );
}

#[test]
fn foreign_characters_are_refused() {
    let t = good();
    for bad in ["?", "*", "é", "%3D", "\0", "."] {
        let segment = t.split('.').next().unwrap();
        let token = with_segment(&t, 0, &format!("{}{bad}{}", &segment[..4], &segment[4..]));
        refused_everywhere(&token, ErrorCode::JwsInvalid);
    }
}

#[test]
fn impossible_segment_length() {
    // One character cannot encode a byte.
    refused_everywhere(&with_segment(&good(), 1, "e"), ErrorCode::JwsInvalid);
    refused_everywhere(&with_segment(&good(), 2, "AAAAA"), ErrorCode::JwsInvalid);
}

#[test]
fn header_must_be_a_json_object() {
    headers_refused(&[
        "",
        "not json",
        "[]",
        r#"["alg","HS256"]"#,
        r#""HS256""#,
        "null",
        "1",
        "{",
        r#"{"alg":"HS256"} x"#,
        r#"{"alg":"HS256",}"#,
        "{'alg':'HS256'}",
    ]);
}

#[test]
fn header_must_not_repeat_names() {
    headers_refused(&[
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","x":{"y":1,"y":2}}"#,
    ]);
}

#[test]
fn header_must_be_utf8() {
    let token = hs256_raw(&SECRET, b"{\"alg\":\"HS256\",\"x\":\"\xff\"}", b"{}");
    refused_everywhere(&token, ErrorCode::JwsInvalid);
}

#[test]
fn header_alg_must_be_a_string() {
    headers_refused(&[
        r#"{"alg":256}"#,
        r#"{"alg":null}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":{"name":"HS256"}}"#,
        r#"{"alg":true}"#,
        r#"{"typ":"JWT"}"#,
        "{}",
    ]);
}

#[test]
fn header_kid_typ_cty_must_be_strings() {
    headers_refused(&[
        r#"{"alg":"HS256","kid":1}"#,
        r#"{"alg":"HS256","typ":null}"#,
        r#"{"alg":"HS256","cty":["JWT"]}"#,
    ]);
}

#[test]
fn unknown_crit_is_refused() {
    for header in [
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
        r#"{"alg":"HS256","crit":["x","y"],"x":1,"y":2}"#,
    ] {
        let err = error(verify(
            &raw(header, "{}"),
            &hs256_key(),
            &options(Alg::HS256),
        ));
        assert_eq!(
            (err.code(), err.claim()),
            (ErrorCode::JoseNotSupported, Some("crit")),
            "{header}"
        );
        assert_eq!(
            code(verify_compact(
                &raw(header, "{}"),
                &hs256_key(),
                &[Alg::HS256]
            )),
            ErrorCode::JoseNotSupported
        );
    }
}

#[test]
fn malformed_crit_is_refused() {
    for header in [
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":"exp","exp":1}"#,
        r#"{"alg":"HS256","crit":[1]}"#,
        r#"{"alg":"HS256","crit":[null]}"#,
        r#"{"alg":"HS256","crit":["absent"]}"#,
        r#"{"alg":"HS256","crit":{"exp":1},"exp":1}"#,
        r#"{"alg":"HS256","crit":null}"#,
    ] {
        assert_eq!(
            verify_code(&raw(header, "{}")),
            ErrorCode::JwsInvalid,
            "{header}"
        );
    }
}

#[test]
fn claims_must_be_a_json_object() {
    for claims in [
        "not json",
        "[]",
        r#"["sub"]"#,
        r#""sub""#,
        "null",
        "1",
        "{",
        r#"{"a":1} x"#,
        r#"{"a":1,}"#,
        "\u{feff}{}",
    ] {
        let token = raw_claims(claims);
        claims_refused(&token);
    }
}

#[test]
fn claims_with_duplicate_names_are_refused_by_verify_and_decode() {
    for claims in [
        r#"{"sub":"alice","sub":"admin"}"#,
        r#"{"exp":1,"exp":9999999999}"#,
        r#"{"sub":"a","\u0073ub":"b"}"#,
        r#"{"ctx":{"role":"user","role":"admin"}}"#,
        r#"{"list":[{"a":1,"a":1}]}"#,
    ] {
        let token = raw_claims(claims);
        claims_refused(&token);
        // A JWS payload is bytes: verify_compact does not read it as claims.
        assert!(verify_compact(&token, &hs256_key(), &[Alg::HS256]).is_ok());
    }
}

// --- size cap ---

fn token_of_length_at_least(len: usize) -> String {
    let pad = "x".repeat(len * 3 / 4);
    let token = raw_claims(&format!(r#"{{"pad":"{pad}"}}"#));
    assert!(token.len() >= len);
    token
}

#[test]
fn default_size_cap_is_16_kib() {
    let big = token_of_length_at_least(16 * 1024 + 1);
    let err = error(verify(&big, &hs256_key(), &options(Alg::HS256)));
    assert_eq!(
        (err.code(), err.reason()),
        (ErrorCode::JwsInvalid, Some("too_large"))
    );
    assert_eq!(error(decode(&big)).reason(), Some("too_large"));
    assert_eq!(error(inspect(&big, Some(NOW))).reason(), Some("too_large"));
    let small = raw_claims(&format!(r#"{{"pad":"{}"}}"#, "x".repeat(12_000)));
    assert!(small.len() <= 16 * 1024);
    assert!(verify(&small, &hs256_key(), &options(Alg::HS256)).is_ok());
}

#[test]
fn size_cap_is_configurable_and_exact() {
    let token = token_of_length_at_least(20_000);
    let mut options = VerifyOptions::new([Alg::HS256]).at(NOW);
    options.max_token_size = token.len();
    assert!(
        verify(&token, &hs256_key(), &options).is_ok(),
        "a token of exactly the cap"
    );
    options.max_token_size = token.len() - 1;
    assert_eq!(
        error(verify(&token, &hs256_key(), &options)).reason(),
        Some("too_large")
    );
    let small = good();
    options.max_token_size = small.len() - 1;
    assert_eq!(
        error(verify(&small, &hs256_key(), &options)).reason(),
        Some("too_large")
    );
}

#[test]
fn size_cap_comes_before_parsing() {
    let garbage = "!".repeat(16 * 1024 + 1);
    assert_eq!(
        error(verify(&garbage, &hs256_key(), &options(Alg::HS256))).reason(),
        Some("too_large")
    );
    assert_eq!(error(decode(&garbage)).reason(), Some("too_large"));
}

#[test]
fn verify_compact_caps_at_one_mib() {
    let payload = vec![b'x'; 100_000];
    let ok = hs256_raw(&SECRET, br#"{"alg":"HS256"}"#, &payload);
    assert_eq!(
        verify_compact(&ok, &hs256_key(), &[Alg::HS256])
            .unwrap()
            .payload,
        payload
    );
    let huge = hs256_raw(&SECRET, br#"{"alg":"HS256"}"#, &vec![b'x'; 800_000]);
    assert!(huge.len() > 1 << 20);
    let err = error(verify_compact(&huge, &hs256_key(), &[Alg::HS256]));
    assert_eq!(
        (err.code(), err.reason()),
        (ErrorCode::JwsInvalid, Some("too_large"))
    );
}

#[test]
fn signature_of_the_wrong_length_does_not_verify() {
    let t = good();
    let signature = unb64(t.split('.').nth(2).unwrap());
    let mut longer = signature.clone();
    longer.push(0);
    for bytes in [&signature[..16], &signature[..31], &longer[..], &[][..]] {
        let token = with_segment(&t, 2, &b64(bytes));
        assert_eq!(
            verify_code(&token),
            ErrorCode::JwsSignatureVerificationFailed,
            "{} bytes",
            bytes.len()
        );
    }
}

#[test]
fn deep_nesting_is_refused_without_crashing() {
    let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(2_000), "]".repeat(2_000));
    claims_refused(&raw_claims(&deep));
    headers_refused(&[&format!(
        r#"{{"alg":"HS256","x":{}1{}}}"#,
        "[".repeat(2_000),
        "]".repeat(2_000)
    )]);
    // Moderate nesting is fine.
    let fine = format!(r#"{{"a":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
    assert!(verify(&raw_claims(&fine), &hs256_key(), &options(Alg::HS256)).is_ok());
}
