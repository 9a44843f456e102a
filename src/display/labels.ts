// Cross-reference labels of figures and tables (Quarto's convention: fig-… and tbl-…).

/** Checks a label has the given prefix and only letters, digits, '-' and '_' after it. */
export function checkLabel(label: string | undefined, prefix: "fig" | "tbl"): void {
  if (label === undefined) return;
  if (typeof label !== "string" || !label.startsWith(`${prefix}-`) || !/^[A-Za-z0-9_-]+$/.test(label) || label.length <= prefix.length + 1) {
    const kind = prefix === "fig" ? "figure" : "table";
    throw new Error(
      `invalid ${kind} label: ${JSON.stringify(label)} (a ${kind} label starts with "${prefix}-", e.g. "${prefix}-learning-curve", and uses only letters, digits, - and _)`,
    );
  }
}
