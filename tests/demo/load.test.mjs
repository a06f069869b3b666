// A load check, not a timed assertion: a bounded burst of concurrent /api/me and /auth/refresh
// requests on loopback against the worker on workerd must produce no 5xx; prints requests/s.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { USERS, client, startWorker, workerHome } from "./helpers.mjs";

const SESSIONS = 8; // signed in with a password (PBKDF2 is deliberately slow), each from its own address
const REFRESHES_PER_SESSION = 12; // sequential per session (rotation), sessions in parallel
const ME_REQUESTS = 600;
const CONCURRENCY = 32;

let home;
let worker;

async function pool(count, concurrency, task) {
  const statuses = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) statuses.push(await task(next++));
    }),
  );
  return statuses;
}

describe("load check (loopback, workerd)", () => {
  before(async () => {
    home = await workerHome();
    worker = await startWorker(home, { ACCESS_TTL: 300 });
  });
  after(async () => {
    await worker?.stop();
    home?.remove();
  });

  test("a burst of concurrent /api/me and /auth/refresh requests: no 5xx", async (t) => {
    const users = [USERS.grace, USERS.alan];
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const call = client(worker.url);
        const user = users[i % users.length];
        const r = await call("POST", "/auth/password", { json: { email: user.email, password: user.password, client: "native" } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return { call, ...r.body };
      }),
    );

    const started = performance.now();
    const [me, refreshes] = await Promise.all([
      pool(ME_REQUESTS, CONCURRENCY, async (i) => {
        const s = sessions[i % SESSIONS];
        return (await s.call("GET", "/api/me", { token: s.accessToken })).status;
      }),
      Promise.all(
        sessions.map(async (s) => {
          const statuses = [];
          let token = s.refreshToken;
          for (let i = 0; i < REFRESHES_PER_SESSION; i++) {
            const r = await s.call("POST", "/auth/refresh", { json: { refreshToken: token } });
            statuses.push(r.status);
            if (r.status === 200) token = r.body.refreshToken;
          }
          return statuses;
        }),
      ).then((lists) => lists.flat()),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const all = [...me, ...refreshes];
    const count = (predicate) => all.filter(predicate).length;
    const summary = `${all.length} requests (${me.length} GET /api/me, ${refreshes.length} POST /auth/refresh) in ${seconds.toFixed(2)} s = ${(all.length / seconds).toFixed(0)} requests/s; /api/me alone ${(me.length / seconds).toFixed(0)}/s`;
    t.diagnostic(summary);
    console.log(`load: ${summary}`);
    assert.equal(count((s) => s >= 500), 0, "no 5xx");
    assert.equal(count((s) => s !== 200), 0, `every request succeeded: ${JSON.stringify(all.reduce((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {}))}`);
  });
});
