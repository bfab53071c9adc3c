import MarkdownIt from 'markdown-it';

// CommonMark, with raw HTML escaped (never rendered) and only http(s), mailto and scheme-less
// (relative, #fragment) link targets. Images: http(s) only.

const md = new MarkdownIt('commonmark', { html: false, linkify: false, typographer: false });

const allowedLink = /^(https?:|mailto:)/i;
const allowedImage = /^https?:/i;
const hasScheme = /^[a-z][a-z0-9+.-]*:/i;

md.validateLink = (url: string): boolean => {
  const trimmed = url.trim();
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  const normalised = trimmed.replace(/[\u0000-\u0020\u007f]/g, '');
  return allowedLink.test(normalised) || !hasScheme.test(normalised);
};

const defaultImageRule = md.renderer.rules.image;
md.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index];
  const src = token?.attrGet('src') ?? '';
  if (!allowedImage.test(src)) return md.utils.escapeHtml(token?.content ?? '');
  return defaultImageRule === undefined
    ? self.renderToken(tokens, index, options)
    : defaultImageRule(tokens, index, options, env, self);
};

/**
 * The most HTML a body may render to. Escaping alone can make 6 characters of one (`"` →
 * `&quot;`), but a link reference defined once with a long URL and used thousands of times made
 * 50 MB of HTML from 200 KB of Markdown; such a body is refused instead of stored and served.
 */
export const maxRenderedHtmlLength = 1_500_000;

export class RenderedTooLargeError extends Error {
  constructor(readonly length: number) {
    super(
      `The Markdown renders to ${length} characters of HTML; at most ${maxRenderedHtmlLength} are allowed.`,
    );
    this.name = 'RenderedTooLargeError';
  }
}

// Tag-like runs (`<script>`, `</b>`, `<!-- x -->`): Markdown decodes `&lt;b&gt;` to `<b>` in
// text, and derived plain text (excerpts, search, word counts) must carry no markup. Linear: each
// match starts at a "<" and stops at the next "<" or ">".
const markupPattern = /<\/?[A-Za-z!][^<>]*>/g;

/** Plain text with tag-like runs removed (what remains of a lone "<" or ">" is kept). */
export function stripMarkup(text: string): string {
  return text.replace(markupPattern, '').replace(/[ \t]{2,}/g, ' ');
}

export interface RenderedMarkdown {
  html: string;
  /** Plain text, blocks separated by newlines: for search, excerpts and word counts. */
  text: string;
}

export function renderMarkdown(source: string): RenderedMarkdown {
  const tokens = md.parse(source, {});
  const blocks: string[] = [];
  for (const token of tokens) {
    if (token.type !== 'inline' && token.type !== 'fence' && token.type !== 'code_block') continue;
    if (token.type !== 'inline') {
      blocks.push(token.content.trim());
      continue;
    }
    const parts = (token.children ?? []).map((child) => {
      if (child.type === 'text' || child.type === 'code_inline') return child.content;
      if (child.type === 'softbreak' || child.type === 'hardbreak') return ' ';
      if (child.type === 'image') return child.content;
      return '';
    });
    blocks.push(parts.join('').trim());
  }
  const html = md.renderer.render(tokens, md.options, {});
  if (html.length > maxRenderedHtmlLength) throw new RenderedTooLargeError(html.length);
  return {
    html,
    text: blocks
      .map((block) => stripMarkup(block).trim())
      .filter(Boolean)
      .join('\n'),
  };
}

const wordPattern = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function countWords(text: string): number {
  return text.match(wordPattern)?.length ?? 0;
}

/** At ~230 words a minute, never less than one minute. */
export function readingTimeMinutes(wordCount: number): number {
  return Math.max(1, Math.ceil(wordCount / 230));
}

/** The first paragraph, cut at a word boundary with an ellipsis when longer than `max`. */
export function deriveExcerpt(text: string, max = 280): string {
  const first =
    text
      .split('\n')
      .find((block) => block.trim() !== '')
      ?.trim() ?? '';
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  const boundary = cut.lastIndexOf(' ');
  return `${(boundary > max / 2 ? cut.slice(0, boundary) : cut).replace(/[\s,;:.\-–—]+$/, '')}…`;
}
