// Images in Markdown cells must travel inside the report (it is printed from memory, with no base
// folder): Jupyter attachments (`attachment:name.png`) and files beside the notebook become data URLs.
import * as fs from "node:fs";
import * as path from "node:path";
import { MimeBundle } from "../notebook.js";

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
};

/** Rewrites the src of every <img> in html; returns the new html and the images it could not find. */
export function embedImages(html: string, baseDir: string, attachments: Record<string, MimeBundle> = {}): { html: string; missing: string[] } {
  const missing: string[] = [];
  const out = html.replace(/(<img\s[^>]*?src=")([^"]+)(")/g, (all, pre: string, src: string, post: string) => {
    if (/^(data:|https?:)/.test(src)) return all;
    const name = decodeURIComponent(src);
    if (name.startsWith("attachment:")) {
      const bundle = attachments[name.slice("attachment:".length)];
      const mime = bundle && Object.keys(bundle).find((m) => m.startsWith("image/"));
      if (!mime) {
        missing.push(name);
        return all;
      }
      const data = bundle[mime];
      return `${pre}data:${mime};base64,${(Array.isArray(data) ? data.join("") : String(data)).replace(/\s/g, "")}${post}`;
    }
    const file = path.resolve(baseDir, name);
    const mime = TYPES[path.extname(file).toLowerCase()];
    if (!mime || !fs.existsSync(file)) {
      missing.push(name);
      return all;
    }
    return `${pre}data:${mime};base64,${fs.readFileSync(file).toString("base64")}${post}`;
  });
  return { html: out, missing };
}
