//! PEM interop with the keys other tools write and read: OpenSSL's own PEM files (Ed25519
//! PKCS#8, `openssl ecparam -genkey` output, RSA keys over 4096 bits), the formatting PEM picks
//! up on its way through editors, environment variables and Windows, and errors that say what
//! is actually wrong. The fixtures under `tests/vectors/keys/` were written by OpenSSL (see the
//! README there), so these tests need no OpenSSL at run time.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use edge_jwt::{verify, Alg, ErrorCode, Key, MAX_RSA_BITS};
use serde_json::{json, Value};

/// The DER inside a single-block PEM.
fn der_of(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    Base64::decode_vec(body.trim()).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Signs with `key` and checks that its public half verifies the token.
fn assert_signs(key: &Key) {
    let token = sign_at_now(json!({"sub": "pem"}), key);
    let public = key.public_key().unwrap();
    let verified = verify(&token, &public, &options(key.alg())).unwrap();
    assert_eq!(verified.claims["sub"], "pem");
}

/// The error message of a refused PEM, checking it is `ERR_JWK_INVALID`.
fn refusal(pem: &str, alg: Alg) -> String {
    let err = error(Key::from_pem(pem, alg));
    assert_eq!(err.code(), ErrorCode::JwkInvalid, "{pem:?}: {err}");
    err.message().to_owned()
}

// --- 1. Ed25519 private keys are written as PKCS#8 v1 (RFC 8410), as OpenSSL writes them ---

#[test]
fn eddsa_private_pem_is_the_pkcs8_v1_openssl_writes() {
    // `openssl genpkey -algorithm ed25519`, read and written back: byte for byte the same.
    let openssl = vector("keys/ed25519-pkcs8.pem");
    let key = Key::from_pem(&openssl, Alg::EdDSA).unwrap();
    assert_eq!(key.to_pem(true).unwrap(), openssl);
    assert_eq!(key.to_pem(false).unwrap(), vector("keys/ed25519-spki.pem"));
    // A generated key: version 0, Ed25519, the 32-byte seed and nothing else (no [1] public
    // key, which OpenSSL 3, WebCrypto and jose refuse).
    let der = der_of(&Key::generate(Alg::EdDSA).unwrap().to_pem(true).unwrap());
    assert_eq!(der.len(), 48, "{der:02x?}");
    assert_eq!(der[..16], hex("302e020100300506032b657004220420")[..]);
}

#[test]
fn eddsa_pkcs8_v2_is_still_read_and_written_back_as_v1() {
    // The same key as ed25519-pkcs8.pem in the v2 (OneAsymmetricKey) form edge-jwt used to write.
    let v2 = vector("keys/ed25519-pkcs8-v2.pem");
    let v1 = vector("keys/ed25519-pkcs8.pem");
    assert_eq!(der_of(&v2)[2..5], [2, 1, 1], "fixture is version 1 (v2)");
    let key = Key::from_pem(&v2, Alg::EdDSA).unwrap();
    assert!(key.is_private());
    assert_eq!(key.kid(), Key::from_pem(&v1, Alg::EdDSA).unwrap().kid());
    assert_eq!(key.to_pem(true).unwrap(), v1);
    assert_signs(&key);
    // A v2 key whose public key is not the private key's is refused.
    let mut der = der_of(&v2);
    *der.last_mut().unwrap() ^= 1;
    refusal(&pem_of("PRIVATE KEY", &der), Alg::EdDSA);
}

// --- 2. Formatting is forgiven; structure is not ---

/// The ways a correct PEM reaches `from_pem` in practice.
fn reformatted(pem: &str) -> Vec<(&'static str, String)> {
    let inner: Vec<&str> = pem.lines().collect();
    let (begin, end) = (inner[0], inner[inner.len() - 1]);
    let body = &inner[1..inner.len() - 1];
    let one_line = format!("{begin}\n{}\n{end}\n", body.concat());
    let wrapped_76: Vec<String> = body
        .concat()
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    vec![
        ("as written", pem.to_owned()),
        ("an extra trailing \\n", format!("{pem}\n")),
        ("a trailing \\r\\n", format!("{}\r\n", pem.trim_end())),
        ("no final newline", pem.trim_end().to_owned()),
        ("surrounding spaces", format!("  {}  ", pem.trim_end())),
        ("surrounding blank lines", format!("\n\n \t\n{pem}\n \n")),
        ("CRLF line endings", pem.replace('\n', "\r\n")),
        ("one unwrapped base64 line", one_line.clone()),
        ("one line, CRLF", one_line.replace('\n', "\r\n")),
        (
            "wrapped at 76",
            format!("{begin}\n{}\n{end}\n", wrapped_76.join("\n")),
        ),
        ("trailing spaces on lines", pem.replace('\n', "  \n")),
        ("indented", pem.replace('\n', "\n    ")),
        ("joined by spaces", inner.join(" ")),
        ("a byte order mark", format!("\u{feff}{pem}")),
    ]
}

#[test]
fn from_pem_forgives_whitespace_line_endings_and_wrapping() {
    let es384 = Key::generate(Alg::ES384).unwrap();
    let cases = [
        (vector("keys/rsa2048-spki.pem"), Alg::RS256),
        (vector("keys/rsa2048-pkcs8.pem"), Alg::PS256),
        (vector("keys/rsa2048-pkcs1.pem"), Alg::RS384),
        (vector("keys/rsa2048-pkcs1-public.pem"), Alg::RS512),
        (vector("keys/p256-sec1.pem"), Alg::ES256),
        (vector("keys/ed25519-pkcs8.pem"), Alg::EdDSA),
        (vector("keys/ed25519-spki.pem"), Alg::EdDSA),
        (es384.to_pem(true).unwrap(), Alg::ES384),
        (es384.to_pem(false).unwrap(), Alg::ES384),
    ];
    for (pem, alg) in cases {
        let expected = Key::from_pem(&pem, alg).unwrap();
        for (how, text) in reformatted(&pem) {
            let key = Key::from_pem(&text, alg).unwrap_or_else(|e| panic!("{alg}, {how}: {e}"));
            assert_eq!(key.kid(), expected.kid(), "{alg}, {how}");
            assert_eq!(key.is_private(), expected.is_private(), "{alg}, {how}");
        }
    }
}

#[test]
fn openssl_ecparam_genkey_output_is_read() {
    // `openssl ecparam -name <curve> -genkey`: an EC PARAMETERS block, then the EC PRIVATE KEY.
    for (file, alg) in [
        ("p256-ecparam.pem", Alg::ES256),
        ("p384-ecparam.pem", Alg::ES384),
        ("secp256k1-ecparam.pem", Alg::ES256K),
    ] {
        let pem = vector(&format!("keys/{file}"));
        assert!(pem.starts_with("-----BEGIN EC PARAMETERS-----"), "{file}");
        let key = Key::from_pem(&pem, alg).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(key.is_private(), "{file}");
        assert_signs(&key);
        // The EC PRIVATE KEY block alone (SEC1) is the same key.
        let sec1 = &pem[pem.find("-----BEGIN EC PRIVATE KEY").unwrap()..];
        assert_eq!(Key::from_pem(sec1, alg).unwrap().kid(), key.kid(), "{file}");
        // ...and so are its reformatted forms after the EC PARAMETERS block.
        for (how, text) in reformatted(sec1) {
            if how == "a byte order mark" {
                continue; // only at the very start
            }
            let with_params = format!("{}{text}", &pem[..pem.len() - sec1.len()]);
            assert_eq!(
                Key::from_pem(&with_params, alg).unwrap().kid(),
                key.kid(),
                "{file}, {how}"
            );
        }
    }
    let p384 = vector("keys/p384-ecparam.pem");
    assert_eq!(
        refusal(&p384, Alg::ES256),
        "the key is a P-384 key, not one for ES256"
    );
    let sec1 = &p384[p384.find("-----BEGIN EC PRIVATE KEY").unwrap()..];
    assert_eq!(
        refusal(sec1, Alg::ES256K),
        "the key is a P-384 key, not one for ES256K"
    );
    assert_eq!(
        refusal(&p384, Alg::RS256),
        "the PEM's EC PARAMETERS block does not belong with a key for RS256"
    );
    let params_only = &p384[..p384.len() - sec1.len()];
    assert_eq!(
        refusal(params_only, Alg::ES384),
        "the PEM holds EC PARAMETERS but no key"
    );
}

#[test]
fn errors_say_what_the_key_is() {
    let rsa_spki = vector("keys/rsa2048-spki.pem");
    let cases = [
        (
            rsa_spki.clone(),
            Alg::ES256,
            "an RSA key, not one for ES256",
        ),
        (
            vector("keys/rsa2048-pkcs8.pem"),
            Alg::EdDSA,
            "an RSA key, not one for EdDSA",
        ),
        (
            vector("keys/rsa2048-pkcs1.pem"),
            Alg::ES384,
            "an RSA key, not one for ES384",
        ),
        (
            vector("keys/ed25519-pkcs8.pem"),
            Alg::ES256,
            "an Ed25519 key, not one for ES256",
        ),
        (
            vector("keys/ed25519-spki.pem"),
            Alg::PS256,
            "an Ed25519 key, not one for PS256",
        ),
        (
            vector("keys/x25519-pkcs8.pem"),
            Alg::EdDSA,
            "an X25519 key, not one for EdDSA",
        ),
        (
            vector("keys/p256-sec1.pem"),
            Alg::ES384,
            "a P-256 key, not one for ES384",
        ),
        (
            vector("keys/p256-sec1.pem"),
            Alg::RS256,
            "an EC key, not one for RS256",
        ),
        (
            Key::generate(Alg::ES256K).unwrap().to_pem(false).unwrap(),
            Alg::ES256,
            "a secp256k1 key, not one for ES256",
        ),
        (
            Key::generate(Alg::ES384).unwrap().to_pem(true).unwrap(),
            Alg::ES256,
            "a P-384 key, not one for ES256",
        ),
    ];
    for (pem, alg, expected) in cases {
        assert_eq!(refusal(&pem, alg), format!("the key is {expected}"));
    }
    // `openssl genpkey -algorithm RSA-PSS` writes keys that the rsa crate does not read.
    let pss = refusal(&vector("keys/rsa-pss2048-pkcs8.pem"), Alg::PS256);
    assert!(pss.starts_with("RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported"));
}

#[test]
fn malformed_pem_is_refused_with_the_reason() {
    let spki = vector("keys/rsa2048-spki.pem");
    let p256 = vector("keys/p256-sec1.pem");
    let lines: Vec<&str> = spki.lines().collect();
    let with_line = |index: usize, line: &str| {
        let mut lines = lines.clone();
        lines[index] = line;
        lines.join("\n")
    };
    let junk_line = format!("{}!", &lines[1][..63]);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "not a PEM document"),
        ("  \r\n ".into(), "not a PEM document"),
        (
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".into(),
            "not a PEM document",
        ),
        (
            format!("{spki}{spki}"),
            "the PEM holds more than one key: pass exactly one",
        ),
        (
            format!("{p256}{spki}"),
            "the PEM holds more than one key: pass exactly one",
        ),
        (with_line(1, &junk_line), "the PEM's base64 is malformed"),
        (
            with_line(1, "# a comment, not base64"),
            "the PEM's base64 is malformed",
        ),
        (
            with_line(2, &format!("{}==", &lines[2][..62])),
            "the PEM's base64 is malformed",
        ),
        (spki.replace('\n', "\\n"), "literal \\n sequences"),
        (
            format!("my key:\n{spki}"),
            "the PEM has text outside its -----BEGIN/-----END lines",
        ),
        (
            format!("{spki}-- end of key"),
            "the PEM has text outside its -----BEGIN/-----END lines",
        ),
        (
            spki[..spki.len() / 2].to_owned(),
            "no -----END PUBLIC KEY----- line",
        ),
        (
            spki.replace("END PUBLIC KEY", "END PRIVATE KEY"),
            "no -----END PUBLIC KEY----- line",
        ),
        (
            pem_of("PUBLIC KEY", b"not DER"),
            "the PEM's PUBLIC KEY block is not a valid SubjectPublicKeyInfo (SPKI)",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(),
            "the PEM's PUBLIC KEY block is empty",
        ),
        (
            spki.replace("PUBLIC KEY", "CERTIFICATE"),
            "unsupported PEM label CERTIFICATE",
        ),
        (
            spki.replace("PUBLIC KEY", "DSA PRIVATE KEY"),
            "unsupported PEM label DSA PRIVATE KEY",
        ),
        (
            spki.replace("PUBLIC KEY", "ENCRYPTED PRIVATE KEY"),
            "encrypted PEM keys are not supported",
        ),
        (
            with_line(
                1,
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n",
            ),
            "encrypted PEM keys are not supported",
        ),
    ];
    for (pem, expected) in cases {
        let message = refusal(&pem, Alg::RS256);
        assert!(
            message.contains(expected),
            "{pem:?}: {message:?}, not {expected:?}"
        );
    }
}

// --- 3. RSA keys up to MAX_RSA_BITS, in every form ---

#[test]
fn rsa_public_keys_over_4096_bits_import_as_spki_and_pkcs1() {
    let private = Key::from_pem(&vector("keys/rsa8192-pkcs8.pem"), Alg::RS256).unwrap();
    let jwk = Value::Object(private.to_jwk(false).unwrap());
    assert_eq!(unb64(jwk["n"].as_str().unwrap()).len(), 1024);
    assert_eq!(Key::from_jwk(&jwk).unwrap().kid(), private.kid());
    // A token signed by `openssl dgst -sha256 -sign rsa8192-pkcs8.pem`.
    let token = vector("keys/rsa8192-openssl-rs256.jwt");
    for pem in [
        vector("keys/rsa8192-spki.pem"),
        vector("keys/rsa8192-pkcs1-public.pem"),
        private.to_pem(false).unwrap(),
    ] {
        let public = Key::from_pem(&pem, Alg::RS256).unwrap_or_else(|e| panic!("{e}"));
        assert!(!public.is_private());
        assert_eq!(public.kid(), private.kid());
        let verified = verify(token.trim_end(), &public, &options(Alg::RS256)).unwrap();
        assert_eq!(verified.claims["sub"], "openssl-8192");
    }
    let rsa6144 = Key::from_pem(&vector("keys/rsa6144-spki.pem"), Alg::PS512).unwrap();
    let n = unb64(rsa6144.to_jwk(false).unwrap()["n"].as_str().unwrap());
    assert_eq!(n.len(), 768);
}

#[test]
fn rsa_bound_is_max_rsa_bits_in_every_form() {
    assert_eq!(MAX_RSA_BITS, 8192);
    let expected = "RSA keys may have at most 8192 bits; this one has 8200";
    // An 8200-bit key from `openssl genpkey`, as PKCS#8 (private) and SPKI.
    assert_eq!(
        refusal(&vector("keys/rsa8200-pkcs8.pem"), Alg::RS256),
        expected
    );
    let spki = vector("keys/rsa8200-spki.pem");
    assert_eq!(refusal(&spki, Alg::RS256), expected);
    // The same modulus as PKCS#1 and as a JWK.
    let spki_der = der_of(&spki);
    let pkcs1 = &spki_der[spki_der.len() - 1039..];
    assert_eq!(pkcs1[..4], [0x30, 0x82, 0x04, 0x0b]);
    assert_eq!(
        refusal(&pem_of("RSA PUBLIC KEY", pkcs1), Alg::RS256),
        expected
    );
    assert_eq!(pkcs1[4..8], [0x02, 0x82, 0x04, 0x02], "the modulus INTEGER");
    let n = &pkcs1[8..8 + 1026];
    assert!(n[0] == 0 && n[1] >= 0x80, "a sign byte, then 8200 bits");
    let jwk = json!({"kty": "RSA", "alg": "RS256", "n": b64(&n[1..]), "e": "AQAB"});
    let err = error(Key::from_jwk(&jwk));
    assert_eq!(err.code(), ErrorCode::JwkInvalid);
    assert_eq!(err.message(), expected);
}
