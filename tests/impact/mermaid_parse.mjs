// Parse Mermaid files with Mermaid's own parser (the one GitHub runs); exit 1 on the first error.
// Usage: node mermaid_parse.mjs FILE...  Run from a copy inside the npm prefix holding mermaid and jsdom:
// ES modules resolve packages next to the script, not through NODE_PATH.
import { JSDOM } from "jsdom";
import fs from "fs";

const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(fs.readFileSync(file, "utf8"));
    console.log(`${file}: ok`);
  } catch (error) {
    console.log(`${file}: ${error.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
