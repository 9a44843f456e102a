// How a table prints its numbers, the same in Jupyter (HTML, Markdown, text) and in the report:
// each numeric column with one number of decimals, so that the decimal points line up.
import type { TableCell, TableData } from "./report-outputs.js";

/** The most decimals a column prints when the caller gives no `digits`. */
export const MAX_TABLE_DECIMALS = 6;

/** Decimals written in a number's shortest form (1e-7 counts its 7). */
function decimalsOf(x: number): number {
  const [mantissa, exponent] = String(x).split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * A number with `digits` decimals; a number too small for that keeps `digits` significant digits
 * instead of printing as 0 (a learning rate of 0.0001 stays 0.0001).
 */
export function roundedText(x: number, digits: number): string {
  if (x === 0 || Math.abs(x) >= 10 ** -digits) return x.toFixed(digits);
  return String(Number(x.toPrecision(Math.max(1, digits))));
}

/**
 * One number of decimals per numeric column: the most any of its values needs, at most `digits`
 * (4.58 and 5.2 print as 4.58 and 5.20). Undefined for text columns and integer-only columns.
 */
export function columnDecimals(table: TableData, digits = MAX_TABLE_DECIMALS): (number | undefined)[] {
  return table.columns.map((_, c) => {
    const values = table.rows.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    if (!values.length || !values.every((v) => typeof v === "number" && Number.isFinite(v))) return undefined;
    const nums = values as number[];
    if (nums.every(Number.isInteger)) return undefined;
    return Math.min(digits, Math.max(...nums.map(decimalsOf)));
  });
}

/**
 * A cell as text, numbers with their column's decimals; `grouping` adds thousands separators
 * (the HTML forms: 60,000), the plain-text forms leave them out.
 */
export function cellText(value: TableCell | undefined, decimals: number | undefined, grouping: boolean): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return value;
  if (!Number.isFinite(value)) return String(value);
  if (decimals === undefined) return Number.isInteger(value) && grouping ? value.toLocaleString("en-US") : String(value);
  if (value !== 0 && Math.abs(value) < 10 ** -decimals) return roundedText(value, decimals);
  return grouping ? value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals }) : value.toFixed(decimals);
}
