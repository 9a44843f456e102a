// Child process of vegaLiteToSvgSync: a Vega-Lite spec (JSON) on stdin, its SVG on stdout.
import { vegaLiteToSvg } from "./vega-lite-svg.js";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => (input += chunk));
process.stdin.on("end", () => {
  vegaLiteToSvg(JSON.parse(input)).then(
    (svg) => process.stdout.write(svg),
    (err: Error) => {
      process.stderr.write(`${err.message.split("\n")[0]}\n`);
      process.exit(1);
    },
  );
});
