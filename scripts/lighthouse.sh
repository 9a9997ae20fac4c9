#!/usr/bin/env bash
# Lighthouse 12 accessibility and best-practices scores of the release build, in Debian's
# Chromium (targets: 100 and at least 95). Lighthouse is installed on demand into .cache/, not
# with the project's own packages, since only this script needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
[ -f dist/index.html ] || trunk build --release --offline=true
prefix=.cache/lighthouse
[ -x "$prefix/node_modules/.bin/lighthouse" ] || npm install --no-audit --no-fund --prefix "$prefix" lighthouse@12.2.3
node -e '
const { createServer } = require("node:http");
const { readFile } = require("node:fs/promises");
const { extname, join } = require("node:path");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };
createServer(async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  try { const body = await readFile(join("dist", path.endsWith("/") ? path + "index.html" : path)); res.writeHead(200, { "content-type": types[extname(path) || ".html"] ?? "application/octet-stream" }); res.end(body); }
  catch { res.writeHead(404).end(); }
}).listen(8765, "127.0.0.1");
' &
server=$!
trap 'kill $server' EXIT
sleep 1
CHROME_PATH=/usr/bin/chromium "$prefix/node_modules/.bin/lighthouse" "http://127.0.0.1:8765/?autoplay=0" \
  --only-categories=accessibility,best-practices --output=json --output-path=.cache/lighthouse/report.json --quiet \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
node -e '
const r = require("./.cache/lighthouse/report.json");
for (const c of Object.values(r.categories)) console.log(`${c.title.padEnd(16)} ${Math.round(c.score * 100)}`);
for (const a of Object.values(r.audits)) if (a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary") console.log(`  failed: ${a.id}: ${a.title}`);
'
