// Every pinned npm package of the browser tests accepts Debian 12's Node (nodejs 18.x): checks
// the `engines.node` range of each package in package-lock.json against the given versions.
// Usage: node engines.mjs [VERSION...]  (default: 18.13.0 18.20.4, Debian 12's first and current)
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const semver = require('semver');
const here = new URL('.', import.meta.url).pathname;
const lock = JSON.parse(fs.readFileSync(`${here}/package-lock.json`, 'utf8'));
const versions = process.argv.length > 2 ? process.argv.slice(2) : ['18.13.0', '18.20.4'];
let failed = 0;
for (const v of versions) {
  let checked = 0;
  for (const [name, info] of Object.entries(lock.packages)) {
    const range = info.engines && info.engines.node;
    if (!range) continue;
    checked += 1;
    if (!semver.satisfies(v, range)) { console.log(`${name || '(root)'} ${info.version || ''}: engines.node "${range}" refuses ${v}`); failed += 1; }
  }
  console.log(`node ${v}: ${checked} engines ranges checked`);
}
const pins = ['puppeteer-core', 'axe-core'].map((p) => `${p} ${lock.packages[`node_modules/${p}`].version} (engines.node ${lock.packages[`node_modules/${p}`].engines?.node})`);
console.log(`pinned: ${pins.join(', ')}`);
process.exit(failed ? 1 : 0);
