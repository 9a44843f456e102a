// HTML adjusted for paper, where nothing can be clicked or scrolled: collapsed <details> print open,
// and a table with many columns gets a smaller type (see table.wide in report.css) so that it fits
// the page instead of running off its edge, where print clips it.
export const WIDE_TABLE_COLUMNS = 9;

export function forPaper(html: string): string {
  return markWideTables(html.replace(/<details(?![^>]*\sopen[\s>=])/gi, "<details open"));
}

function markWideTables(html: string): string {
  return html.replace(/<table\b([^>]*)>([\s\S]*?<\/tr>)/gi, (all, attrs: string, firstRow: string) => {
    const columns = (firstRow.match(/<t[hd]\b/gi) ?? []).length;
    if (columns < WIDE_TABLE_COLUMNS) return all;
    const withClass = /\bclass="/.test(attrs) ? attrs.replace(/\bclass="/, 'class="wide ') : `${attrs} class="wide"`;
    return `<table${withClass}>${firstRow}`;
  });
}
