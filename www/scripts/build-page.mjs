#!/usr/bin/env node
// Bundles the page script (www/page/app.js, which imports "edge-jwt" as any app would) with
// esbuild into www/public/build/, and copies the package's .wasm beside it. Run by wrangler
// before `wrangler dev` and `wrangler deploy` ([build] in wrangler.toml).
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const www = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(www, "public", "build");
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(www, "page", "app.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outfile: join(out, "app.js"),
  write: false,
  logLevel: "error",
});
// Written beside and renamed, so a server started meanwhile never sees half a file.
const atomically = (path, write) => {
  const temp = `${path}.${process.pid}.tmp`;
  write(temp);
  renameSync(temp, path);
};
for (const file of result.outputFiles) atomically(file.path, (temp) => writeFileSync(temp, file.contents));
// The browser entry fetches edge_jwt_bg.wasm next to the bundle (new URL(..., import.meta.url)).
const pkgJson = createRequire(join(www, "page", "app.js")).resolve("edge-jwt/package.json");
atomically(join(out, "edge_jwt_bg.wasm"), (temp) => copyFileSync(join(dirname(pkgJson), "edge_jwt_bg.wasm"), temp));
