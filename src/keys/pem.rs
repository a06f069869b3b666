//! PEM import and export: SPKI, PKCS#8, PKCS#1 (RSA) and SEC1 (EC).
//!
//! Reading is done in two steps. The PEM text is taken apart here (RFC 7468 framing, forgiving
//! about whitespace, line endings and line wrapping, strict about everything else); the DER it
//! holds is then handed to the RustCrypto decoders, after the key's algorithm identifier has been
//! compared with the requested [`Alg`] so that errors can say what the key actually is.

use base64ct::{Base64, Encoding};
use p256::pkcs8::der::asn1::{Null, ObjectIdentifier};
use p256::pkcs8::der::Decode;
use p256::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
    PrivateKeyInfo,
};
use rsa::pkcs1::DecodeRsaPrivateKey;
use zeroize::Zeroizing;

use super::fitness::{
    check_ed25519_public, check_rsa_modulus_len, check_rsa_public, rsa_public_from_parts,
};
use super::{Key, Material};
use crate::alg::{Alg, KeyFamily};
use crate::error::{JwtError, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

// --- PEM framing ---

/// The key forms edge-jwt reads, by PEM label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Spki,
    Pkcs8,
    Pkcs1Private,
    Pkcs1Public,
    Sec1,
}

impl Label {
    fn name(self) -> &'static str {
        match self {
            Label::Spki => "PUBLIC KEY",
            Label::Pkcs8 => "PRIVATE KEY",
            Label::Pkcs1Private => "RSA PRIVATE KEY",
            Label::Pkcs1Public => "RSA PUBLIC KEY",
            Label::Sec1 => "EC PRIVATE KEY",
        }
    }
}

/// One `-----BEGIN label-----` … `-----END label-----` block, its base64 not yet decoded.
struct Block<'a> {
    label: &'a str,
    body: &'a str,
}

/// The single key block of a PEM document, decoded, and the curve named by an
/// `EC PARAMETERS` block next to it (as `openssl ecparam -genkey` writes one).
struct Document {
    label: Label,
    der: Zeroizing<Vec<u8>>,
    ec_parameters: Option<ObjectIdentifier>,
}

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

/// Splits `text` into its PEM blocks. Only whitespace may surround and separate them.
fn blocks(text: &str) -> Result<Vec<Block<'_>>> {
    if text.contains(BEGIN) && (text.contains("\\n") || text.contains("\\r")) {
        return Err(JwtError::jwk(
            "the PEM holds literal \\n sequences: replace them with line breaks",
        ));
    }
    let mut found = Vec::new();
    // A byte order mark, as Windows editors write one, is whitespace here.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some(after_begin) = rest.strip_prefix(BEGIN) else {
            return Err(if found.is_empty() && !text.contains(BEGIN) {
                JwtError::jwk("not a PEM document: there is no -----BEGIN line")
            } else {
                JwtError::jwk("the PEM has text outside its -----BEGIN/-----END lines")
            });
        };
        let label = after_begin
            .split_once(DASHES)
            .map(|(label, _)| label)
            .filter(|label| is_label(label))
            .ok_or_else(|| JwtError::jwk("the PEM's -----BEGIN line is malformed"))?;
        let after_label = &after_begin[label.len() + DASHES.len()..];
        let end_line = format!("{END}{label}{DASHES}");
        let Some((body, after_end)) = after_label.split_once(&end_line) else {
            return Err(JwtError::jwk(format!(
                "the PEM has no -----END {label}----- line to match its -----BEGIN line"
            )));
        };
        if body.contains(DASHES) {
            return Err(JwtError::jwk(format!(
                "the PEM's {label} block is malformed: its -----BEGIN and -----END lines do not pair up"
            )));
        }
        found.push(Block { label, body });
        rest = after_end.trim_start();
    }
    if found.is_empty() {
        return Err(JwtError::jwk("not a PEM document: it is empty"));
    }
    Ok(found)
}

/// RFC 7468 §3: a label is printable ASCII other than `-`, with single inner spaces. Capped in
/// length so that error messages that repeat it stay short.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 64
        && !label.starts_with(' ')
        && !label.ends_with(' ')
        && !label.contains("  ")
        && label
            .bytes()
            .all(|b| b == b' ' || (b.is_ascii_graphic() && b != b'-'))
}

/// The bytes of a block: its base64 with all whitespace (line breaks of any kind, wrapping at any
/// width, indentation, trailing spaces) removed, decoded strictly (only the base64 alphabet,
/// canonical `=` padding at the very end).
fn decode_body(block: &Block<'_>) -> Result<Zeroizing<Vec<u8>>> {
    if block.body.contains("Proc-Type:") || block.body.contains("DEK-Info:") {
        return Err(JwtError::jwk(
            "encrypted PEM keys are not supported: decrypt it first",
        ));
    }
    let base64: Zeroizing<String> = Zeroizing::new(
        block
            .body
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect(),
    );
    let der =
        Base64::decode_vec(&base64).map_err(|_| JwtError::jwk("the PEM's base64 is malformed"))?;
    if der.is_empty() {
        return Err(JwtError::jwk(format!(
            "the PEM's {} block is empty",
            block.label
        )));
    }
    Ok(Zeroizing::new(der))
}

fn document(text: &str) -> Result<Document> {
    let mut key: Option<(Label, &Block<'_>)> = None;
    let mut ec_parameters = None;
    let found = blocks(text)?;
    for block in &found {
        let label = match block.label {
            "PUBLIC KEY" => Label::Spki,
            "PRIVATE KEY" => Label::Pkcs8,
            "RSA PRIVATE KEY" => Label::Pkcs1Private,
            "RSA PUBLIC KEY" => Label::Pkcs1Public,
            "EC PRIVATE KEY" => Label::Sec1,
            "EC PARAMETERS" => {
                let der = decode_body(block)?;
                // ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, ... }
                let curve = ObjectIdentifier::from_der(&der).map_err(|_| {
                    JwtError::jwk("explicit EC PARAMETERS are not supported: use a named curve")
                })?;
                if ec_parameters.is_some_and(|seen| seen != curve) {
                    return Err(JwtError::jwk("the PEM's EC PARAMETERS blocks disagree"));
                }
                ec_parameters = Some(curve);
                continue;
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(JwtError::jwk(
                    "encrypted PEM keys are not supported: decrypt it first",
                ))
            }
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                return Err(JwtError::jwk(
                    "unsupported PEM label CERTIFICATE: pass the certificate's public key \
                     (openssl x509 -pubkey -noout)",
                ))
            }
            other => return Err(JwtError::jwk(format!("unsupported PEM label {other}"))),
        };
        if key.is_some() {
            return Err(JwtError::jwk(
                "the PEM holds more than one key: pass exactly one",
            ));
        }
        key = Some((label, block));
    }
    let (label, block) =
        key.ok_or_else(|| JwtError::jwk("the PEM holds EC PARAMETERS but no key"))?;
    Ok(Document {
        label,
        der: decode_body(block)?,
        ec_parameters,
    })
}

// --- What a key is, and whether it fits the algorithm ---

/// A short description of a key algorithm, for error messages ("an RSA key").
fn describe(algorithm: &AlgorithmIdentifierRef<'_>) -> String {
    match algorithm.oid {
        RSA_ENCRYPTION => "an RSA key".into(),
        RSASSA_PSS => "an RSA-PSS (id-RSASSA-PSS) key".into(),
        EC_PUBLIC_KEY => describe_curve(algorithm.parameters_oid().ok()),
        ED25519 => "an Ed25519 key".into(),
        ED448 => "an Ed448 key".into(),
        X25519 => "an X25519 key".into(),
        X448 => "an X448 key".into(),
        other => format!("a key of algorithm {other}"),
    }
}

fn describe_curve(curve: Option<ObjectIdentifier>) -> String {
    match curve {
        Some(PRIME256V1) => "a P-256 key".into(),
        Some(SECP384R1) => "a P-384 key".into(),
        Some(SECP521R1) => "a P-521 key".into(),
        Some(SECP256K1) => "a secp256k1 key".into(),
        Some(other) => format!("an EC key on curve {other}"),
        None => "an EC key without a named curve".into(),
    }
}

/// The algorithm identifier (and, for EC, the curve) a key needs to fit `family`.
fn expected(family: KeyFamily) -> (ObjectIdentifier, Option<ObjectIdentifier>) {
    match family {
        KeyFamily::Ed25519 => (ED25519, None),
        KeyFamily::P256 => (EC_PUBLIC_KEY, Some(PRIME256V1)),
        KeyFamily::P384 => (EC_PUBLIC_KEY, Some(SECP384R1)),
        KeyFamily::Secp256k1 => (EC_PUBLIC_KEY, Some(SECP256K1)),
        KeyFamily::Rsa | KeyFamily::Hmac => (RSA_ENCRYPTION, None),
    }
}

fn mismatch(what: &str, alg: Alg) -> JwtError {
    JwtError::jwk(format!("the key is {what}, not one for {alg}"))
}

/// Refuses a key whose algorithm identifier does not fit `alg`, saying what the key is.
fn check_fits(algorithm: &AlgorithmIdentifierRef<'_>, alg: Alg) -> Result<()> {
    let (oid, curve) = expected(alg.family());
    let fits = algorithm.oid == oid
        && match curve {
            Some(curve) => algorithm.parameters_oid().ok() == Some(curve),
            None => true,
        };
    if fits {
        Ok(())
    } else if algorithm.oid == RSASSA_PSS && alg.family() == KeyFamily::Rsa {
        Err(JwtError::jwk(
            "RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported: use an rsaEncryption key \
             (openssl genpkey -algorithm RSA), which PS256/PS384/PS512 sign with",
        ))
    } else {
        Err(mismatch(&describe(algorithm), alg))
    }
}

/// Refuses an `EC PARAMETERS` block that names another curve than `alg` uses.
fn check_ec_parameters(curve: Option<ObjectIdentifier>, alg: Alg) -> Result<()> {
    let Some(curve) = curve else { return Ok(()) };
    match expected(alg.family()) {
        (EC_PUBLIC_KEY, Some(expected)) if expected == curve => Ok(()),
        (EC_PUBLIC_KEY, _) => Err(mismatch(&describe_curve(Some(curve)), alg)),
        _ => Err(JwtError::jwk(format!(
            "the PEM's EC PARAMETERS block does not belong with a key for {alg}"
        ))),
    }
}

// --- Reading ---

pub(super) fn from_pem(pem: &str, alg: Alg) -> Result<Key> {
    if alg.family() == KeyFamily::Hmac {
        return Err(JwtError::invalid_argument(
            "HMAC keys are secrets: use from_secret",
        ));
    }
    let document = document(pem)?;
    check_ec_parameters(document.ec_parameters, alg)?;
    let der = &document.der[..];
    let material = match document.label {
        Label::Spki => from_spki(der, alg)?,
        Label::Pkcs8 => from_pkcs8(der, alg)?,
        Label::Sec1 => from_sec1(der, alg)?,
        Label::Pkcs1Public | Label::Pkcs1Private => {
            if alg.family() != KeyFamily::Rsa {
                return Err(mismatch("an RSA key", alg));
            }
            if document.label == Label::Pkcs1Public {
                rsa_public_from_pkcs1(der, Label::Pkcs1Public)?
            } else {
                rsa_private_from_pkcs1(der)?
            }
        }
    };
    Key::from_material(alg, material, None)
}

fn malformed(label: Label) -> JwtError {
    let what = match label {
        Label::Spki => "SubjectPublicKeyInfo (SPKI)",
        Label::Pkcs8 => "PKCS#8 PrivateKeyInfo",
        Label::Pkcs1Private => "PKCS#1 RSAPrivateKey",
        Label::Pkcs1Public => "PKCS#1 RSAPublicKey",
        Label::Sec1 => "SEC1 ECPrivateKey",
    };
    JwtError::jwk(format!(
        "the PEM's {} block is not a valid {what}",
        label.name()
    ))
}

fn invalid(label: Label, alg: Alg) -> JwtError {
    let what = match alg.family() {
        KeyFamily::Ed25519 => "Ed25519",
        KeyFamily::P256 => "P-256",
        KeyFamily::P384 => "P-384",
        KeyFamily::Secp256k1 => "secp256k1",
        KeyFamily::Rsa | KeyFamily::Hmac => "RSA",
    };
    JwtError::jwk(format!(
        "the PEM's {} block does not hold a valid {what} key",
        label.name()
    ))
}

fn from_spki(der: &[u8], alg: Alg) -> Result<Material> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed(Label::Spki))?;
    check_fits(&spki.algorithm, alg)?;
    let bad = || invalid(Label::Spki, alg);
    macro_rules! ec {
        ($krate:ident, $variant:ident) => {
            Material::$variant {
                secret: None,
                public: $krate::ecdsa::VerifyingKey::from_public_key_der(der).map_err(|_| bad())?,
            }
        };
    }
    Ok(match alg.family() {
        KeyFamily::Ed25519 => {
            let public =
                ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(|_| bad())?;
            check_ed25519_public(&public)?;
            Material::Ed25519 {
                secret: None,
                public,
            }
        }
        KeyFamily::P256 => ec!(p256, P256),
        KeyFamily::P384 => ec!(p384, P384),
        KeyFamily::Secp256k1 => ec!(k256, Secp256k1),
        KeyFamily::Rsa | KeyFamily::Hmac => {
            // rsa's own SPKI decoder caps moduli at 4096 bits; read the RSAPublicKey inside and
            // build the key with edge-jwt's bound (MAX_RSA_BITS), as JWK import does.
            if spki.algorithm.parameters_any().ok() != Some(Null.into()) {
                return Err(bad());
            }
            let inner = spki.subject_public_key.as_bytes().ok_or_else(bad)?;
            rsa_public_from_pkcs1(inner, Label::Spki)?
        }
    })
}

fn from_pkcs8(der: &[u8], alg: Alg) -> Result<Material> {
    let info = PrivateKeyInfo::from_der(der).map_err(|_| malformed(Label::Pkcs8))?;
    check_fits(&info.algorithm, alg)?;
    let bad = || invalid(Label::Pkcs8, alg);
    macro_rules! ec {
        ($krate:ident, $variant:ident) => {{
            let secret = $krate::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| bad())?;
            Material::$variant {
                public: *secret.verifying_key(),
                secret: Some(secret),
            }
        }};
    }
    Ok(match alg.family() {
        // Both PKCS#8 v1 (RFC 8410) and v2 (RFC 5958, with the public key, which must match).
        KeyFamily::Ed25519 => {
            let secret = ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|_| bad())?;
            Material::Ed25519 {
                public: secret.verifying_key(),
                secret: Some(secret),
            }
        }
        KeyFamily::P256 => ec!(p256, P256),
        KeyFamily::P384 => ec!(p384, P384),
        KeyFamily::Secp256k1 => ec!(k256, Secp256k1),
        KeyFamily::Rsa | KeyFamily::Hmac => {
            let inner = rsa::pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(|_| bad())?;
            check_rsa_modulus_len(inner.modulus.as_bytes())?;
            let secret = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| bad())?;
            rsa_private(secret)?
        }
    })
}

/// SEC1 `EC PRIVATE KEY`. Its curve is checked by the decoder of `alg`'s curve; when that
/// refuses the key, the other curves are tried only to say which curve the key is on.
fn from_sec1(der: &[u8], alg: Alg) -> Result<Material> {
    let p256 = || p256::SecretKey::from_sec1_der(der).is_ok();
    let p384 = || p384::SecretKey::from_sec1_der(der).is_ok();
    let k256 = || k256::SecretKey::from_sec1_der(der).is_ok();
    macro_rules! ec {
        ($krate:ident, $variant:ident, $others:expr) => {{
            match $krate::SecretKey::from_sec1_der(der) {
                Ok(secret) => {
                    let secret = $krate::ecdsa::SigningKey::from(secret);
                    Material::$variant {
                        public: *secret.verifying_key(),
                        secret: Some(secret),
                    }
                }
                Err(_) => {
                    let others: [(&str, &dyn Fn() -> bool); 2] = $others;
                    return Err(match others.iter().find(|(_, fits)| fits()) {
                        Some((what, _)) => mismatch(what, alg),
                        None => invalid(Label::Sec1, alg),
                    });
                }
            }
        }};
    }
    Ok(match alg.family() {
        KeyFamily::P256 => ec!(
            p256,
            P256,
            [("a P-384 key", &p384), ("a secp256k1 key", &k256)]
        ),
        KeyFamily::P384 => ec!(
            p384,
            P384,
            [("a P-256 key", &p256), ("a secp256k1 key", &k256)]
        ),
        KeyFamily::Secp256k1 => ec!(
            k256,
            Secp256k1,
            [("a P-256 key", &p256), ("a P-384 key", &p384)]
        ),
        KeyFamily::Ed25519 | KeyFamily::Rsa | KeyFamily::Hmac => {
            return Err(mismatch("an EC key", alg))
        }
    })
}

/// PKCS#1 `RSAPublicKey` DER, with edge-jwt's modulus bounds rather than rsa's 4096-bit cap.
fn rsa_public_from_pkcs1(der: &[u8], label: Label) -> Result<Material> {
    let key = rsa::pkcs1::RsaPublicKey::from_der(der).map_err(|_| malformed(label))?;
    let public = rsa_public_from_parts(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
    Ok(Material::Rsa {
        secret: None,
        public,
    })
}

fn rsa_private_from_pkcs1(der: &[u8]) -> Result<Material> {
    let key =
        rsa::pkcs1::RsaPrivateKey::from_der(der).map_err(|_| malformed(Label::Pkcs1Private))?;
    check_rsa_modulus_len(key.modulus.as_bytes())?;
    let secret = rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|_| {
        JwtError::jwk("the PEM's RSA PRIVATE KEY block does not hold a valid RSA key")
    })?;
    rsa_private(secret)
}

fn rsa_private(secret: rsa::RsaPrivateKey) -> Result<Material> {
    let public = secret.to_public_key();
    check_rsa_public(&public)?;
    Ok(Material::Rsa {
        secret: Some(Box::new(secret)),
        public,
    })
}

// --- Writing ---

pub(super) fn to_pem(key: &Key, private: bool) -> Result<String> {
    if private && !key.is_private() {
        return Err(JwtError::invalid_argument(
            "this key has no private part to export",
        ));
    }
    fn failed<E>(_: E) -> JwtError {
        JwtError::jwk("the key could not be encoded as PEM")
    }
    let pem = match (key.material(), private) {
        (Material::Hmac(_), _) => {
            return Err(JwtError::invalid_argument("HMAC secrets have no PEM form"))
        }
        (
            Material::Ed25519 {
                secret: Some(s), ..
            },
            true,
        ) => {
            // RFC 8410 PKCS#8 v1, without the optional public key: ed25519-dalek writes the v2
            // OneAsymmetricKey form, which OpenSSL 3, WebCrypto and jose refuse to import.
            let keypair = ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: s.to_bytes(),
                public_key: None,
            };
            keypair
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(failed)?
                .to_string()
        }
        (
            Material::P256 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::P384 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::Secp256k1 {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (
            Material::Rsa {
                secret: Some(s), ..
            },
            true,
        ) => s.to_pkcs8_pem(LineEnding::LF).map_err(failed)?.to_string(),
        (Material::Ed25519 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::P256 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::P384 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::Secp256k1 { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
        (Material::Rsa { public, .. }, _) => {
            public.to_public_key_pem(LineEnding::LF).map_err(failed)?
        }
    };
    Ok(pem)
}
