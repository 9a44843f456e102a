// Report HTML → PDF with Chromium: A4, page numbers in the footer, text kept as vector text, a running
// header from the second page on, and the document information (title, author, subject) of the HTML.
import { escapeHtml } from "../../contract/html.js";
import type { PrintStageOptions } from "../stage-types.js";
import { launchChromium } from "./chromium.js";
import { DocumentInfo, withDocumentInfo } from "./pdf-info.js";

/** What printing takes: a browser to reuse and the footer's text (declared with the stages). */
export type PrintOptions = PrintStageOptions;

/** Text of HTML: named and numeric character references replaced by their characters. */
function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (all, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : named[e] ?? all);
}

/** Title, author and subject (as text) as the report's <title> and <meta name="author|description"> give them. */
export function documentInfo(html: string): DocumentInfo {
  // Without a <head> element (a hand-written page), everything before <body> is the head.
  const head = /<head[\s\S]*?<\/head>/i.exec(html)?.[0] ?? html.split(/<body[\s>]/i)[0];
  const meta = (name: string) => {
    const tag = new RegExp(`<meta\\s+name="${name}"\\s+content="([^"]*)"`, "i").exec(head);
    return tag && tag[1].trim() ? unescapeHtml(tag[1]).trim() : undefined;
  };
  const title = /<title>([^<]*)<\/title>/i.exec(head)?.[1];
  return { title: title?.trim() ? unescapeHtml(title).trim() : undefined, author: meta("author"), subject: meta("description") };
}

/**
 * Course and assignment at the top of every page but the first (where the title block says it), as a
 * CSS page-margin box: unlike Chromium's headerTemplate, `@page :first` can leave it out.
 */
function withRunningHeader(html: string, text: string | undefined): string {
  if (!text) return html;
  const css = `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/</g, "\\3C ").replace(/\s+/g, " ")}"`;
  const style = `<style>@page { @top-right { content: ${css}; font-family: "DejaVu Sans", sans-serif; font-size: 8px; color: #666; } }
@page :first { @top-right { content: none; } }</style>`;
  return /<\/head>/i.test(html) ? html.replace(/<\/head>/i, `${style}</head>`) : style + html;
}

export async function printPdf(html: string, opts: PrintOptions = {}): Promise<Uint8Array> {
  const owned = opts.browser ? undefined : await launchChromium();
  const browser = opts.browser ?? owned!.browser;
  try {
    const page = await browser.newPage();
    try {
      // The report is complete as HTML (math, figures and highlighting rendered at build time), so no
      // script runs: a <script> in a notebook's HTML output could otherwise rewrite or blank the page.
      await page.setJavaScriptEnabled(false);
      // Everything is inline (styles, fonts, SVG), so "load" means ready; no network is involved.
      const info = documentInfo(html);
      await page.setContent(withRunningHeader(html, info.subject ?? info.title), { waitUntil: "load", timeout: 120_000 });
      await page.evaluate(() => document.fonts.ready);
      const footer = `<div style="font-family: 'DejaVu Sans', sans-serif; font-size: 8px; color: #666; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;">
        <span>${escapeHtml(opts.footerText ?? "")}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
      const pdf = await page.pdf({
        format: "A4",
        printBackground: true,
        // Bookmarks of the sections (a PDF viewer's sidebar), from the headings of a tagged PDF.
        tagged: true,
        outline: true,
        displayHeaderFooter: true,
        headerTemplate: "<span></span>",
        footerTemplate: footer,
        margin: { top: "18mm", bottom: "20mm", left: "18mm", right: "18mm" },
        timeout: 120_000,
      });
      return withDocumentInfo(pdf, info);
    } finally {
      await page.close();
    }
  } finally {
    await owned?.close();
  }
}
