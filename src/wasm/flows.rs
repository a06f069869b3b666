//! The raw `WasmAuth` class behind the package's `Auth`. Methods that can take a ledger return
//! promises; the rest are synchronous.

use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::*;
use super::keys::WasmKey;
use super::ledger::JsLedger;
use super::JsResult;
use crate::error::{JwtError, Result};
use crate::flows::*;

const CONFIG: &[&str] = &[
    "issuer",
    "audience",
    "secret",
    "previousSecrets",
    "signingKey",
    "accessTtl",
    "refreshTtl",
    "sessionMaxAge",
    "magicLinkTtl",
    "otpTtl",
    "otpDigits",
    "otpMaxAttempts",
    "refreshReuseGrace",
    "twoFactorTtl",
    "leeway",
];

/// The sign-in flows (raw handle; the package's `Auth` wraps it).
#[wasm_bindgen]
pub struct WasmAuth {
    inner: Rc<Auth>,
}

fn required_string(o: &Opts, name: &str) -> Result<String> {
    opt_string(o, name)
        .map_err(|e| e.with_claim(name))?
        .ok_or_else(|| JwtError::invalid_argument(format!("{name} is required")).with_claim(name))
}

fn small_int(o: &Opts, name: &str) -> Result<Option<u32>> {
    match opt_number(o, name)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=1e6).contains(&n) => Ok(Some(n as u32)),
        Some(_) => Err(
            JwtError::invalid_argument(format!("{name} must be a whole number")).with_claim(name),
        ),
    }
}

fn config_from(value: &JsValue, signing_key: Option<&WasmKey>) -> Result<AuthConfig> {
    let o = options(value, "Auth options", CONFIG)?.ok_or_else(|| {
        JwtError::invalid_argument("Auth needs options: { issuer, audience, secret }")
    })?;
    let secret = get(&o, "secret");
    if secret.is_undefined() || secret.is_null() {
        return Err(
            JwtError::invalid_argument("secret is required (at least 32 random bytes)")
                .with_claim("secret"),
        );
    }
    let mut config = AuthConfig::new(
        required_string(&o, "issuer")?,
        required_string(&o, "audience")?,
        secret_bytes(&secret)
            .map_err(|e| e.with_claim("secret"))?
            .to_vec(),
    );
    let previous = get(&o, "previousSecrets");
    if !previous.is_undefined() && !previous.is_null() {
        if !super::js::is_array(&previous) {
            return Err(
                JwtError::invalid_argument("previousSecrets must be an array")
                    .with_claim("previousSecrets"),
            );
        }
        config.previous_secrets = super::js::array_items(&previous, "previousSecrets")?
            .iter()
            .map(|s| secret_bytes(s).map(|b| b.to_vec()))
            .collect::<Result<_>>()
            .map_err(|e| e.with_claim("previousSecrets"))?;
    }
    config.signing_key = signing_key.map(|k| k.inner().clone());
    let durations: [(&str, &mut f64); 8] = [
        ("accessTtl", &mut config.access_ttl),
        ("refreshTtl", &mut config.refresh_ttl),
        ("sessionMaxAge", &mut config.session_max_age),
        ("magicLinkTtl", &mut config.magic_link_ttl),
        ("otpTtl", &mut config.otp_ttl),
        ("refreshReuseGrace", &mut config.refresh_reuse_grace),
        ("twoFactorTtl", &mut config.two_factor_ttl),
        ("leeway", &mut config.leeway),
    ];
    for (name, slot) in durations {
        if let Some(seconds) = opt_duration(&o, name).map_err(|e| e.with_claim(name))? {
            *slot = seconds;
        }
    }
    if let Some(digits) = small_int(&o, "otpDigits")? {
        config.otp_digits = digits;
    }
    if let Some(attempts) = small_int(&o, "otpMaxAttempts")? {
        config.otp_max_attempts = attempts;
    }
    Ok(config)
}

/// A one-time code as typed: a string of at most 64 characters (a longer one is not a code:
/// `ERR_INVALID_ARGUMENT`, like any other malformed code).
fn code_arg(code: &JsValue) -> Result<String> {
    string_arg(code, "code", Some(64))
        .map_err(|e| JwtError::invalid_argument(e.message().to_owned()).with_claim("code"))
}

/// `scope` as a string or an array of strings, space-joined. In the array form each item is one
/// scope: an item with a space in it (`["a b"]`) would read back as two, so it is refused.
fn scope(o: &Opts) -> Result<Option<String>> {
    let list = string_list(o, "scope")?;
    if get(o, "scope").is_object()
        && list
            .iter()
            .any(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(JwtError::invalid_argument(
            "scope items must be single scopes: not empty, no spaces",
        )
        .with_claim("scope"));
    }
    Ok(if list.is_empty() {
        None
    } else {
        Some(list.join(" "))
    })
}

fn extra(o: &Opts) -> Result<serde_json::Map<String, serde_json::Value>> {
    let value = get(o, "claims");
    if value.is_undefined() || value.is_null() {
        return Ok(Default::default());
    }
    json_object(&value, "claims")
}

fn request_object(value: &JsValue, what: &str, known: &[&str]) -> Result<Opts> {
    options(value, what, known)?
        .ok_or_else(|| JwtError::invalid_argument(format!("{what} is required")))
}

/// Reads `{ ledger? }` and other named options.
fn ledger_of(
    value: &JsValue,
    what: &str,
    known: &[&str],
) -> Result<(Option<Opts>, Option<JsLedger>)> {
    let o = options(value, what, known)?;
    let ledger = match o.as_ref().map(|o| get(o, "ledger")) {
        Some(v) if !v.is_undefined() && !v.is_null() => Some(JsLedger::new(v)?),
        _ => None,
    };
    Ok((o, ledger))
}

impl WasmAuth {
    /// Runs a flow as a promise: `setup` reads the JS arguments (its error rejects at once),
    /// then `flow` gets the shared `Auth`, the arguments and the ledger. A ledger's own failure
    /// rejects with the ledger's error, not a disguised one.
    fn spawn<A, F>(
        &self,
        setup: Result<(A, Option<JsLedger>)>,
        flow: impl FnOnce(Rc<Auth>, A, Option<Rc<JsLedger>>) -> F,
    ) -> Promise
    where
        F: std::future::Future<Output = Result<JsValue>> + 'static,
    {
        let (args, ledger) = match setup {
            Ok(parts) => parts,
            Err(err) => return Promise::reject(&err.into()),
        };
        let ledger = ledger.map(Rc::new);
        let keep = ledger.clone();
        let future = flow(self.inner.clone(), args, ledger);
        future_to_promise(async move {
            future.await.map_err(|err| {
                keep.and_then(|l| l.take_failure())
                    .unwrap_or_else(|| err.into())
            })
        })
    }
}

#[wasm_bindgen]
impl WasmAuth {
    /// Validates the configuration and derives the keys. `signing_key` is consumed: pass a
    /// `copy()`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, signing_key: Option<WasmKey>) -> JsResult<WasmAuth> {
        let config = config_from(&config, signing_key.as_ref())?;
        Ok(WasmAuth {
            inner: Rc::new(Auth::new(config)?),
        })
    }

    /// Issues an access token.
    #[wasm_bindgen(js_name = issueAccessToken)]
    pub fn issue_access_token(&self, request: JsValue) -> JsResult<String> {
        let o = request_object(
            &request,
            "issueAccessToken request",
            &["sub", "role", "scope", "claims", "sid", "amr"],
        )?;
        let request = AccessRequest {
            sub: required_string(&o, "sub")?,
            role: opt_string(&o, "role")?,
            scope: scope(&o)?,
            claims: extra(&o)?,
            sid: opt_string(&o, "sid")?,
            amr: string_list(&o, "amr")?,
        };
        Ok(self.inner.issue_access_token(&request)?)
    }

    /// Verifies an access token (and role/scope when asked); returns its claims.
    #[wasm_bindgen(js_name = verifyAccessToken)]
    pub fn verify_access_token(&self, token: JsValue, check: JsValue) -> JsResult<JsValue> {
        let token = string_arg(&token, "token", Some(crate::DEFAULT_MAX_TOKEN_SIZE))?;
        let o = options(&check, "verifyAccessToken options", &["role", "scope"])?;
        let check = match o {
            None => AccessCheck::default(),
            Some(o) => AccessCheck {
                role: opt_string(&o, "role")?,
                scope: string_list(&o, "scope")?,
            },
        };
        Ok(to_js(&self.inner.verify_access_token(&token, &check)?)?)
    }

    /// Starts a session.
    #[wasm_bindgen(js_name = issueSession)]
    pub fn issue_session(&self, request: JsValue) -> JsResult<JsValue> {
        let o = request_object(
            &request,
            "issueSession request",
            &["sub", "role", "scope", "claims", "amr"],
        )?;
        let request = SessionRequest {
            sub: required_string(&o, "sub")?,
            role: opt_string(&o, "role")?,
            scope: scope(&o)?,
            claims: extra(&o)?,
            amr: string_list(&o, "amr")?,
        };
        Ok(to_js(&self.inner.issue_session(&request)?)?)
    }

    /// Rotates a refresh token. Resolves to a Session.
    #[wasm_bindgen(js_name = refreshSession)]
    pub fn refresh_session(&self, refresh_token: JsValue, options: JsValue) -> Promise {
        let setup = (|| {
            let token = string_arg(
                &refresh_token,
                "refreshToken",
                Some(crate::DEFAULT_MAX_TOKEN_SIZE),
            )?;
            let known = &["accessToken", "ledger"];
            let (o, ledger) = ledger_of(&options, "refreshSession options", known)?;
            let access = o
                .as_ref()
                .map(|o| opt_string(o, "accessToken"))
                .transpose()?
                .flatten();
            Ok(((token, access), ledger))
        })();
        self.spawn(setup, |auth, (token, access), ledger| async move {
            let options = RefreshOptions {
                access_token: access.as_deref(),
            };
            to_js(
                &auth
                    .refresh_session(&token, options, ledger.as_deref())
                    .await?,
            )
        })
    }

    /// Revokes a session.
    #[wasm_bindgen(js_name = revokeSession)]
    pub fn revoke_session(&self, sid: JsValue, ledger: JsValue) -> Promise {
        let setup = (|| {
            Ok((
                string_arg(&sid, "sid", Some(256))?,
                Some(JsLedger::new(ledger)?),
            ))
        })();
        self.spawn(setup, |auth, sid, ledger| async move {
            let ledger =
                ledger.ok_or_else(|| JwtError::invalid_argument("revokeSession needs a ledger"))?;
            auth.revoke_session(&sid, ledger.as_ref())
                .await
                .map(|()| JsValue::UNDEFINED)
        })
    }

    /// Creates a magic link.
    #[wasm_bindgen(js_name = createMagicLink)]
    pub fn create_magic_link(&self, request: JsValue) -> JsResult<JsValue> {
        let o = request_object(
            &request,
            "createMagicLink request",
            &["sub", "email", "url", "ttl"],
        )?;
        let request = MagicLinkRequest {
            sub: required_string(&o, "sub")?,
            email: opt_string(&o, "email")?,
            url: required_string(&o, "url")?,
            ttl: opt_duration(&o, "ttl")?,
        };
        Ok(to_js(&self.inner.create_magic_link(&request)?)?)
    }

    /// Redeems a magic link (token or URL). Resolves to its claims.
    #[wasm_bindgen(js_name = redeemMagicLink)]
    pub fn redeem_magic_link(&self, token_or_url: JsValue, options: JsValue) -> Promise {
        let setup = (|| {
            let max = crate::DEFAULT_MAX_TOKEN_SIZE + 2048;
            let input = string_arg(&token_or_url, "tokenOrUrl", Some(max))?;
            let (o, ledger) = ledger_of(&options, "redeemMagicLink options", &["ledger", "url"])?;
            let callback = match &o {
                Some(o) => opt_string(o, "url")?,
                None => None,
            };
            Ok(((input, callback), ledger))
        })();
        self.spawn(setup, |auth, (input, callback), ledger| async move {
            let claims = match callback {
                Some(callback) => {
                    auth.redeem_magic_link_at(&input, &callback, ledger.as_deref())
                        .await?
                }
                None => auth.redeem_magic_link(&input, ledger.as_deref()).await?,
            };
            to_js(&claims)
        })
    }

    /// Creates a one-time code and its challenge.
    #[wasm_bindgen(js_name = createOtpChallenge)]
    pub fn create_otp_challenge(&self, request: JsValue) -> JsResult<JsValue> {
        let o = request_object(
            &request,
            "createOtpChallenge request",
            &["sub", "channel", "digits", "ttl"],
        )?;
        let request = OtpRequest {
            sub: required_string(&o, "sub")?,
            channel: required_string(&o, "channel")?.parse()?,
            digits: small_int(&o, "digits")?,
            ttl: opt_duration(&o, "ttl")?,
        };
        Ok(to_js(&self.inner.create_otp_challenge(&request)?)?)
    }

    /// Checks a one-time code. Resolves to the challenge's claims.
    #[wasm_bindgen(js_name = verifyOtp)]
    pub fn verify_otp(&self, challenge: JsValue, code: JsValue, options: JsValue) -> Promise {
        let setup = (|| {
            let challenge =
                string_arg(&challenge, "challenge", Some(crate::DEFAULT_MAX_TOKEN_SIZE))?;
            let code = code_arg(&code)?;
            let (_, ledger) = ledger_of(&options, "verifyOtp options", &["ledger"])?;
            Ok(((challenge, code), ledger))
        })();
        self.spawn(setup, |auth, (challenge, code), ledger| async move {
            to_js(
                &auth
                    .verify_otp(&challenge, &code, ledger.as_deref())
                    .await?,
            )
        })
    }

    /// Begins a two-factor sign-in.
    #[wasm_bindgen(js_name = beginTwoFactor)]
    pub fn begin_two_factor(&self, request: JsValue) -> JsResult<JsValue> {
        let o = request_object(
            &request,
            "beginTwoFactor request",
            &["sub", "methods", "amr", "role", "scope", "claims"],
        )?;
        let request = TwoFactorRequest {
            sub: required_string(&o, "sub")?,
            methods: string_list(&o, "methods")?,
            amr: string_list(&o, "amr")?,
            role: opt_string(&o, "role")?,
            scope: scope(&o)?,
            claims: extra(&o)?,
        };
        Ok(to_js(&self.inner.begin_two_factor(&request)?)?)
    }

    /// Completes a two-factor sign-in. Resolves to a Session.
    #[wasm_bindgen(js_name = completeTwoFactor)]
    pub fn complete_two_factor(
        &self,
        pending: JsValue,
        challenge: JsValue,
        code: JsValue,
        options: JsValue,
    ) -> Promise {
        let setup = (|| {
            let pending = string_arg(
                &pending,
                "pendingToken",
                Some(crate::DEFAULT_MAX_TOKEN_SIZE),
            )?;
            let factor = second_factor(&challenge)?;
            let code = code_arg(&code)?;
            let (_, ledger) = ledger_of(&options, "completeTwoFactor options", &["ledger"])?;
            Ok(((pending, factor, code), ledger))
        })();
        self.spawn(setup, |auth, (pending, factor, code), ledger| async move {
            to_js(
                &auth
                    .complete_two_factor(&pending, &factor, &code, ledger.as_deref())
                    .await?,
            )
        })
    }

    /// The public JWKS of asymmetric access tokens.
    pub fn jwks(&self) -> JsResult<JsValue> {
        Ok(to_js(&self.inner.jwks()?)?)
    }
}

/// An OTP challenge token, or `{ totp: secret, digits?, step?, window?, hash? }`.
fn second_factor(value: &JsValue) -> Result<SecondFactor> {
    if let Some(challenge) = value.as_string() {
        return Ok(SecondFactor::Otp { challenge });
    }
    let o = options(
        value,
        "second factor",
        &["totp", "digits", "step", "window", "hash"],
    )?
    .ok_or_else(|| {
        JwtError::invalid_argument("challenge must be an OTP challenge token or { totp: secret }")
    })?;
    let secret = get(&o, "totp");
    let secret = if let Some(base32) = secret.as_string() {
        decode_base32(&base32)?
    } else if let Some(bytes) = secret.dyn_ref::<Uint8Array>() {
        bytes.to_vec()
    } else {
        return Err(JwtError::invalid_argument(
            "totp must be the user's secret: base32 text or a Uint8Array",
        ));
    };
    let mut params = TotpParams::default();
    if let Some(digits) = small_int(&o, "digits")? {
        params.digits = digits;
    }
    if let Some(step) = small_int(&o, "step")? {
        params.step = u64::from(step);
    }
    if let Some(window) = small_int(&o, "window")? {
        params.window = u64::from(window);
    }
    params.hash = match opt_string(&o, "hash")?.as_deref() {
        None | Some("SHA-1") | Some("SHA1") => TotpHash::Sha1,
        Some("SHA-256") | Some("SHA256") => TotpHash::Sha256,
        Some("SHA-512") | Some("SHA512") => TotpHash::Sha512,
        Some(_) => {
            return Err(JwtError::invalid_argument(
                "hash must be SHA-1, SHA-256 or SHA-512",
            ))
        }
    };
    Ok(SecondFactor::Totp { secret, params })
}

/// A TOTP code (for enrolment screens and tests).
#[wasm_bindgen(js_name = totpCode)]
pub fn totp_code_js(secret: JsValue, options: JsValue) -> JsResult<String> {
    let o = options_for_totp(&options)?;
    let secret = totp_secret(&secret)?;
    // Milliseconds are refused here as everywhere else (they would give a code from the future).
    let now = crate::time::resolve_now(opt_now(o.as_ref())?)?;
    let mut params = TotpParams::default();
    if let Some(o) = &o {
        if let Some(digits) = small_int(o, "digits")? {
            params.digits = digits;
        }
        if let Some(step) = small_int(o, "step")? {
            params.step = u64::from(step);
        }
    }
    Ok(totp_code(&secret, now, &params)?)
}

fn options_for_totp(value: &JsValue) -> Result<Option<Opts>> {
    options(value, "totpCode options", &["now", "digits", "step"])
}

fn totp_secret(value: &JsValue) -> Result<Vec<u8>> {
    if let Some(base32) = value.as_string() {
        return decode_base32(&base32);
    }
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| {
            JwtError::invalid_argument("the TOTP secret must be base32 text or a Uint8Array")
        })
}
