// Report HTML → PDF with Chromium: A4, page numbers in the footer, text kept as vector text.
import type { Browser } from "puppeteer-core";
import { launchChromium } from "./chromium.js";

export interface PrintOptions {
  /** Reuse a started browser (a build of many notebooks starts one). */
  browser?: Browser;
  /** Left side of the footer, e.g. the report's title. */
  footerText?: string;
}

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
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
      await page.setContent(html, { waitUntil: "load", timeout: 120_000 });
      await page.evaluate(() => document.fonts.ready);
      const footer = `<div style="font-family: 'DejaVu Sans', sans-serif; font-size: 8px; color: #666; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;">
        <span>${escape(opts.footerText ?? "")}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
      return await page.pdf({
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
    } finally {
      await page.close();
    }
  } finally {
    await owned?.close();
  }
}
