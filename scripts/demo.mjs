#!/usr/bin/env node
// `npm run demo`: the reference worker (www/) on real workerd via `wrangler dev` (local mode),
// on http://127.0.0.1:8787, with its Durable Objects persisted in www/.wrangler/state.
//   1. scripts/setup.sh (idempotent installs)   2. build pkg/ when stale
//   3. install www/'s dependency (edge-jwt -> ../pkg) and create www/.dev.vars with random
//      secrets on first run (DEV=1: the dev outbox)   4. wrangler dev (it bundles the page first)
// PORT=... changes the port; extra arguments go to wrangler.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { DEMO_USERS, ensureDevVars, installPackage, root, www, wrangler } from "../www/scripts/prepare.mjs";

function run(command, args, options = {}) {
  const { status, signal } = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (status !== 0) {
    console.error(`demo: ${command} ${args.join(" ")} failed (${signal ?? status})`);
    process.exit(1);
  }
}

run("bash", ["scripts/setup.sh"]);
run(process.execPath, ["scripts/build.mjs", "--if-stale"]);
installPackage();
if (await ensureDevVars()) console.log("demo: wrote www/.dev.vars (DEV=1, random AUTH_SECRET and SIGNING_JWK; gitignored)");

const port = process.env.PORT ?? "8787";
const url = `http://127.0.0.1:${port}`;
console.log(`
edge-jwt demo  ->  ${url}
Demo users (2FA codes and sign-in links go to the outbox panel on the page, and GET ${url}/dev/outbox):
${DEMO_USERS.map((u) => `  ${u.email.padEnd(23)} password ${u.password.padEnd(24)} phone ${u.phone}  2FA ${u.twoFactor}`).join("\n")}
`);

const child = spawn(
  wrangler,
  ["dev", "--ip", "127.0.0.1", "--port", port, "--persist-to", join(www, ".wrangler", "state"), "--show-interactive-dev-session=false", ...process.argv.slice(2)],
  { cwd: www, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
