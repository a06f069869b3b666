// Long-running use in one process: 1,000,000 verify calls (plus failing ones and key churn) must
// not grow the wasm linear memory after warm-up, nor the JS heap beyond a generous bound.
// Not a timing test; the figures are printed for the record.
import assert from "node:assert/strict";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import { importPackage } from "../package/helpers.mjs";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const { Key, KeySet, sign, verify } = await importPackage();
const internals = Key[Symbol.for("edge-jwt.internals")];

const MiB = 1024 * 1024;
const mib = (n) => `${(n / MiB).toFixed(2)} MiB`;
function snapshot() {
  gc();
  gc();
  return { heap: process.memoryUsage().heapUsed, wasm: internals.instanceExports().memory.buffer.byteLength };
}

test("1,000,000 verify calls: wasm memory flat after warm-up, JS heap bounded", async (t) => {
  const key = Key.fromSecret("a-32-byte-secret-for-hs256-tests", "HS256", { kid: "hs" });
  const set = new KeySet([key]);
  const token = sign({ sub: "user-1", scope: "read write", roles: ["a", "b"] }, key, { expiresIn: "1h", issuer: "iss", audience: "aud" });
  const expired = sign({ sub: "user-1" }, key, { expiresIn: 1, now: 1_700_000_000 });
  const options = { algorithms: ["HS256"], issuer: "iss", audience: "aud" };
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      const { claims } = verify(token, i % 2 ? key : set, options);
      if (claims.sub !== "user-1") throw new Error("wrong claims");
    }
  };
  const runFailures = (n) => {
    for (let i = 0; i < n; i++) {
      try {
        verify(expired, key, { algorithms: ["HS256"] });
        throw new Error("verified an expired token");
      } catch (error) {
        if (error.code !== "ERR_JWT_EXPIRED") throw error;
      }
    }
  };
  const churn = (n) => {
    for (let i = 0; i < n; i++) {
      const fresh = Key.generate("EdDSA");
      verify(sign({ i }, fresh), fresh.publicKey(), { algorithms: ["EdDSA"] });
    }
  };

  const start = snapshot();
  run(20_000);
  runFailures(5_000);
  const warm = snapshot();
  const t0 = performance.now();
  run(1_000_000);
  const verifyMs = performance.now() - t0;
  runFailures(100_000);
  const afterVerify = snapshot();
  t.diagnostic(`start:             heap ${mib(start.heap)}, wasm memory ${mib(start.wasm)}`);
  t.diagnostic(`after warm-up:     heap ${mib(warm.heap)}, wasm memory ${mib(warm.wasm)}`);
  t.diagnostic(`after 1M verify + 100k failing: heap ${mib(afterVerify.heap)}, wasm memory ${mib(afterVerify.wasm)} (${((1e6 / verifyMs) * 1000).toFixed(0)} verify/s HS256)`);
  assert.equal(afterVerify.wasm, warm.wasm, "wasm linear memory did not grow after warm-up");
  assert.ok(afterVerify.heap - warm.heap < 16 * MiB, `JS heap grew by ${mib(afterVerify.heap - warm.heap)}`);

  // Keys created and dropped: their wasm side is freed once the GC has collected the wrappers and
  // the FinalizationRegistry callbacks ran (they run as tasks, so let the event loop turn, as it
  // does between requests).
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return snapshot();
  };
  for (let round = 0; round < 2; round++) {
    churn(1_000);
    await settle();
  }
  const churned = await settle();
  for (let round = 0; round < 10; round++) {
    churn(1_000);
    await settle();
  }
  const afterChurn = await settle();
  t.diagnostic(`after 12k keys generated (1k per event-loop turn) and dropped: heap ${mib(afterChurn.heap)}, wasm memory ${mib(afterChurn.wasm)}`);
  assert.ok(afterChurn.wasm - churned.wasm <= 2 * MiB, `wasm memory grew by ${mib(afterChurn.wasm - churned.wasm)} with dropped keys`);
});
