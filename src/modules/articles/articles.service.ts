import { conflict, forbidden, notFound, preconditionFailed } from '../../errors.ts';
import { deriveExcerpt, renderMarkdown } from '../../lib/markdown.ts';
import { applyEdit, derivedFrom, noSeo, seoAfter, unchanged } from './articles.content.ts';
import type { ArticleSeoColumns } from '../../db/schema/articles.ts';
import type { PageRequest } from '../../pagination.ts';
import type { Principal } from '../../lib/roles.ts';
import { iso } from '../../schemas.ts';
import { embeddedPhoto } from '../photos/photos.service.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import type { ArticleRow, ArticleWithEmbeds } from './articles.embed.ts';
import type {
  AdminListFilters,
  ArticleDecision,
  ArticleState,
  ArticlesRepository,
} from './articles.repository.ts';
import type { RevisionsRepository } from './articles.revisions.ts';
import type {
  AdminArticle,
  ArticleStatus,
  CreateArticleInput,
  Revision,
  UpdateArticleInput,
} from './articles.schemas.ts';
import { articleAnnouncement } from './articles.events.ts';
import { searchTerms } from './articles.search.ts';

// The editorial rules: who may change what, the workflow between statuses, the If-Match check,
// and what each change makes stale. Derived text lives in articles.content.ts, persistence in
// the repository.

/** The versions an If-Match header accepts, or any version for `If-Match: *`. */
export type ExpectedVersion = { versions: number[] } | 'any';

/** What every versioned write names: the article, the versions it may change, and who asks. */
export interface VersionedWrite {
  id: string;
  expected: ExpectedVersion;
  principal: Principal;
}

/** The status readers and editors see: "scheduled" is a published article whose time has not come. */
export function effectiveStatus(
  row: Pick<ArticleRow, 'status' | 'publishedAt'>,
  now: Date,
): ArticleStatus {
  if (
    row.status === 'published' &&
    row.publishedAt !== null &&
    row.publishedAt.getTime() > now.getTime()
  ) {
    return 'scheduled';
  }
  return row.status;
}

/** What every view of an article starts with: which it is and its headline text. */
export function articleIdentity(
  row: Pick<ArticleRow, 'id' | 'slug' | 'language' | 'headline' | 'dek' | 'excerpt'>,
) {
  const { id, slug, language, headline, dek, excerpt } = row;
  return { id, slug, language, headline, dek, excerpt };
}

/** The overrides as stored, in the editor API's shape. */
function seoAsSet(columns: ArticleSeoColumns): Pick<AdminArticle, 'seo' | 'social'> {
  return {
    seo: {
      title: columns.seoTitle,
      description: columns.seoDescription,
      canonicalUrl: columns.canonicalUrl,
      noindex: columns.noindex,
    },
    social: {
      title: columns.socialTitle,
      description: columns.socialDescription,
      photoId: columns.socialPhotoId,
    },
  };
}

export function toAdminArticle({ row, embeds }: ArticleWithEmbeds, now: Date): AdminArticle {
  return {
    ...articleIdentity(row),
    customExcerpt: row.excerptSource,
    body: row.body,
    bodyHtml: row.bodyHtml,
    wordCount: row.wordCount,
    readingTimeMinutes: row.readingTimeMinutes,
    status: effectiveStatus(row, now),
    publishedAt: row.publishedAt === null ? null : iso(row.publishedAt),
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    authors: embeds.authors.get(row.id) ?? [],
    tags: embeds.tags.get(row.id) ?? [],
    photo: embeddedPhoto(row.photoId, embeds.photos),
    ...seoAsSet(row),
  };
}

function checkVersion(current: ArticleState, expected: ExpectedVersion): void {
  if (expected !== 'any' && !expected.versions.includes(current.version)) {
    throw preconditionFailed(
      `The article has changed since you loaded it: it is at version ${current.version}. Reload, reapply your change and send If-Match: "${current.version}".`,
      current.version,
    );
  }
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

/** An article's address on the frontend (lib/site-urls.ts). */
export type ArticleUrl = (article: {
  id: string;
  slug: string;
  language: string;
  publishedAt: Date | null;
}) => string;

export interface ArticlesServiceDeps {
  repository: ArticlesRepository;
  revisions: RevisionsRepository;
  changed: ContentChanged;
  clock: Clock;
  articleUrl: ArticleUrl;
}

const noSuchArticle = 'No article with that id.';

export function createArticlesService({
  repository,
  revisions,
  changed,
  clock,
  articleUrl,
}: ArticlesServiceDeps) {
  const actor = (principal: Principal) => ({ tokenId: principal.tokenId });

  /**
   * Applies `decide` under the If-Match check, inside the write, which also logs what the change
   * touched; then tells this process's caches. Lists, search and "Read more" change only when a
   * public (or scheduled) article does.
   */
  async function mutate(
    { id, expected, principal }: VersionedWrite,
    decide: (current: ArticleState, at: Date) => ArticleDecision,
  ): Promise<AdminArticle> {
    const at = clock.now();
    const saved = await inRequestTerms(
      repository.mutate(
        id,
        (current) => {
          checkVersion(current, expected);
          return decide(current, at);
        },
        at,
        actor(principal),
        (before, after) => {
          const keys = contentChanges.articleChanged({
            id,
            public: before.status === 'published' || after.row.status === 'published',
            slugs: [before.slug, after.row.slug],
            authorIds: [
              ...new Set([
                ...before.authorIds,
                ...(after.embeds.authors.get(id) ?? []).map((a) => a.id),
              ]),
            ],
            tagIds: [
              ...new Set([...before.tagIds, ...(after.embeds.tags.get(id) ?? []).map((t) => t.id)]),
            ],
          });
          return {
            keys,
            announcement: articleAnnouncement(before, after.row, at, keys, articleUrl),
          };
        },
      ),
    );
    if (saved === undefined) throw notFound(noSuchArticle);
    changed(saved.keys);
    return toAdminArticle(saved.after, at);
  }

  function transition(write: VersionedWrite, to: 'draft' | 'archived'): Promise<AdminArticle> {
    return mutate(write, (current) => {
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
    });
  }

  return {
    async get(id: string): Promise<AdminArticle> {
      const found = await repository.findWithEmbeds(id);
      if (found === undefined) throw notFound(noSuchArticle);
      return toAdminArticle(found, clock.now());
    },

    findIdBySlug: (language: string, slug: string) => repository.findIdBySlug(language, slug),

    async list(
      filters: Omit<AdminListFilters, 'terms'> & { q?: string | undefined },
      page: PageRequest<'updatedAt'>,
    ): Promise<{ items: AdminArticle[]; total: number }> {
      const { q, ...rest } = filters;
      const terms = q === undefined ? undefined : searchTerms(q);
      if (terms === null) return { items: [], total: 0 };
      const now = clock.now();
      const { items, total } = await repository.listAdmin({ ...rest, terms }, page, now);
      return { items: items.map((item) => toAdminArticle(item, now)), total };
    },

    /** Every article starts as a draft. */
    async create(input: CreateArticleInput): Promise<AdminArticle> {
      const rendered = renderMarkdown(input.body);
      const excerptSource = input.excerpt ?? null;
      const at = clock.now();
      const created = await inRequestTerms(
        repository.create(
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
            ...seoAfter(noSeo, input.seo, input.social),
          },
          input.slug,
          at,
        ),
      );
      return toAdminArticle(created, at);
    },

    update(write: VersionedWrite, patch: UpdateArticleInput): Promise<AdminArticle> {
      // Rendering happens before the write transaction so the write queue is held briefly.
      const renderedBody = patch.body === undefined ? undefined : renderMarkdown(patch.body);
      return mutate(write, (current, at) => {
        assertWriterMayEdit(write.principal, current, at, 'edit');
        return { content: applyEdit(current, patch, renderedBody), requestedSlug: patch.slug };
      });
    },

    /** Publishes now, at a given time (backdated), or later (scheduled). */
    publish(write: VersionedWrite, publishedAt: Date | undefined): Promise<AdminArticle> {
      return mutate(write, (current, at) => ({
        content: {
          ...unchanged(current),
          status: 'published',
          // Re-publishing without a time keeps the original publication time.
          publishedAt:
            publishedAt ?? (current.status === 'published' ? current.publishedAt : null) ?? at,
        },
      }));
    },

    unpublish: (write: VersionedWrite) => transition(write, 'draft'),

    archive: (write: VersionedWrite) => transition(write, 'archived'),

    async remove({ id, expected, principal }: VersionedWrite): Promise<void> {
      const at = clock.now();
      const removed = await repository.remove(
        id,
        (current) => {
          checkVersion(current, expected);
          assertWriterMayEdit(principal, current, at, 'delete');
        },
        at,
        (current) => {
          const keys = contentChanges.articleChanged({
            id,
            public: current.status === 'published',
            slugs: [],
            authorIds: current.authorIds,
            tagIds: current.tagIds,
          });
          return {
            keys,
            announcement: articleAnnouncement(current, undefined, at, keys, articleUrl),
          };
        },
      );
      if (removed === undefined) throw notFound(noSuchArticle);
      changed(removed.keys);
    },

    async revisions(id: string): Promise<Revision[]> {
      if (!(await repository.exists(id))) throw notFound(noSuchArticle);
      const rows = await revisions.list(id);
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
        ...seoAsSet(row.snapshot.seo ?? noSeo),
      }));
    },

    /**
     * Brings back the words of an earlier version (headline, dek, excerpt, body, bylines, tags,
     * lead photo, search and social overrides) as a new version. The slug, language and publication state stay as they are:
     * restoring text must not move or unpublish a live article.
     */
    async restore(write: VersionedWrite, revisionId: string): Promise<AdminArticle> {
      const revision = await revisions.find(write.id, revisionId);
      if (revision === undefined) throw notFound('No revision with that id for this article.');
      const { snapshot } = revision;
      const renderedBody = renderMarkdown(snapshot.body);
      return mutate(write, (current, at) => {
        assertWriterMayEdit(write.principal, current, at, 'restore');
        const patch: UpdateArticleInput = {
          headline: snapshot.headline,
          dek: snapshot.dek,
          excerpt: snapshot.excerptSource,
          body: snapshot.body,
          authorIds: snapshot.authorIds,
          tagIds: snapshot.tagIds,
          photoId: snapshot.photoId,
          // Revisions kept before the overrides existed leave today's as they are.
          ...(snapshot.seo === undefined ? {} : seoAsSet(snapshot.seo)),
        };
        return { content: applyEdit(current, patch, renderedBody) };
      });
    },
  };
}

export type ArticlesService = ReturnType<typeof createArticlesService>;
