import {
  countWords,
  deriveExcerpt,
  readingTimeMinutes,
  renderMarkdown,
  type RenderedMarkdown,
} from '../../lib/markdown.ts';
import type { ArticleSeoColumns } from '../../db/schema/articles.ts';
import type { ArticleContent, ArticleState } from './articles.repository.ts';
import type { SeoInput, SocialInput, UpdateArticleInput } from './articles.schemas.ts';

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

/** An article without search or social overrides. */
export const noSeo: ArticleSeoColumns = {
  seoTitle: null,
  seoDescription: null,
  canonicalUrl: null,
  noindex: false,
  socialTitle: null,
  socialDescription: null,
  socialPhotoId: null,
};

/** The overrides after an edit: what it leaves out stays, null clears. */
export function seoAfter(
  current: ArticleSeoColumns,
  seo: SeoInput | undefined,
  social: SocialInput | undefined,
): ArticleSeoColumns {
  const keep = <T>(next: T | undefined, was: T): T => (next === undefined ? was : next);
  return {
    seoTitle: keep(seo?.title, current.seoTitle),
    seoDescription: keep(seo?.description, current.seoDescription),
    canonicalUrl: keep(seo?.canonicalUrl, current.canonicalUrl),
    noindex: seo?.noindex ?? current.noindex,
    socialTitle: keep(social?.title, current.socialTitle),
    socialDescription: keep(social?.description, current.socialDescription),
    socialPhotoId: keep(social?.photoId, current.socialPhotoId),
  };
}

/** Just the overrides of a row that has more. */
export const seoColumnsOf = (row: ArticleSeoColumns): ArticleSeoColumns =>
  seoAfter(row, undefined, undefined);

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
    embargoUntil: current.embargoUntil,
    embargoSource: current.embargoSource,
    embargoNote: current.embargoNote,
    ...seoAfter(current, patch.seo, patch.social),
  };
}

/** The current content unchanged, for workflow transitions that only move status and time. */
export function unchanged(current: ArticleState): ArticleContent {
  return applyEdit(current, {}, undefined);
}
