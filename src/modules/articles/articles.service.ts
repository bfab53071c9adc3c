import { conflict, forbidden, invalidFields, notFound } from '../../errors.ts';
import { checkVersion, type ExpectedVersion } from '../shared/versions.ts';
import { deriveExcerpt, renderMarkdown } from '../../lib/markdown.ts';
import { applyEdit, derivedFrom, noSeo, seoAfter, unchanged } from './articles.content.ts';
import type { ArticleSeoColumns } from '../../db/schema/articles.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import { embeddedPhoto } from '../photos/photos.service.ts';
import { toAdminCorrection, toCorrection } from '../corrections/corrections.service.ts';
import type { CorrectionsRepository } from '../corrections/corrections.repository.ts';
import {
  type AdminCorrection,
  type CreateCorrectionInput,
  maxCorrectionsPerArticle,
  type UpdateCorrectionInput,
} from '../corrections/corrections.schemas.ts';
import type { CorrectionKind } from '../../db/schema/corrections.ts';
import type { Db } from '../../db/store.ts';
import { type Principal, roleAtLeast } from '../../lib/roles.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges, keys } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import { type ArticleRow, type ArticleWithEmbeds, editionsOf } from './articles.embed.ts';
import type {
  AdminListFilters,
  ArticleDecision,
  ArticleState,
  ArticlesRepository,
  EditionsAnnouncement,
} from './articles.repository.ts';
import type { RevisionsRepository } from './articles.revisions.ts';
import type {
  AdminArticle,
  ArticleStatus,
  CreateArticleInput,
  EmbargoInput,
  Revision,
  UpdateArticleInput,
} from './articles.schemas.ts';
import { articleAnnouncement, type CorrectionNamed } from './articles.events.ts';
import { searchTerms } from './articles.search.ts';

// The editorial rules: who may change what, the workflow between statuses, the If-Match check,
// and what each change makes stale. Derived text lives in articles.content.ts, persistence in
// the repository.

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
    corrections: (embeds.corrections.get(row.id) ?? []).map(toCorrection),
    embargo:
      row.embargoUntil === null
        ? null
        : { until: iso(row.embargoUntil), source: row.embargoSource, note: row.embargoNote },
    translationGroupId: row.translationGroupId,
    translations: editionsOf(row, embeds).map((edition) => ({
      id: edition.id,
      language: edition.language,
      slug: edition.slug,
      status: effectiveStatus(edition, now),
    })),
  };
}

/** Embargoed copy is public at the lift at the earliest: its publication time is held there. */
function notBeforeEmbargo(publishedAt: Date, embargoUntil: Date | null): Date {
  return embargoUntil !== null && embargoUntil.getTime() > publishedAt.getTime()
    ? embargoUntil
    : publishedAt;
}

const checkArticleVersion = (current: ArticleState, expected: ExpectedVersion): void =>
  checkVersion('article', current.version, expected);

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
  corrections: CorrectionsRepository;
  revisions: RevisionsRepository;
  changed: ContentChanged;
  clock: Clock;
  articleUrl: ArticleUrl;
}

const noSuchArticle = 'No article with that id.';
const noSuchCorrection = 'No correction with that id on this article.';

export function createArticlesService({
  repository,
  corrections,
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
    write: VersionedWrite,
    decide: (current: ArticleState, at: Date) => ArticleDecision,
  ): Promise<AdminArticle> {
    const { saved, at } = await mutateArticle(write, decide);
    return toAdminArticle(saved, at);
  }

  /** `mutate`, with a write of the article's own alongside (a correction) and its record back. */
  async function mutateArticle(
    { id, expected, principal }: VersionedWrite,
    decide: (current: ArticleState, at: Date) => ArticleDecision,
    options: {
      alongside?: (tx: Db, current: ArticleState, at: Date) => Promise<void>;
      /** A correction write announces `article.corrected`, naming it. */
      correction?: () => CorrectionNamed;
    } = {},
  ): Promise<{ saved: ArticleWithEmbeds; at: Date }> {
    const at = clock.now();
    const { alongside } = options;
    const saved = await inRequestTerms(
      repository.mutate(
        id,
        (current) => {
          checkArticleVersion(current, expected);
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
            announcement: articleAnnouncement(
              before,
              after.row,
              at,
              keys,
              articleUrl,
              options.correction?.(),
            ),
          };
        },
        alongside === undefined ? undefined : (tx, current) => alongside(tx, current, at),
      ),
    );
    if (saved === undefined) throw notFound(noSuchArticle);
    changed(saved.keys);
    return { saved: saved.after, at };
  }

  /** The correction `correctionId` of the article as saved. */
  function savedCorrection(saved: ArticleWithEmbeds, correctionId: string): AdminCorrection {
    const record = saved.embeds.corrections.get(saved.row.id)?.find((c) => c.id === correctionId);
    if (record === undefined) throw new Error('the correction vanished inside its own write');
    return toAdminCorrection(record);
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

  /** Retractions withdraw a story's standing: an editor's call. */
  function assertMayUse(principal: Principal, kind: CorrectionKind): void {
    if (kind === 'retraction' && !roleAtLeast(principal.role, 'editor'))
      throw forbidden('Only editors can retract an article.');
  }

  const correctionWork = {
    /** Corrections go on what readers have seen: a published (or archived) article. */
    async add(
      write: VersionedWrite,
      input: CreateCorrectionInput,
    ): Promise<{ correction: AdminCorrection; version: number }> {
      let createdId = '';
      const { saved } = await mutateArticle(
        write,
        (current, at) => {
          const status = effectiveStatus(current, at);
          if (status === 'draft' || status === 'scheduled')
            throw conflict(
              `A correction goes on a published article; this one is ${status === 'draft' ? 'a draft' : 'scheduled'}. Edit the text instead.`,
            );
          assertMayUse(write.principal, input.kind);
          return { content: unchanged(current) };
        },
        {
          alongside: async (tx, current, at) => {
            if ((await corrections.countFor(tx, current.id)) >= maxCorrectionsPerArticle)
              throw conflict(
                `An article carries at most ${maxCorrectionsPerArticle} corrections; edit one instead.`,
              );
            createdId = await corrections.insert(tx, current.id, input, at);
          },
          correction: () => ({ id: createdId, kind: input.kind }),
        },
      );
      return { correction: savedCorrection(saved, createdId), version: saved.row.version };
    },

    /** A new wording; the old one is kept in the correction's history. */
    async edit(
      write: VersionedWrite,
      correctionId: string,
      patch: UpdateCorrectionInput,
    ): Promise<{ correction: AdminCorrection; version: number }> {
      let kind = patch.kind ?? 'correction';
      const { saved } = await mutateArticle(write, (current) => ({ content: unchanged(current) }), {
        alongside: async (tx, current, at) => {
          const found = await corrections.find(tx, current.id, correctionId);
          if (found === undefined) throw notFound(noSuchCorrection);
          kind = patch.kind ?? found.kind;
          if (found.kind === 'retraction' || kind === 'retraction')
            assertMayUse(write.principal, 'retraction');
          await corrections.reword(tx, found, { kind, text: patch.text ?? found.text }, at);
        },
        correction: () => ({ id: correctionId, kind }),
      });
      return { correction: savedCorrection(saved, correctionId), version: saved.row.version };
    },

    /** Only while the article is a draft again: what readers were told stays on the record. */
    async remove(write: VersionedWrite, correctionId: string): Promise<number> {
      const { saved } = await mutateArticle(
        write,
        (current, at) => {
          if (effectiveStatus(current, at) !== 'draft')
            throw conflict(
              'A correction stays once readers could see it; edit it instead (its wording history is kept), or unpublish the article first.',
            );
          return { content: unchanged(current) };
        },
        {
          alongside: async (tx, current) => {
            const found = await corrections.find(tx, current.id, correctionId);
            if (found === undefined) throw notFound(noSuchCorrection);
            await corrections.remove(tx, correctionId);
          },
        },
      );
      return saved.row.version;
    },

    async list(id: string): Promise<AdminCorrection[]> {
      const found = await repository.findWithEmbeds(id);
      if (found === undefined) throw notFound(noSuchArticle);
      return (found.embeds.corrections.get(id) ?? []).map(toAdminCorrection);
    },
  };

  /**
   * A link or unlink changes the public `translations` of every edition readers can see: each
   * is announced as `article.updated` (drafts and scheduled editions announce nothing).
   */
  const editionsAnnouncement =
    (at: Date): EditionsAnnouncement =>
    (members, changedKeys) => ({
      events: members.flatMap(
        (member) => articleAnnouncement(member, member, at, changedKeys, articleUrl).events,
      ),
    });

  /** Reads an article back for the editor after a change to its translation group. */
  async function reread(id: string, members: string[] | undefined): Promise<AdminArticle> {
    if (members === undefined) throw notFound('No article with that id (or no such edition).');
    changed([keys.articleList, ...members.map(keys.article)]);
    const found = await repository.findWithEmbeds(id);
    if (found === undefined) throw notFound(noSuchArticle);
    return toAdminArticle(found, clock.now());
  }

  const editionWork = {
    /** A draft copy of the article in `language`, to be translated, in the same group. */
    async create(id: string, language: string): Promise<AdminArticle> {
      const at = clock.now();
      const created = await inRequestTerms(
        repository.createEdition(
          id,
          language,
          (source) => ({
            ...applyEdit(source, {}, renderMarkdown(source.body)),
            language,
            status: 'draft',
            publishedAt: null,
            embargoUntil: null,
            embargoSource: null,
            embargoNote: null,
          }),
          at,
        ),
      );
      if (created === undefined) throw notFound(noSuchArticle);
      return toAdminArticle(created, at);
    },

    link: async (id: string, otherId: string): Promise<AdminArticle> => {
      const at = clock.now();
      return reread(
        id,
        await inRequestTerms(repository.link(id, otherId, at, editionsAnnouncement(at))),
      );
    },

    unlink: async (id: string): Promise<AdminArticle> => {
      const at = clock.now();
      return reread(id, await repository.unlink(id, at, editionsAnnouncement(at)));
    },
  };

  return {
    corrections: correctionWork,
    editions: editionWork,

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
            embargoUntil: null,
            embargoSource: null,
            embargoNote: null,
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

    /** Publishes now, at a given time (backdated), or later (scheduled); never before an embargo lifts. */
    publish(write: VersionedWrite, publishedAt: Date | undefined): Promise<AdminArticle> {
      return mutate(write, (current, at) => ({
        content: {
          ...unchanged(current),
          status: 'published',
          // Re-publishing without a time keeps the original publication time.
          publishedAt: notBeforeEmbargo(
            publishedAt ?? (current.status === 'published' ? current.publishedAt : null) ?? at,
            current.embargoUntil,
          ),
        },
      }));
    },

    /**
     * Holds the article off every public surface until `until`. A published article is held
     * there (if it was public, it is withdrawn until then); a draft keeps the embargo for when it
     * is published.
     */
    embargo(write: VersionedWrite, input: EmbargoInput): Promise<AdminArticle> {
      const until = new Date(input.until);
      return mutate(write, (current, at) => {
        if (until.getTime() <= at.getTime())
          throw invalidFields([{ path: 'body.until', message: 'Must be in the future.' }]);
        return {
          content: {
            ...unchanged(current),
            embargoUntil: until,
            embargoSource: input.source ?? null,
            embargoNote: input.note ?? null,
            publishedAt:
              current.status === 'published' && current.publishedAt !== null
                ? notBeforeEmbargo(current.publishedAt, until)
                : current.publishedAt,
          },
        };
      });
    },

    /** Lifted early: an article held by the embargo is public now. */
    liftEmbargo(write: VersionedWrite): Promise<AdminArticle> {
      return mutate(write, (current, at) => {
        if (current.embargoUntil === null) throw conflict('The article has no embargo.');
        const heldByIt =
          current.status === 'published' &&
          current.publishedAt !== null &&
          current.publishedAt.getTime() === current.embargoUntil.getTime() &&
          current.publishedAt.getTime() > at.getTime();
        return {
          content: {
            ...unchanged(current),
            embargoUntil: null,
            embargoSource: null,
            embargoNote: null,
            publishedAt: heldByIt ? at : current.publishedAt,
          },
        };
      });
    },

    unpublish: (write: VersionedWrite) => transition(write, 'draft'),

    archive: (write: VersionedWrite) => transition(write, 'archived'),

    async remove({ id, expected, principal }: VersionedWrite): Promise<void> {
      const at = clock.now();
      const removed = await repository.remove(
        id,
        (current) => {
          checkArticleVersion(current, expected);
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
