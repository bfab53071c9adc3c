import {
  conflict,
  forbidden,
  ifMatchRequiredDetail,
  invalidFields,
  notFound,
  preconditionRequired,
} from '../../errors.ts';
import {
  countWords,
  deriveExcerpt,
  readingTimeMinutes,
  renderMarkdown,
  type RenderedMarkdown,
} from '../../lib/markdown.ts';
import { parseSearch } from '../../lib/search-query.ts';
import type { Principal } from '../../plugins/auth.ts';
import { effectiveStatus } from './articles.embed.ts';
import type {
  AdminListFilters,
  ArticleContent,
  ArticleState,
  ArticlesRepository,
  ExpectedVersion,
} from './articles.repository.ts';
import type {
  AdminArticle,
  CreateArticleInput,
  Revision,
  UpdateArticleInput,
} from './articles.schemas.ts';

// The editorial rules: who may change what, the workflow between statuses, and what is derived
// from an article's Markdown on every save. Persistence mechanics live in the repository.

/** RFC 9110 If-Match: strong comparison, so weak tags never match; `*` matches any version. */

/** The FTS5 expression for a reader's query, or a 400 naming `query.q` when it is over a limit. */
export function searchMatch(q: string): string | null {
  const parsed = parseSearch(q);
  if (parsed.problem !== undefined)
    throw invalidFields([{ path: 'query.q', message: parsed.problem }]);
  return parsed.match;
}

export function parseIfMatch(header: string | undefined): ExpectedVersion {
  if (header === undefined || header.trim() === '') {
    throw preconditionRequired(ifMatchRequiredDetail);
  }
  if (header.trim() === '*') return 'any';
  const versions = header
    .split(',')
    .map((tag) => /^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(tag))
    .flatMap((match) => (match === null ? [] : [Number(match[1] ?? match[2])]));
  return { versions };
}

export const versionTag = (version: number): string => `"${version}"`;

interface Derived {
  bodyHtml: string;
  bodyText: string | undefined;
  wordCount: number;
  readingTimeMinutes: number;
}

function derivedFrom(rendered: RenderedMarkdown): Derived {
  const wordCount = countWords(rendered.text);
  return {
    bodyHtml: rendered.html,
    bodyText: rendered.text,
    wordCount,
    readingTimeMinutes: readingTimeMinutes(wordCount),
  };
}

function assertWriterMayEdit(
  principal: Principal,
  current: ArticleState,
  now: Date,
  action: string,
): void {
  if (principal.role === 'writer' && effectiveStatus(current, now) !== 'draft') {
    throw forbidden(
      `Writers can ${action} drafts only; this article is ${effectiveStatus(current, now)}. Ask an editor.`,
    );
  }
}

/** Applies an edit to the current state; Markdown is rendered only when the body or excerpt needs it. */
function applyEdit(
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
function unchanged(current: ArticleState): ArticleContent {
  return applyEdit(current, {}, undefined);
}

export interface ArticlesServiceDeps {
  repository: ArticlesRepository;
  now: () => Date;
}

export function createArticlesService({ repository, now }: ArticlesServiceDeps) {
  const actor = (principal: Principal) => ({ tokenId: principal.tokenId });

  async function transition(
    id: string,
    ifMatch: string | undefined,
    principal: Principal,
    to: 'draft' | 'archived',
  ): Promise<AdminArticle> {
    const expected = parseIfMatch(ifMatch);
    const at = now();
    return repository.mutate(
      id,
      expected,
      (current) => {
        if (current.status === to)
          throw conflict(`The article is already ${to === 'draft' ? 'a draft' : 'archived'}.`);
        // Back to draft forgets the publication time; archiving keeps it for the record.
        return {
          content: {
            ...unchanged(current),
            status: to,
            publishedAt: to === 'draft' ? null : current.publishedAt,
          },
        };
      },
      at,
      actor(principal),
    );
  }

  return {
    async get(id: string): Promise<AdminArticle> {
      const article = await repository.findAdmin(id, now());
      if (article === undefined) throw notFound('No article with that id.');
      return article;
    },

    findIdBySlug: repository.findIdBySlug,

    list(
      filters: Omit<AdminListFilters, 'match'> & { q?: string | undefined },
      page: { limit: number; after: [number, string] | null },
    ) {
      const { q, ...rest } = filters;
      const match = q === undefined ? undefined : searchMatch(q);
      if (q !== undefined && match === null) return Promise.resolve({ items: [], total: 0 });
      return repository.listAdmin({ ...rest, match: match ?? undefined }, page, now());
    },

    /** Every article starts as a draft. */
    async create(input: CreateArticleInput): Promise<AdminArticle> {
      const rendered = renderMarkdown(input.body);
      const excerptSource = input.excerpt ?? null;
      return repository.create(
        {
          language: input.language ?? 'en',
          headline: input.headline,
          dek: input.dek ?? null,
          excerptSource,
          excerpt: excerptSource ?? deriveExcerpt(rendered.text),
          body: input.body,
          ...derivedFrom(rendered),
          photoId: input.photoId ?? null,
          authorIds: input.authorIds ?? [],
          tagIds: input.tagIds ?? [],
          status: 'draft',
          publishedAt: null,
        },
        input.slug,
        now(),
      );
    },

    async update(
      id: string,
      ifMatch: string | undefined,
      patch: UpdateArticleInput,
      principal: Principal,
    ): Promise<AdminArticle> {
      const expected = parseIfMatch(ifMatch);
      // Rendering happens before the write transaction so the write queue is held briefly.
      const renderedBody = patch.body === undefined ? undefined : renderMarkdown(patch.body);
      const at = now();
      return repository.mutate(
        id,
        expected,
        (current) => {
          assertWriterMayEdit(principal, current, at, 'edit');
          return { content: applyEdit(current, patch, renderedBody), requestedSlug: patch.slug };
        },
        at,
        actor(principal),
      );
    },

    /** Publishes now, at a given time (backdated), or later (scheduled). */
    async publish(
      id: string,
      ifMatch: string | undefined,
      publishedAt: Date | undefined,
      principal: Principal,
    ): Promise<AdminArticle> {
      const expected = parseIfMatch(ifMatch);
      const at = now();
      return repository.mutate(
        id,
        expected,
        (current) => ({
          content: {
            ...unchanged(current),
            status: 'published',
            // Re-publishing without a time keeps the original publication time.
            publishedAt:
              publishedAt ?? (current.status === 'published' ? current.publishedAt : null) ?? at,
          },
        }),
        at,
        actor(principal),
      );
    },

    async unpublish(
      id: string,
      ifMatch: string | undefined,
      principal: Principal,
    ): Promise<AdminArticle> {
      return transition(id, ifMatch, principal, 'draft');
    },

    async archive(
      id: string,
      ifMatch: string | undefined,
      principal: Principal,
    ): Promise<AdminArticle> {
      return transition(id, ifMatch, principal, 'archived');
    },

    async remove(id: string, ifMatch: string | undefined, principal: Principal): Promise<void> {
      const expected = parseIfMatch(ifMatch);
      const at = now();
      await repository.remove(id, expected, (current) =>
        assertWriterMayEdit(principal, current, at, 'delete'),
      );
    },

    async revisions(id: string): Promise<Revision[]> {
      if (!(await repository.exists(id))) throw notFound('No article with that id.');
      const rows = await repository.listRevisions(id);
      return rows.map((row) => ({
        id: row.id,
        version: row.version,
        createdAt: row.createdAt.toISOString(),
        headline: row.snapshot.headline,
        slug: row.snapshot.slug,
        language: row.snapshot.language,
        dek: row.snapshot.dek,
        customExcerpt: row.snapshot.excerptSource,
        body: row.snapshot.body,
        authorIds: row.snapshot.authorIds,
        tagIds: row.snapshot.tagIds,
        photoId: row.snapshot.photoId,
        status: row.snapshot.status,
        publishedAt: row.snapshot.publishedAt,
      }));
    },

    /**
     * Brings back the words of an earlier version (headline, dek, excerpt, body, bylines, tags,
     * lead photo) as a new version. The slug, language and publication state stay as they are:
     * restoring text must not move or unpublish a live article.
     */
    async restore(
      id: string,
      revisionId: string,
      ifMatch: string | undefined,
      principal: Principal,
    ): Promise<AdminArticle> {
      const expected = parseIfMatch(ifMatch);
      const revision = await repository.findRevision(id, revisionId);
      if (revision === undefined) throw notFound('No revision with that id for this article.');
      const { snapshot } = revision;
      const renderedBody = renderMarkdown(snapshot.body);
      const at = now();
      return repository.mutate(
        id,
        expected,
        (current) => {
          assertWriterMayEdit(principal, current, at, 'restore');
          const patch: UpdateArticleInput = {
            headline: snapshot.headline,
            dek: snapshot.dek,
            excerpt: snapshot.excerptSource,
            body: snapshot.body,
            authorIds: snapshot.authorIds,
            tagIds: snapshot.tagIds,
            photoId: snapshot.photoId,
          };
          return { content: applyEdit(current, patch, renderedBody) };
        },
        at,
        actor(principal),
      );
    },
  };
}

export type ArticlesService = ReturnType<typeof createArticlesService>;
