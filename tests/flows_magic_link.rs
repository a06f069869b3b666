//! Magic links: the token in the callback URL's query, bound to that URL (its other query
//! parameters and fragment kept), short-lived, single-use with a ledger.

mod flows_support;

use edge_jwt::{ErrorCode, MagicLinkRequest, MemoryLedger, MAGIC_LINK_PARAM};
use flows_support::*;

#[test]
fn a_link_redeems_by_url_or_by_token_and_carries_sub_and_email() {
    let (auth, clock) = auth();
    let link = auth
        .create_magic_link(&MagicLinkRequest {
            email: Some("ada@example.com".into()),
            ..MagicLinkRequest::new("ada", "https://app.example/auth/callback")
        })
        .unwrap();
    assert_eq!(
        link.url,
        format!(
            "https://app.example/auth/callback?{MAGIC_LINK_PARAM}={}",
            link.token
        )
    );
    assert_eq!(link.expires_at, clock.now() + 900.0);
    assert_eq!(header_of(&link.token)["typ"], "magic-link+jwt");
    let claims = claims_of(&link.token);
    assert_eq!(claims["jti"], link.jti.as_str());
    assert_eq!(claims["url"], "https://app.example/auth/callback");
    for input in [link.url.as_str(), link.token.as_str()] {
        let claims = run(auth.redeem_magic_link(input, NO_LEDGER)).unwrap();
        assert_eq!(claims["sub"], "ada");
        assert_eq!(claims["email"], "ada@example.com");
    }
    // Surrounding whitespace (a pasted token) is tolerated.
    run(auth.redeem_magic_link(&format!(" {}\n", link.token), NO_LEDGER)).unwrap();
}

#[test]
fn the_link_keeps_the_urls_query_and_fragment() {
    let (auth, _) = auth();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new(
            "ada",
            "https://app.example/cb?next=%2Fhome&lang=en#section-2",
        ))
        .unwrap();
    assert_eq!(
        link.url,
        format!(
            "https://app.example/cb?next=%2Fhome&lang=en&token={}#section-2",
            link.token
        )
    );
    assert_eq!(
        claims_of(&link.token)["url"],
        "https://app.example/cb?next=%2Fhome&lang=en"
    );
    run(auth.redeem_magic_link(&link.url, NO_LEDGER)).unwrap();
    // The same URL with the token moved among the other parameters still names the same address.
    let moved = format!(
        "https://app.example/cb?next=%2Fhome&token={}&lang=en",
        link.token
    );
    run(auth.redeem_magic_link(&moved, NO_LEDGER)).unwrap();
}

#[test]
fn the_link_is_bound_to_its_address() {
    let (auth, _) = auth();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new(
            "ada",
            "https://app.example/cb?next=%2Fhome",
        ))
        .unwrap();
    let token = &link.token;
    for other in [
        format!("https://evil.example/cb?next=%2Fhome&token={token}"),
        format!("http://app.example/cb?next=%2Fhome&token={token}"),
        format!("https://app.example/other?next=%2Fhome&token={token}"),
        format!("https://app.example/cb?next=%2Fadmin&token={token}"),
        format!("https://app.example/cb?token={token}"),
        format!("https://app.example/cb?next=%2Fhome&extra=1&token={token}"),
    ] {
        assert_err(
            run(auth.redeem_magic_link(&other, NO_LEDGER)),
            ErrorCode::JwtClaimValidationFailed,
            Some("url"),
        );
    }
    assert_err(
        run(auth.redeem_magic_link("https://app.example/cb?next=%2Fhome", NO_LEDGER)),
        ErrorCode::InvalidArgument,
        None,
    );
}

#[test]
fn with_a_ledger_a_link_is_single_use() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    run(auth.redeem_magic_link(&link.url, Some(&ledger))).unwrap();
    assert_err(
        run(auth.redeem_magic_link(&link.url, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    assert_err(
        run(auth.redeem_magic_link(&link.token, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    // Another link is unaffected.
    let other = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    run(auth.redeem_magic_link(&other.token, Some(&ledger))).unwrap();
    // Without a ledger the flow is stateless: replay is possible until expiry.
    run(auth.redeem_magic_link(&link.url, NO_LEDGER)).unwrap();
}

#[test]
fn the_ledger_keeps_a_used_link_until_it_expires_plus_leeway_and_margin() {
    let (auth, clock) = auth();
    let ledger = RecordingLedger::new();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    run(auth.redeem_magic_link(&link.url, Some(&ledger))).unwrap();
    let consumed = ledger.consumed.lock().unwrap().clone();
    assert_eq!(consumed.len(), 1);
    assert!(consumed[0].0.contains(&link.jti));
    // exp (900 s) + leeway (0 here) + 60 s for a ledger whose clock runs ahead.
    assert_eq!(consumed[0].1, clock.now() + 900.0 + 60.0);
}

#[test]
fn a_link_expires() {
    let (auth, clock) = auth();
    let link = auth
        .create_magic_link(&MagicLinkRequest {
            ttl: Some(60.0),
            ..MagicLinkRequest::new("ada", "https://app.example/cb")
        })
        .unwrap();
    clock.advance(59.0);
    run(auth.redeem_magic_link(&link.url, NO_LEDGER)).unwrap();
    clock.advance(1.0);
    assert_err(
        run(auth.redeem_magic_link(&link.url, NO_LEDGER)),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
    // The default lifetime: magicLinkTtl.
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    clock.advance(900.0);
    assert_err(
        run(auth.redeem_magic_link(&link.token, NO_LEDGER)),
        ErrorCode::JwtExpired,
        Some("exp"),
    );
}

#[test]
fn a_tampered_link_fails() {
    let (auth, _) = auth();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new("ada", "https://app.example/cb"))
        .unwrap();
    let tampered = retamper(&link.token, |c| {
        c.insert("sub".into(), "root".into());
    });
    assert_err(
        run(auth.redeem_magic_link(
            &format!("https://app.example/cb?token={tampered}"),
            NO_LEDGER,
        )),
        ErrorCode::JwsSignatureVerificationFailed,
        None,
    );
}

#[test]
fn bad_requests_are_refused_with_the_field_named() {
    let (auth, _) = auth();
    for url in [
        "",
        "app.example/cb",
        "javascript:alert(1)",
        "ftp://app.example/cb",
        "https://",
        "https:///path",
        "https://app.example/c b",
    ] {
        assert_err(
            auth.create_magic_link(&MagicLinkRequest::new("ada", url)),
            ErrorCode::InvalidArgument,
            Some("url"),
        );
    }
    assert_err(
        auth.create_magic_link(&MagicLinkRequest::new(
            "ada",
            format!("https://app.example/{}", "a".repeat(2048)),
        )),
        ErrorCode::InvalidArgument,
        Some("url"),
    );
    assert_err(
        auth.create_magic_link(&MagicLinkRequest::new(
            "ada",
            "https://app.example/cb?token=x",
        )),
        ErrorCode::InvalidArgument,
        None,
    );
    for ttl in [0.0, -5.0, f64::NAN, 86_401.0] {
        assert_err(
            auth.create_magic_link(&MagicLinkRequest {
                ttl: Some(ttl),
                ..MagicLinkRequest::new("ada", "https://app.example/cb")
            }),
            ErrorCode::InvalidArgument,
            Some("ttl"),
        );
    }
    assert_err(
        auth.create_magic_link(&MagicLinkRequest::new("", "https://app.example/cb")),
        ErrorCode::InvalidArgument,
        Some("sub"),
    );
}

#[test]
fn redeemed_at_a_callback_the_link_must_be_for_its_origin_and_path() {
    let (auth, _) = auth();
    let ledger = MemoryLedger::new();
    let link = auth
        .create_magic_link(&MagicLinkRequest::new(
            "ada",
            "https://a.example/auth/magic?la=1",
        ))
        .unwrap();
    // The bare token, or a URL of another site: refused before the ledger is asked...
    for (input, callback) in [
        (&link.token, "https://b.example/auth/magic"),
        (&link.token, "https://a.example/other"),
        (&link.token, "http://a.example/auth/magic"),
        (&link.url, "https://b.example/auth/magic"),
    ] {
        let error = err(run(auth.redeem_magic_link_at(
            input,
            callback,
            Some(&ledger),
        )));
        assert_eq!(
            error.code(),
            ErrorCode::JwtClaimValidationFailed,
            "{callback}"
        );
        assert_eq!(error.claim(), Some("url"));
    }
    // ...so the link still works where it belongs, once (the query may differ from the callback).
    let claims =
        run(auth.redeem_magic_link_at(&link.token, "https://a.example/auth/magic", Some(&ledger)))
            .unwrap();
    assert_eq!(claims["sub"], "ada");
    assert_err(
        run(auth.redeem_magic_link_at(&link.url, "https://a.example/auth/magic", Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
}
