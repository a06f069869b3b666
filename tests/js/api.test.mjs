// The JavaScript layer of the packed package: Key and KeySet wrappers, JwtError, dispatch, and
// recovery after a trap. (The token rules themselves are tested in Rust, tests/*.rs.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { forceTrap, importPackage } from "../package/helpers.mjs";

const m = await importPackage();
const { Key, KeySet, JwtError, sign, verify, verifyCompact, decode, inspect, refreshAt, init, ready } = m;
const internals = Key[Symbol.for("edge-jwt.internals")];
const SECRET = "a-32-byte-secret-for-hs256-tests";

function throwsJwt(fn, code, extra = {}) {
  let caught;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught, `expected a JwtError ${code}`);
  assert.ok(caught instanceof JwtError, `expected a JwtError instance, got ${caught?.constructor?.name}: ${caught?.message}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "JwtError");
  assert.equal(caught.code, code, caught.message);
  for (const [name, value] of Object.entries(extra)) assert.equal(caught[name], value, name);
  assert.match(caught.stack, /JwtError/);
  return caught;
}

test("init() and ready settle at once in Node.js", async () => {
  await ready;
  assert.equal(await init(), undefined);
});

test("keys: alg, kid (RFC 7638 thumbprint by default), isPrivate, public JWK without private members", () => {
  for (const alg of ["EdDSA", "ES256", "ES384", "ES256K"]) {
    const key = Key.generate(alg);
    assert.equal(key.alg, alg);
    assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/, "a base64url SHA-256 thumbprint");
    assert.equal(key.isPrivate, true);
    const pub = key.publicKey();
    assert.equal(pub.isPrivate, false);
    assert.equal(pub.kid, key.kid);
    assert.equal(pub.alg, alg);
    assert.equal(key.toJwk().d, undefined, "toJwk() leaves out private members");
    assert.equal(typeof key.toJwk({ private: true }).d, "string");
    assert.equal(Key.fromJwk(key.toJwk()).kid, key.kid, "the kid survives a JWK round trip");
  }
  assert.equal(Key.generate("ES256", { kid: "mine" }).kid, "mine");
  assert.equal(Key.fromSecret(SECRET, "HS256", { kid: "s1" }).kid, "s1");
});

test("keys: nothing private shows in console.log or JSON", async () => {
  const { inspect: show } = await import("node:util");
  const key = Key.generate("EdDSA", { kid: "k" });
  const d = key.toJwk({ private: true }).d;
  assert.equal(show(key), "Key { alg: 'EdDSA', kid: 'k', private: true }");
  assert.equal(JSON.stringify(key), "{}");
  assert.ok(!show(key, { showHidden: true }).includes(d));
});

test("keys: `new Key()` is refused; misuse gives ERR_INVALID_ARGUMENT", () => {
  assert.throws(() => new Key(), TypeError);
  const key = Key.fromSecret(SECRET, "HS256");
  throwsJwt(() => sign({ sub: "x" }, key.toJwk({ private: true })), "ERR_INVALID_ARGUMENT");
  throwsJwt(() => verify(sign({ sub: "x" }, key), "a secret string", { algorithms: ["HS256"] }), "ERR_INVALID_ARGUMENT");
  throwsJwt(() => verify(sign({ sub: "x" }, key), key, undefined), "ERR_INVALID_ARGUMENT");
  throwsJwt(() => verify(42, key, { algorithms: ["HS256"] }), "ERR_INVALID_ARGUMENT");
  throwsJwt(() => new KeySet([key, "not a key"]), "ERR_INVALID_ARGUMENT");
});

test("KeySet: verify picks the key by kid; toJwks publishes public keys only; fromJwks round-trips", () => {
  const a = Key.generate("ES256", { kid: "a" });
  const b = Key.generate("EdDSA", { kid: "b" });
  const set = new KeySet([a.publicKey()]);
  set.add(b.publicKey());
  assert.equal(set.size, 2);
  const fromB = sign({ sub: "via-b" }, b);
  assert.equal(verify(fromB, set, { algorithms: ["ES256", "EdDSA"] }).claims.sub, "via-b");
  assert.equal(verify(sign({ sub: "via-a" }, a), set, { algorithms: ["ES256", "EdDSA"] }).claims.sub, "via-a");
  const jwks = set.toJwks();
  assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), ["a", "b"]);
  for (const jwk of jwks.keys) assert.equal(jwk.d, undefined);
  const again = KeySet.fromJwks(jwks);
  assert.equal(again.size, 2);
  assert.equal(verify(fromB, again, { algorithms: ["EdDSA"] }).claims.sub, "via-b");
  throwsJwt(() => verify(sign({ sub: "x" }, Key.generate("EdDSA", { kid: "c" })), again, { algorithms: ["EdDSA"] }), "ERR_JWKS_NO_MATCHING_KEY");
});

test("JwtError: thrown for token problems with code, claim and reason; users can construct one", () => {
  const key = Key.fromSecret(SECRET, "HS256");
  const expired = sign({ sub: "x" }, key, { expiresIn: 60, now: 1_700_000_000 });
  const error = throwsJwt(() => verify(expired, key, { algorithms: ["HS256"] }), "ERR_JWT_EXPIRED", { claim: "exp" });
  assert.equal(typeof error.reason, "string");
  throwsJwt(() => verify(expired, key, { algorithms: ["HS384"] }), "ERR_JOSE_ALG_NOT_ALLOWED");
  throwsJwt(() => verify("a.b", key, { algorithms: ["HS256"] }), "ERR_JWS_INVALID");
  throwsJwt(
    () => verify(sign({ sub: "x", aud: "other" }, key), key, { algorithms: ["HS256"], audience: "mine" }),
    "ERR_JWT_CLAIM_VALIDATION_FAILED",
    { claim: "aud" },
  );
  const made = new JwtError("ERR_TOKEN_PURPOSE", "wrong kind of token", { claim: "typ", reason: "check_failed" });
  assert.ok(made instanceof Error && made instanceof JwtError);
  assert.deepEqual([made.name, made.code, made.message, made.claim, made.reason], ["JwtError", "ERR_TOKEN_PURPOSE", "wrong kind of token", "typ", "check_failed"]);
});

test("JwtErrors do not cost the instance: thousands of failures, same instance, still working", () => {
  const key = Key.fromSecret(SECRET, "HS256");
  const generation = internals.currentGeneration();
  for (let i = 0; i < 2000; i++) {
    try {
      verify(`bad.${i}.token`, key, { algorithms: ["HS256"] });
      assert.fail("verified garbage");
    } catch (error) {
      assert.ok(error instanceof JwtError);
    }
  }
  assert.equal(internals.currentGeneration(), generation);
  assert.equal(verify(sign({ sub: "ok" }, key), key, { algorithms: ["HS256"] }).claims.sub, "ok");
});

test("errors that are not traps (bad input, a throwing getter) leave the instance alone", () => {
  const key = Key.fromSecret(SECRET, "HS256");
  const generation = internals.currentGeneration();
  const hostile = {
    get sub() {
      throw new TypeError("a getter of the caller's");
    },
  };
  assert.throws(() => sign(hostile, key));
  assert.throws(() => internals.call(() => null.property), TypeError);
  assert.equal(internals.currentGeneration(), generation);
  assert.equal(verify(sign({ sub: "still" }, key), key, { algorithms: ["HS256"] }).claims.sub, "still");
});

test("verifyCompact, decode, inspect, refreshAt", () => {
  const key = Key.generate("ES256");
  const token = sign({ sub: "u", iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 }, key);
  const compact = verifyCompact(token, key.publicKey(), { algorithms: ["ES256"] });
  assert.ok(compact.payload instanceof Uint8Array);
  assert.equal(JSON.parse(new TextDecoder().decode(compact.payload)).sub, "u");
  assert.equal(decode(token).claims.sub, "u");
  assert.equal(decode(token).header.alg, "ES256");
  const info = inspect(token, { now: 1_700_000_600 });
  assert.ok(info.expiresAt instanceof Date && info.issuedAt instanceof Date && info.notBefore instanceof Date);
  assert.equal(info.expiresAt.getTime(), 1_700_003_600_000);
  assert.equal(info.expiresIn, 3000);
  assert.equal(info.expired, false);
  assert.equal(inspect(token, { now: new Date(1_700_003_600_000) }).expired, true);
  assert.equal(refreshAt(token, { skew: 600, jitter: 0, now: 1_700_000_600 }), 1_700_003_000_000, "epoch ms, skew seconds before exp");
});

test("a trap inside a call: the error surfaces, the next call gets a fresh instance, and old Keys/KeySets keep working", () => {
  const hs = Key.fromSecret(SECRET, "HS256");
  const ed = Key.generate("EdDSA", { kid: "ed" });
  const edPublic = ed.publicKey();
  const rsa = Key.fromPem(Key.generate("RS256").toPem({ private: true }), "RS256");
  const fromJwk = Key.fromJwk(Key.generate("ES256", { kid: "es" }).toJwk({ private: true }));
  const set = KeySet.fromJwks({ keys: [edPublic.toJwk()] });
  set.add(fromJwk.publicKey());
  const before = [sign({ n: 1 }, hs), sign({ n: 2 }, ed), sign({ n: 3 }, rsa), sign({ n: 4 }, fromJwk)];
  const generation = internals.currentGeneration();

  // A real trap (see forceTrap).
  assert.throws(() => forceTrap(internals), WebAssembly.RuntimeError);

  assert.equal(verify(before[0], hs, { algorithms: ["HS256"] }).claims.n, 1);
  assert.equal(internals.currentGeneration(), generation + 1, "one fresh instance");
  assert.equal(verify(before[1], edPublic, { algorithms: ["EdDSA"] }).claims.n, 2);
  assert.equal(verify(before[2], rsa.publicKey(), { algorithms: ["RS256"] }).claims.n, 3);
  assert.equal(verify(before[3], set, { algorithms: ["ES256"] }).claims.n, 4);
  assert.equal(verify(before[1], set, { algorithms: ["EdDSA"] }).claims.n, 2);
  assert.equal(set.size, 2);
  // Rebuilt keys are the same keys: same kid, and they sign tokens the old public keys accept.
  assert.equal(ed.kid, "ed");
  assert.equal(verify(sign({ n: 5 }, ed), edPublic, { algorithms: ["EdDSA"] }).claims.n, 5);
  assert.equal(verify(sign({ n: 6 }, fromJwk), set, { algorithms: ["ES256"] }).claims.n, 6);
  assert.deepEqual(fromJwk.toJwk(), fromJwk.publicKey().toJwk());
  assert.equal(internals.currentGeneration(), generation + 1, "recovery happened once");
});
