//! JWK (RFC 7517, 7518 §6, 8037) import and export, and the RFC 7638 thumbprint.

use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::BigUint;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::fitness::{
    check_ed25519_public, check_hmac_secret, check_rsa_public, rsa_public_from_parts,
};
use super::{Key, Material};
use crate::alg::{Alg, KeyFamily};
use crate::error::{ErrorCode, JwtError, Result};
use crate::token::base64url;

pub(super) fn from_jwk(jwk: &Value, alg_hint: Option<Alg>) -> Result<Key> {
    let jwk = jwk
        .as_object()
        .ok_or_else(|| JwtError::jwk("a JWK must be a JSON object"))?;
    let kty = member_str(jwk, "kty")?.ok_or_else(|| JwtError::jwk("the JWK has no \"kty\""))?;
    let alg = bound_alg(jwk, kty, alg_hint)?;
    let material = match kty {
        "oct" => {
            let k = Zeroizing::new(member_bytes(jwk, "k")?.ok_or_else(|| missing("k"))?);
            check_hmac_secret(&k, alg)?;
            Material::Hmac(k)
        }
        "OKP" => okp_material(jwk)?,
        "EC" => ec_material(jwk, alg.family())?,
        "RSA" => rsa_material(jwk)?,
        _ => return Err(unsupported("key type")),
    };
    let kid = member_str(jwk, "kid")?.map(str::to_owned);
    let mut key = Key::from_material(alg, material, kid)?;
    let (can_sign, can_verify) = permitted_ops(jwk)?;
    key.set_ops(can_sign, can_verify);
    Ok(key)
}

/// The algorithm a JWK is bound to: its own `alg`, the caller's, or the only one its curve has.
fn bound_alg(jwk: &Map<String, Value>, kty: &str, hint: Option<Alg>) -> Result<Alg> {
    let own = match member_str(jwk, "alg")? {
        Some(name) => Some(name.parse::<Alg>().map_err(|_| {
            JwtError::new(
                ErrorCode::JoseNotSupported,
                "the JWK's \"alg\" is not supported",
            )
        })?),
        None => None,
    };
    let alg = match (own, hint) {
        (Some(own), Some(hint)) if own != hint => {
            return Err(JwtError::jwk(format!(
                "the JWK is bound to {own}, not {hint}"
            )))
        }
        (Some(alg), _) | (None, Some(alg)) => alg,
        (None, None) => match (kty, member_str(jwk, "crv")?) {
            ("OKP", Some("Ed25519")) => Alg::EdDSA,
            ("EC", Some("P-256")) => Alg::ES256,
            ("EC", Some("P-384")) => Alg::ES384,
            ("EC", Some("secp256k1")) => Alg::ES256K,
            ("oct" | "RSA", _) => {
                return Err(JwtError::jwk(format!(
                    "a {kty} JWK without \"alg\" could serve several algorithms: give one"
                ))
                .with_reason("alg_required"))
            }
            _ => return Err(unsupported("curve")),
        },
    };
    let fits = match (kty, alg.family()) {
        ("oct", KeyFamily::Hmac) | ("OKP", KeyFamily::Ed25519) | ("RSA", KeyFamily::Rsa) => true,
        ("EC", family) => {
            let crv = member_str(jwk, "crv")?;
            matches!(
                (crv, family),
                (Some("P-256"), KeyFamily::P256)
                    | (Some("P-384"), KeyFamily::P384)
                    | (Some("secp256k1"), KeyFamily::Secp256k1)
            )
        }
        ("oct" | "OKP" | "RSA", _) => false,
        _ => return Err(unsupported("key type")),
    };
    if !fits {
        return Err(JwtError::jwk(format!("this JWK cannot be used with {alg}")));
    }
    Ok(alg)
}

/// What `use` and `key_ops` allow: (sign, verify). Keys for encryption are refused.
fn permitted_ops(jwk: &Map<String, Value>) -> Result<(bool, bool)> {
    if let Some(key_use) = member_str(jwk, "use")? {
        if key_use != "sig" {
            return Err(JwtError::jwk("the JWK's \"use\" is not \"sig\"").with_reason("use"));
        }
    }
    let Some(ops) = jwk.get("key_ops") else {
        return Ok((true, true));
    };
    let ops = ops
        .as_array()
        .ok_or_else(|| JwtError::jwk("\"key_ops\" must be an array of strings"))?;
    let mut sign = false;
    let mut verify = false;
    for op in ops {
        match op.as_str() {
            Some("sign") => sign = true,
            Some("verify") => verify = true,
            Some(_) => {}
            None => return Err(JwtError::jwk("\"key_ops\" must be an array of strings")),
        }
    }
    if !sign && !verify {
        return Err(
            JwtError::jwk("the JWK's \"key_ops\" allow neither sign nor verify")
                .with_reason("key_ops"),
        );
    }
    Ok((sign, verify))
}

fn okp_material(jwk: &Map<String, Value>) -> Result<Material> {
    if member_str(jwk, "crv")? != Some("Ed25519") {
        return Err(unsupported("OKP curve"));
    }
    let x = fixed::<32>(jwk, "x")?.ok_or_else(|| missing("x"))?;
    let public = ed25519_dalek::VerifyingKey::from_bytes(&x)
        .map_err(|_| JwtError::jwk("\"x\" is not an Ed25519 public key"))?;
    check_ed25519_public(&public)?;
    let secret = match fixed::<32>(jwk, "d")? {
        Some(d) => {
            let secret = ed25519_dalek::SigningKey::from_bytes(&d);
            if secret.verifying_key() != public {
                return Err(mismatch());
            }
            Some(secret)
        }
        None => None,
    };
    Ok(Material::Ed25519 { secret, public })
}

fn ec_material(jwk: &Map<String, Value>, family: KeyFamily) -> Result<Material> {
    macro_rules! curve {
        ($krate:ident, $size:literal, $variant:ident) => {{
            let x = fixed::<$size>(jwk, "x")?.ok_or_else(|| missing("x"))?;
            let y = fixed::<$size>(jwk, "y")?.ok_or_else(|| missing("y"))?;
            let point = $krate::EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
            let public = $krate::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|_| JwtError::jwk("the point is not on the curve"))?;
            let secret = match fixed::<$size>(jwk, "d")? {
                Some(d) => {
                    let d = Zeroizing::new(d);
                    let secret = $krate::ecdsa::SigningKey::from_slice(&d[..])
                        .map_err(|_| JwtError::jwk("\"d\" is not a valid private scalar"))?;
                    if *secret.verifying_key() != public {
                        return Err(mismatch());
                    }
                    Some(secret)
                }
                None => None,
            };
            Material::$variant { secret, public }
        }};
    }
    Ok(match family {
        KeyFamily::P256 => curve!(p256, 32, P256),
        KeyFamily::P384 => curve!(p384, 48, P384),
        KeyFamily::Secp256k1 => curve!(k256, 32, Secp256k1),
        _ => return Err(unsupported("EC curve")),
    })
}

fn rsa_material(jwk: &Map<String, Value>) -> Result<Material> {
    let n = member_bytes(jwk, "n")?.ok_or_else(|| missing("n"))?;
    let e = member_bytes(jwk, "e")?.ok_or_else(|| missing("e"))?;
    let public = rsa_public_from_parts(&n, &e)?;
    let Some(d) = member_bytes(jwk, "d")?.map(Zeroizing::new) else {
        return Ok(Material::Rsa {
            secret: None,
            public,
        });
    };
    let primes = match (member_bytes(jwk, "p")?, member_bytes(jwk, "q")?) {
        (Some(p), Some(q)) => vec![BigUint::from_bytes_be(&p), BigUint::from_bytes_be(&q)],
        (None, None) => Vec::new(),
        _ => {
            return Err(JwtError::jwk(
                "an RSA private JWK needs both \"p\" and \"q\"",
            ))
        }
    };
    let secret = rsa::RsaPrivateKey::from_components(
        public.n().clone(),
        public.e().clone(),
        BigUint::from_bytes_be(&d),
        primes,
    )
    .map_err(|_| JwtError::jwk("the RSA private key is inconsistent"))?;
    check_rsa_public(&secret.to_public_key())?;
    Ok(Material::Rsa {
        secret: Some(Box::new(secret)),
        public,
    })
}

pub(super) fn to_jwk(key: &Key, private: bool) -> Result<Map<String, Value>> {
    let mut jwk = public_members(key.material());
    if matches!(key.material(), Material::Hmac(_)) && !private {
        return Err(JwtError::invalid_argument(
            "an HMAC key has no public form: pass private to export the secret",
        ));
    }
    if private {
        if !key.is_private() {
            return Err(JwtError::invalid_argument(
                "this key has no private part to export",
            ));
        }
        private_members(key.material(), &mut jwk);
    }
    jwk.insert("kid".into(), key.kid().into());
    jwk.insert("alg".into(), key.alg().as_str().into());
    jwk.insert("use".into(), "sig".into());
    Ok(jwk)
}

/// The required public members of RFC 7638 §3.2, in lexicographic order.
fn public_members(material: &Material) -> Map<String, Value> {
    let mut jwk = Map::new();
    let mut put = |name: &str, value: String| {
        jwk.insert(name.to_owned(), Value::String(value));
    };
    macro_rules! ec {
        ($public:expr, $crv:literal) => {{
            let point = $public.to_encoded_point(false);
            put("crv", $crv.into());
            put("kty", "EC".into());
            put("x", b64(point.x().map(|x| &x[..]).unwrap_or_default()));
            put("y", b64(point.y().map(|y| &y[..]).unwrap_or_default()));
        }};
    }
    match material {
        Material::Hmac(k) => {
            put("k", b64(k));
            put("kty", "oct".into());
        }
        Material::Ed25519 { public, .. } => {
            put("crv", "Ed25519".into());
            put("kty", "OKP".into());
            put("x", b64(public.as_bytes()));
        }
        Material::P256 { public, .. } => ec!(public, "P-256"),
        Material::P384 { public, .. } => ec!(public, "P-384"),
        Material::Secp256k1 { public, .. } => ec!(public, "secp256k1"),
        Material::Rsa { public, .. } => {
            put("e", b64(&public.e().to_bytes_be()));
            put("kty", "RSA".into());
            put("n", b64(&public.n().to_bytes_be()));
        }
    }
    jwk
}

fn private_members(material: &Material, jwk: &mut Map<String, Value>) {
    let mut put = |name: &str, bytes: &[u8]| {
        jwk.insert(name.to_owned(), Value::String(b64(bytes)));
    };
    match material {
        Material::Hmac(_) => {}
        Material::Ed25519 {
            secret: Some(s), ..
        } => put("d", s.as_bytes()),
        Material::P256 {
            secret: Some(s), ..
        } => put("d", &s.to_bytes()),
        Material::P384 {
            secret: Some(s), ..
        } => put("d", &s.to_bytes()),
        Material::Secp256k1 {
            secret: Some(s), ..
        } => put("d", &s.to_bytes()),
        Material::Rsa {
            secret: Some(s), ..
        } => {
            put("d", &Zeroizing::new(s.d().to_bytes_be()));
            let primes = s.primes();
            if primes.len() == 2 {
                put("p", &Zeroizing::new(primes[0].to_bytes_be()));
                put("q", &Zeroizing::new(primes[1].to_bytes_be()));
                if let (Some(dp), Some(dq), Some(qi)) = (s.dp(), s.dq(), s.crt_coefficient()) {
                    put("dp", &Zeroizing::new(dp.to_bytes_be()));
                    put("dq", &Zeroizing::new(dq.to_bytes_be()));
                    put("qi", &Zeroizing::new(qi.to_bytes_be()));
                }
            }
        }
        _ => {}
    }
}

pub(super) fn thumbprint(material: &Material) -> String {
    let members = public_members(material);
    // serde_json writes a Map without whitespace and, for these ASCII members, exactly as
    // RFC 7638 §3 prescribes; `public_members` inserts them in lexicographic order.
    let canonical = serde_json::to_string(&members).unwrap_or_default();
    b64(&Sha256::digest(canonical.as_bytes()))
}

fn b64(bytes: &[u8]) -> String {
    base64url::encode(bytes)
}

fn member_str<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwtError::jwk(format!(
            "the JWK's \"{name}\" must be a string"
        ))),
    }
}

fn member_bytes(jwk: &Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>> {
    match member_str(jwk, name)? {
        None => Ok(None),
        Some(text) => base64url::decode(text)
            .map(Some)
            .ok_or_else(|| JwtError::jwk(format!("the JWK's \"{name}\" is not base64url"))),
    }
}

fn fixed<const N: usize>(jwk: &Map<String, Value>, name: &str) -> Result<Option<[u8; N]>> {
    match member_bytes(jwk, name)? {
        None => Ok(None),
        Some(bytes) => {
            let bytes = Zeroizing::new(bytes);
            <[u8; N]>::try_from(&bytes[..])
                .map(Some)
                .map_err(|_| JwtError::jwk(format!("the JWK's \"{name}\" must be {N} bytes long")))
        }
    }
}

fn missing(name: &str) -> JwtError {
    JwtError::jwk(format!("the JWK has no \"{name}\""))
}

fn mismatch() -> JwtError {
    JwtError::jwk("the private key does not match the public key in the JWK")
}

fn unsupported(what: &str) -> JwtError {
    JwtError::new(
        ErrorCode::JoseNotSupported,
        format!("unsupported JWK {what}"),
    )
}
