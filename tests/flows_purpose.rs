//! Purpose separation: every kind of flow token (access, refresh, magic link, OTP challenge,
//! two-factor pending) is refused by every other kind's verifier with ERR_TOKEN_PURPOSE; a
//! token whose `typ` was rewritten keeps a signature that no longer fits; a token signed with
//! the key derived for another purpose does not verify; tampered payloads fail.

mod flows_support;

use edge_jwt::{
    AccessRequest, Auth, ErrorCode, MagicLinkRequest, OtpChannel, OtpRequest, Purpose,
    RefreshOptions, SecondFactor, SessionRequest, TwoFactorRequest,
};
use flows_support::*;
use serde_json::Value;

/// One token of each kind, and the OTP code that goes with the challenge.
struct Tokens {
    access: String,
    refresh: String,
    magic: String,
    otp: String,
    code: String,
    pending: String,
}

impl Tokens {
    fn new(auth: &Auth) -> Tokens {
        let session = auth.issue_session(&SessionRequest::new("ada")).unwrap();
        let otp = auth
            .create_otp_challenge(&OtpRequest::new("ada", OtpChannel::Sms))
            .unwrap();
        Tokens {
            access: session.access_token,
            refresh: session.refresh_token,
            magic: auth
                .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
                .unwrap()
                .token,
            otp: otp.challenge,
            code: otp.code,
            pending: auth
                .begin_two_factor(&TwoFactorRequest::new("ada", ["sms"]))
                .unwrap()
                .pending_token,
        }
    }

    fn of(&self, purpose: Purpose) -> &str {
        match purpose {
            Purpose::Access => &self.access,
            Purpose::Refresh => &self.refresh,
            Purpose::MagicLink => &self.magic,
            Purpose::Otp => &self.otp,
            Purpose::TwoFactor => &self.pending,
        }
    }
}

fn pairs() -> impl Iterator<Item = (Purpose, Purpose)> {
    Purpose::ALL.into_iter().flat_map(|made| {
        Purpose::ALL
            .into_iter()
            .filter(move |shown| *shown != made)
            .map(move |shown| (made, shown))
    })
}

#[test]
fn every_kind_verifies_as_itself() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for purpose in Purpose::ALL {
        present(&auth, purpose, tokens.of(purpose), &tokens.code)
            .unwrap_or_else(|e| panic!("{purpose:?}: {e}"));
        assert_eq!(header_of(tokens.of(purpose))["typ"], purpose.typ());
    }
}

#[test]
fn every_ordered_pair_of_kinds_is_err_token_purpose() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    let mut checked = 0;
    for (made, shown) in pairs() {
        let error = err(present(&auth, shown, tokens.of(made), &tokens.code));
        assert_eq!(
            error.code(),
            ErrorCode::TokenPurpose,
            "{made:?} shown as {shown:?}: {error}"
        );
        assert_eq!(error.claim(), Some("typ"));
        checked += 1;
    }
    assert_eq!(checked, 20);
}

#[test]
fn a_magic_link_url_carrying_another_kind_is_err_token_purpose() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for made in Purpose::ALL
        .into_iter()
        .filter(|p| *p != Purpose::MagicLink)
    {
        let url = format!("https://app.example/cb?token={}", tokens.of(made));
        let error = err(run(auth.redeem_magic_link(&url, NO_LEDGER)));
        assert_eq!(error.code(), ErrorCode::TokenPurpose, "{made:?}");
    }
}

#[test]
fn the_access_token_beside_a_refresh_must_be_an_access_token() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for made in Purpose::ALL.into_iter().filter(|p| *p != Purpose::Access) {
        let options = RefreshOptions {
            access_token: Some(tokens.of(made)),
        };
        let error = err(run(auth.refresh_session(
            &tokens.refresh,
            options,
            NO_LEDGER,
        )));
        assert_eq!(error.code(), ErrorCode::TokenPurpose, "{made:?}");
    }
}

#[test]
fn the_two_factor_challenge_must_be_an_otp_challenge() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for made in Purpose::ALL.into_iter().filter(|p| *p != Purpose::Otp) {
        let factor = SecondFactor::Otp {
            challenge: tokens.of(made).to_owned(),
        };
        let error = err(run(auth.complete_two_factor(
            &tokens.pending,
            &factor,
            &tokens.code,
            NO_LEDGER,
        )));
        assert_eq!(error.code(), ErrorCode::TokenPurpose, "{made:?}");
    }
}

#[test]
fn a_rewritten_typ_cannot_cross_the_signature_stays_the_old_purposes() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    // The case the issue names: a real refresh token relabelled as an access token.
    let forged = reheader(&tokens.refresh, |h| {
        h.insert("typ".into(), "at+jwt".into());
    });
    assert_err(
        auth.verify_access_token(&forged, &Default::default()),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
    for (made, shown) in pairs() {
        let forged = reheader(tokens.of(made), |h| {
            h.insert("typ".into(), shown.typ().into());
        });
        let error = err(present(&auth, shown, &forged, &tokens.code));
        assert_eq!(
            error.code(),
            ErrorCode::JwsSignatureVerificationFailed,
            "{made:?} relabelled {shown:?}: {error}"
        );
    }
}

#[test]
fn the_test_derives_the_same_purpose_keys_as_the_flows() {
    // Re-signing each real token with the key derived here reproduces it byte for byte, so the
    // cross-purpose forgeries below use the flows' real keys.
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for purpose in Purpose::ALL {
        let token = tokens.of(purpose);
        let again = hs256(
            &derive(&SECRET, label(purpose)),
            &header_of(token),
            &claims_of(token),
        );
        assert_eq!(again, token, "{purpose:?}");
        assert_eq!(header_of(token)["kid"], kid_of(&SECRET).as_str());
    }
}

#[test]
fn a_token_signed_with_another_purposes_key_does_not_verify() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for (signer, shown) in pairs() {
        // Exactly the shape of a real token of `shown`, signed with `signer`'s key.
        let token = tokens.of(shown);
        let forged = hs256(
            &derive(&SECRET, label(signer)),
            &header_of(token),
            &claims_of(token),
        );
        let error = err(present(&auth, shown, &forged, &tokens.code));
        assert_eq!(
            error.code(),
            ErrorCode::JwsSignatureVerificationFailed,
            "{shown:?} signed with the {signer:?} key: {error}"
        );
    }
}

#[test]
fn the_raw_secret_and_the_otp_mac_key_sign_nothing() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for purpose in Purpose::ALL {
        let token = tokens.of(purpose);
        for key in [SECRET.to_vec(), derive(&SECRET, "otp-mac").to_vec()] {
            let forged = hs256(&key, &header_of(token), &claims_of(token));
            let error = err(present(&auth, purpose, &forged, &tokens.code));
            assert_eq!(error.code(), ErrorCode::JwsSignatureVerificationFailed);
        }
    }
}

#[test]
fn a_tampered_payload_fails_for_every_kind() {
    let (auth, _) = auth();
    let tokens = Tokens::new(&auth);
    for purpose in Purpose::ALL {
        let tampered = retamper(tokens.of(purpose), |c| {
            c.insert("sub".into(), "mallory".into());
        });
        let error = err(present(&auth, purpose, &tampered, &tokens.code));
        assert_eq!(
            error.code(),
            ErrorCode::JwsSignatureVerificationFailed,
            "{purpose:?}"
        );
        let longer = retamper(tokens.of(purpose), |c| {
            c.insert("exp".into(), Value::from(4_000_000_000u64));
        });
        let error = err(present(&auth, purpose, &longer, &tokens.code));
        assert_eq!(error.code(), ErrorCode::JwsSignatureVerificationFailed);
    }
}

#[test]
fn a_token_of_another_issuer_with_the_same_secret_is_refused() {
    // Same secret, another issuer: the purpose keys are the same but `iss`/`aud` are checked.
    let clock = Clock::new();
    let mut other = config();
    other.issuer = "https://other.example".into();
    let other = auth_on(other, &clock);
    let auth = auth_on(config(), &clock);
    let tokens = Tokens::new(&auth);
    let theirs = Tokens::new(&other);
    for purpose in Purpose::ALL {
        let error = err(present(&auth, purpose, theirs.of(purpose), &tokens.code));
        assert_eq!(
            error.code(),
            ErrorCode::JwtClaimValidationFailed,
            "{purpose:?}"
        );
        assert_eq!(error.claim(), Some("iss"));
    }
    let token = auth.issue_access_token(&AccessRequest::new("ada")).unwrap();
    let mut elsewhere = config();
    elsewhere.audience = "other-api".into();
    let elsewhere = auth_on(elsewhere, &clock);
    assert_err(
        elsewhere.verify_access_token(&token, &Default::default()),
        ErrorCode::JwtClaimValidationFailed,
        Some("aud"),
    );
}
