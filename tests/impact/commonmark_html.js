// Render Markdown from stdin to HTML with the CommonMark reference implementation (commonmark.js).
const commonmark = require("commonmark");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const tree = new commonmark.Parser().parse(input);
  process.stdout.write(new commonmark.HtmlRenderer({ safe: false }).render(tree));
});
