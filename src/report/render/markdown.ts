// Markdown cells → HTML: markdown-it with KaTeX math, highlighted code, numbered headings,
// Quarto-style `{#sec-x}` heading labels, `$$…$$ {#eq-x}` numbered equations and `@label` references.
import MarkdownIt from "markdown-it";
import katexPlugin from "@vscode/markdown-it-katex";
import hljs from "highlight.js/lib/common";
import { escapeHtml } from "../../contract/html.js";
import { CrossRefs, refKind } from "./crossref.js";
import { numberDisplayMath } from "./equations.js";
import { forPaper } from "./paper.js";

type Md = InstanceType<typeof MarkdownIt>;

export function highlight(code: string, lang: string): string {
  const language = lang && hljs.getLanguage(lang) ? lang : undefined;
  const html = language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
  return `<pre class="listing"><code class="hljs${language ? ` language-${language}` : ""}">${html}</code></pre>`;
}


interface Env {
  refs: CrossRefs;
  [key: string | symbol]: unknown;
}

const HEADING_LABEL = /\s*\{#(sec-[A-Za-z0-9_-]+)\}\s*$/;
const UNNUMBERED = /\s*\{(?:\.unnumbered|-)\}\s*$/;
const EQUATION = /\$\$([\s\S]+?)\$\$[ \t]*\{#(eq-[A-Za-z0-9_-]+)\}/g;

/**
 * Pandoc's rule for `$`, which students rely on when they write prices: an opening `$` is followed by a
 * non-space, a closing `$` follows a non-space and is not followed by a digit. Without it, "costs $15
 * total, not $ 3" typesets "15 total, not " as math. Returns whether `$` at pos opens inline math.
 */
function opensInlineMath(src: string, pos: number): boolean {
  const next = src[pos + 1];
  if (next === undefined || /\s/.test(next)) return false;
  let close = pos + 1;
  for (;;) {
    close = src.indexOf("$", close);
    if (close < 0) return false;
    let slashes = 0;
    while (src[close - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) break;
    close++;
  }
  return !/\s/.test(src[close - 1]) && !/[0-9]/.test(src[close + 1] ?? "");
}

/** A heading as found in the first pass, before numbers exist. */
export interface Heading {
  level: number;
  text: string;
  label?: string;
  numbered: boolean;
}

export class MarkdownRenderer {
  private readonly md: Md;

  constructor() {
    this.md = new MarkdownIt({ html: true, linkify: true, typographer: true, highlight: (code, lang) => highlight(code, lang) });
    (katexPlugin as unknown as (md: Md, opts: object) => void)(this.md, { throwOnError: false, enableBareBlocks: true });
    // A single `$` that pandoc would not read as math is plain text (see opensInlineMath).
    this.md.inline.ruler.before("math_inline", "dollar_text", (state, silent) => {
      if (state.src[state.pos] !== "$" || state.src[state.pos + 1] === "$") return false;
      if (opensInlineMath(state.src, state.pos)) return false;
      if (!silent) state.pending += "$";
      state.pos++;
      return true;
    });
    // Bare URLs break anywhere (see report.css), so mark the links whose text is the address.
    const linkOpen = this.md.renderer.rules.link_open ?? ((tokens, idx, opts, _env, self) => self.renderToken(tokens, idx, opts));
    this.md.renderer.rules.link_open = (tokens, idx, opts, env, self) => {
      if (tokens[idx].markup === "linkify" || tokens[idx].markup === "autolink") tokens[idx].attrJoin("class", "url");
      return linkOpen(tokens, idx, opts, env, self);
    };
    // A path in inline code (bench/reference/x.out) may break after its slashes: as one unbreakable
    // word it pushes to the next line and leaves the justified line before it full of gaps.
    this.md.renderer.rules.code_inline = (tokens, idx, _opts, _env, self) =>
      `<code${self.renderAttrs(tokens[idx])}>${escapeHtml(tokens[idx].content).split("/").join("/<wbr>")}</code>`;
    this.md.inline.ruler.after("emphasis", "crossref", (state, silent) => {
      // @fig-name (not part of an e-mail address: the character before must not be a word character)
      if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
      if (state.pos > 0 && /\w/.test(state.src[state.pos - 1])) return false;
      const m = /^@((?:fig|tbl|eq|sec|lst)-[A-Za-z0-9_-]*[A-Za-z0-9])/.exec(state.src.slice(state.pos));
      if (!m) return false;
      if (!silent) {
        const token = state.push("crossref", "", 0);
        token.meta = { label: m[1] };
      }
      state.pos += m[0].length;
      return true;
    });
    // Citations: [@key] and [@a; @b] (pandoc's syntax) become "[1]" / "[1, 2]"; a bracket of labels
    // ([@fig-a; @fig-b]) is a list of cross-references.
    this.md.inline.ruler.before("link", "citation", (state, silent) => {
      if (state.src[state.pos] !== "[" || state.src[state.pos + 1] !== "@") return false;
      const m = /^\[(@[\w:.-]*\w(?:\s*;\s*@[\w:.-]*\w)*)\]/.exec(state.src.slice(state.pos));
      if (!m) return false;
      if (!silent) {
        const token = state.push("citation", "", 0);
        token.meta = { keys: m[1].split(";").map((k) => k.trim().slice(1)) };
      }
      state.pos += m[0].length;
      return true;
    });
    this.md.renderer.rules.citation = (tokens, idx, _opts, env) => {
      const keys = (tokens[idx].meta as { keys: string[] }).keys;
      const refs = (env as Env).refs;
      if (keys.every((k) => refKind(k))) return keys.map((k) => `<a class="xref" href="#${k}">${escapeHtml(refs.text(k))}</a>`).join("; ");
      return `<span class="citation">${escapeHtml(refs.citations.cite(keys))}</span>`;
    };
    this.md.renderer.rules.crossref = (tokens, idx, _opts, env) => {
      const label = (tokens[idx].meta as { label: string }).label;
      return `<a class="xref" href="#${label}">${escapeHtml((env as Env).refs.text(label))}</a>`;
    };
    // GitHub task lists, which Jupyter shows as checkboxes: "- [ ] todo" / "- [x] done" → ☐ / ☑.
    this.md.core.ruler.push("task_lists", (state) => {
      const tokens = state.tokens;
      for (let i = 2; i < tokens.length; i++) {
        if (tokens[i].type !== "inline" || tokens[i - 1].type !== "paragraph_open" || tokens[i - 2].type !== "list_item_open") continue;
        const first = tokens[i].children?.[0];
        const m = first?.type === "text" ? /^\[([ xX])\]\s+/.exec(first.content) : null;
        if (!first || !m) continue;
        first.content = `${m[1] === " " ? "☐" : "☑"} ${first.content.slice(m[0].length)}`;
        tokens[i - 2].attrJoin("class", "task");
      }
    });
    // Strips `{#sec-x}` / `{.unnumbered}` from heading text, keeping them on the token for later.
    this.md.core.ruler.push("heading_labels", (state) => {
      const tokens = state.tokens;
      for (let i = 0; i < tokens.length; i++) {
        if (tokens[i].type !== "heading_open") continue;
        const inline = tokens[i + 1];
        const label = HEADING_LABEL.exec(inline.content)?.[1];
        const numbered = !UNNUMBERED.test(inline.content);
        stripTrailing(inline, HEADING_LABEL);
        stripTrailing(inline, UNNUMBERED);
        if (label) tokens[i].attrSet("id", label);
        tokens[i].meta = { label, numbered };
      }
    });
  }

  /** First pass: the headings of a cell, so that sections can be numbered across the document. */
  headings(source: string): Heading[] {
    const tokens = this.md.parse(source, { refs: new CrossRefs() });
    const out: Heading[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].type !== "heading_open") continue;
      const meta = tokens[i].meta as { label?: string; numbered: boolean };
      out.push({ level: Number(tokens[i].tag.slice(1)), text: tokens[i + 1].content, label: meta.label, numbered: meta.numbered });
    }
    return out;
  }

  /**
   * A first-level heading that opens the cell (ATX `# T` or setext `T\n===`): the document's title
   * when there is no front matter. Returns its text and the source after it.
   */
  leadingTitle(source: string): { title: string; rest: string } | undefined {
    const tokens = this.md.parse(source, { refs: new CrossRefs() });
    const [open, inline] = tokens;
    if (open?.type !== "heading_open" || open.tag !== "h1" || !open.map || !inline) return undefined;
    const rest = source.split("\n").slice(open.map[1]).join("\n");
    return { title: inline.content.trim(), rest };
  }

  /** Numbers the cell's display equations in document order (see equations.ts); call once per cell, in order. */
  numberEquations(source: string, refs: CrossRefs): string {
    return numberDisplayMath(source, refs);
  }

  /** Inline Markdown (a title, a caption) without the paragraph around it. */
  renderInline(text: string, refs: CrossRefs): string {
    return this.md.renderInline(text, { refs });
  }

  /**
   * Renders one cell. `sectionNumbers` holds the numbers of this cell's numbered headings in order
   * (from the first pass); labelled equations get `\tag{n}` and an anchor.
   */
  render(source: string, refs: CrossRefs, sectionNumbers: (string | undefined)[] = []): string {
    const withTags = source.replace(EQUATION, (_all, tex: string, label: string) => {
      const target = refs.get(label);
      return `<span id="${label}" class="eq-anchor"></span>\n$$${tex.trim()} \\tag{${target?.number ?? "?"}}$$`;
    });
    const env: Env = { refs };
    const tokens = this.md.parse(withTags, env);
    let h = 0;
    tokens.forEach((token, i) => {
      if (token.type !== "heading_open") return;
      const number = sectionNumbers[h++];
      const inline = tokens[i + 1];
      if (number && inline.children) {
        // markdown-it does not export its Token class in the CJS typings; the inline token has it.
        const TokenClass = inline.constructor as new (type: string, tag: string, nesting: number) => typeof inline;
        const span = new TokenClass("html_inline", "", 0);
        span.content = `<span class="secnum">${number}</span> `;
        inline.children.unshift(span);
      }
    });
    return forPaper(this.md.renderer.render(tokens, this.md.options, env));
  }
}

function stripTrailing(inline: { content: string; children: { type: string; content: string }[] | null }, pattern: RegExp): void {
  inline.content = inline.content.replace(pattern, "");
  const last = inline.children?.[inline.children.length - 1];
  if (last && last.type === "text") last.content = last.content.replace(pattern, "");
}

/** Unused labels of a kind nobody references are fine; a malformed one is reported by the caller. */
export function isLabel(label: string | undefined): label is string {
  return label !== undefined && refKind(label) !== undefined;
}
