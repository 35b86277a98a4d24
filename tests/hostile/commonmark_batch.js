// Render a JSON list of Markdown documents (stdin) to a JSON list of HTML with commonmark.js,
// the CommonMark reference implementation, in one process.
const commonmark = require("commonmark");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const renderer = new commonmark.HtmlRenderer({ safe: false });
  const pages = JSON.parse(input).map((page) => renderer.render(new commonmark.Parser().parse(page)));
  process.stdout.write(JSON.stringify(pages));
});
