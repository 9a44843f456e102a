// The PDF's document information (what `pdfinfo` and a viewer's "Properties" show). Chromium writes
// only the title, so the author and subject are added by an incremental update: a new version of
// the Info dictionary appended after the file, which every PDF reader applies (PDF 1.7, 7.5.6).

export interface DocumentInfo {
  title?: string;
  author?: string;
  subject?: string;
}

/** A PDF text string: ASCII as a literal string, anything else as UTF-16BE with a byte-order mark. */
function pdfString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[()\\]/g, (c) => `\\${c}`)})`;
  const units: string[] = ["FEFF"];
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase());
  return `<${units.join("")}>`;
}

/** The PDF with its Info dictionary replaced; unchanged when the file's layout is not the one expected. */
export function withDocumentInfo(pdf: Uint8Array, info: DocumentInfo): Uint8Array {
  const text = Buffer.from(pdf).toString("latin1");
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$/.exec(text);
  const infoRef = trailer && /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(trailer[1]);
  const root = trailer && /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer[1]);
  const size = trailer && /\/Size\s+(\d+)/.exec(trailer[1]);
  if (!trailer || !infoRef || !root || !size) return pdf;
  const [objectNumber, generation] = [Number(infoRef[1]), Number(infoRef[2])];
  // Keep what Chromium wrote about the file's making (dates, creator) and set the rest.
  const old = new RegExp(`\\n${objectNumber}\\s+${generation}\\s+obj\\s*<<([\\s\\S]*?)>>\\s*endobj`).exec(text)?.[1] ?? "";
  const kept = ["CreationDate", "ModDate", "Producer"].flatMap((key) => {
    const m = new RegExp(`/${key}\\s*(\\([^()\\\\]*\\))`).exec(old);
    return m ? [`/${key} ${m[1]}`] : [];
  });
  const entries = [
    info.title ? `/Title ${pdfString(info.title)}` : "",
    info.author ? `/Author ${pdfString(info.author)}` : "",
    info.subject ? `/Subject ${pdfString(info.subject)}` : "",
    "/Creator (labreport)",
    ...kept,
  ].filter(Boolean);
  const start = pdf.length + 1;
  const object = `\n${objectNumber} ${generation} obj\n<<${entries.join("\n")}>>\nendobj\n`;
  const xrefAt = start - 1 + Buffer.byteLength(object, "latin1");
  const update =
    object +
    `xref\n0 1\n0000000000 65535 f \n${objectNumber} 1\n${String(start).padStart(10, "0")} ${String(generation).padStart(5, "0")} n \n` +
    `trailer\n<</Size ${size[1]}\n/Root ${root[1]}\n/Info ${objectNumber} ${generation} R\n/Prev ${trailer[2]}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([Buffer.from(pdf), Buffer.from(update, "latin1")]);
}
