// Trunk post-build hook: puts the Content-Security-Policy into the built index.html.
// The policy is the strict one (`default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; …`)
// plus the sha256 of the one inline module script Trunk writes to load the wasm — the only
// adjustment, and the reason for it: Trunk's loader cannot be moved to a file. Debug builds
// (`trunk serve`, `./dev serve`) are left without the policy: Trunk injects its own inline
// live-reload script there.
// It also marks the stylesheet `crossorigin`, as Trunk already does for the js and wasm: in a
// frame sandboxed without allow-same-origin the page's origin is opaque, and the browser checks a
// file's integrity hash only on a CORS request.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE === 'debug') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set');
  process.exit(1);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');
const scripts = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
if (scripts.length !== 1) {
  console.error(`csp.mjs: expected one inline module script, found ${scripts.length}`);
  process.exit(1);
}
const hash = createHash('sha256').update(scripts[0]).digest('base64');
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`,
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    ${meta}`);
html = html.replace(/<link rel="stylesheet"(?![^>]*crossorigin)/g, '<link rel="stylesheet" crossorigin="anonymous"');
writeFileSync(file, html);
console.log(`csp.mjs: policy written (${policy.length} chars)`);
