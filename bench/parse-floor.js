// The backtest's speed floor: read, gunzip and JSON.parse each file, nothing else. Prints
// `{"records": N, "seconds": S, "maxRssMb": M}`. Usage: node bench/parse-floor.js <list-file>
// where the list file names one .json.gz per line. Plain JavaScript, so the floor pays no
// TypeScript compilation, as `npm run backtest` (a cached bundle, scripts/run-backtest.js) does not.
"use strict";
const { readFileSync } = require("node:fs");
const { gunzipSync } = require("node:zlib");

const files = readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
const started = performance.now();
let records = 0;
for (const f of files) {
  const doc = JSON.parse(gunzipSync(readFileSync(f)).toString("utf8"));
  records += doc.Records.length;
}
const seconds = (performance.now() - started) / 1000;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ records, seconds, maxRssMb })}\n`);
