import {
  countWords,
  deriveExcerpt,
  readingTimeMinutes,
  renderMarkdown,
  type RenderedMarkdown,
} from '../../lib/markdown.ts';
import type { ArticleContent, ArticleState } from './articles.repository.ts';
import type { UpdateArticleInput } from './articles.schemas.ts';

// What is derived from an article's Markdown on every save, and how an edit applies to the
// stored state. Markdown is rendered only when the body or the excerpt needs it.

export interface Derived {
  bodyHtml: string;
  bodyText: string | undefined;
  wordCount: number;
  readingTimeMinutes: number;
}

export function derivedFrom(rendered: RenderedMarkdown): Derived {
  const wordCount = countWords(rendered.text);
  return {
    bodyHtml: rendered.html,
    bodyText: rendered.text,
    wordCount,
    readingTimeMinutes: readingTimeMinutes(wordCount),
  };
}

/** Applies an edit to the current state; Markdown is rendered only when the body or excerpt needs it. */
export function applyEdit(
  current: ArticleState,
  patch: UpdateArticleInput,
  renderedBody: RenderedMarkdown | undefined,
): ArticleContent {
  const excerptSource = patch.excerpt === undefined ? current.excerptSource : patch.excerpt;
  const needsText =
    renderedBody === undefined && excerptSource === null && current.excerptSource !== null;
  const rendered = renderedBody ?? (needsText ? renderMarkdown(current.body) : undefined);
  const derived: Derived =
    rendered === undefined
      ? {
          bodyHtml: current.bodyHtml,
          bodyText: undefined,
          wordCount: current.wordCount,
          readingTimeMinutes: current.readingTimeMinutes,
        }
      : derivedFrom(rendered);
  return {
    language: patch.language ?? current.language,
    headline: patch.headline ?? current.headline,
    dek: patch.dek === undefined ? current.dek : patch.dek,
    excerptSource,
    excerpt:
      excerptSource ?? (rendered === undefined ? current.excerpt : deriveExcerpt(rendered.text)),
    body: patch.body ?? current.body,
    ...derived,
    photoId: patch.photoId === undefined ? current.photoId : patch.photoId,
    authorIds: patch.authorIds ?? current.authorIds,
    tagIds: patch.tagIds ?? current.tagIds,
    status: current.status,
    publishedAt: current.publishedAt,
  };
}

/** The current content unchanged, for workflow transitions that only move status and time. */
export function unchanged(current: ArticleState): ArticleContent {
  return applyEdit(current, {}, undefined);
}
