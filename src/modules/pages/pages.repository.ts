import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { logChange } from '../shared/change-log.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import type { Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { type Announcement, recordAnnouncement } from '../shared/outbox.ts';
import { sluggedRecords } from '../shared/slugged-records.ts';
import { claimSlug, slugClaims } from '../shared/slugs.ts';

export type PageRecord = Store['tables']['pages']['$inferSelect'];

/** The text of a published page as readers get it, in its current or an earlier version. */
export interface PublishedPageRecord {
  id: string;
  slug: string;
  title: string;
  bodyHtml: string;
  version: number;
  updatedAt: Date;
}

export interface PageText {
  title: string;
  body: string;
  bodyHtml: string;
}

/** Readers' view is what counts: a draft's edits announce nothing. */
function pageAnnouncement(
  before: PageRecord['status'],
  after: PageRecord['status'],
  page: { id: string; slug: string; version: number },
  at: Date,
  keys: readonly ContentKey[],
): Announcement | undefined {
  if (after === 'published')
    return recordAnnouncement(
      before === 'published' ? 'page.updated' : 'page.published',
      page,
      at,
      keys,
    );
  if (before === 'published') return recordAnnouncement('page.unpublished', page, at, keys);
  return undefined;
}

export function createPagesRepository(store: Store) {
  const { pages, pageVersions } = store.tables;
  const ph = sql.placeholder;

  const publishedBySlug = store.statement<PublishedPageRecord[], { slug: string }>(
    'pages.publishedBySlug',
    (db) =>
      db
        .select({
          id: pages.id,
          slug: pages.slug,
          title: pages.title,
          bodyHtml: pages.bodyHtml,
          version: pages.version,
          updatedAt: pages.updatedAt,
        })
        .from(pages)
        .where(and(eq(pages.slug, ph('slug')), eq(pages.status, 'published')))
        .limit(1),
  );
  const publishedVersion = store.statement<
    PublishedPageRecord[],
    { slug: string; version: number }
  >('pages.publishedVersion', (db) =>
    db
      .select({
        id: pages.id,
        slug: pages.slug,
        title: pageVersions.title,
        bodyHtml: pageVersions.bodyHtml,
        version: pageVersions.version,
        updatedAt: pageVersions.createdAt,
      })
      .from(pageVersions)
      .innerJoin(pages, eq(pages.id, pageVersions.pageId))
      .where(
        and(
          eq(pages.slug, ph('slug')),
          eq(pages.status, 'published'),
          eq(pageVersions.version, ph('version')),
          // Only text that was public once: a version written while the page was a draft stays
          // the editors' own, even after the page is published.
          isNotNull(pageVersions.publishedAt),
        ),
      )
      .limit(1),
  );
  const records = sluggedRecords(store, pages, { idPrefix: 'pag', fallbackSlug: 'page' });
  // Pages write their versions alongside, so their writes are their own.
  const slugClaim = slugClaims(pages, 'page');

  return {
    async findPublished(slug: string): Promise<PublishedPageRecord | undefined> {
      const [row] = await publishedBySlug({ slug });
      return row;
    },

    /** The exact text a version had, e.g. the privacy policy a subscriber agreed to. */
    async findPublishedVersion(
      slug: string,
      version: number,
    ): Promise<PublishedPageRecord | undefined> {
      const [row] = await publishedVersion({ slug, version });
      return row;
    },

    /** Current version of each published page among `slugs`: one query for a whole list. */
    async publishedVersions(slugs: readonly string[]): Promise<Map<string, number>> {
      if (slugs.length === 0) return new Map();
      const rows = await store.db
        .select({ slug: pages.slug, version: pages.version })
        .from(pages)
        .where(and(inArray(pages.slug, [...new Set(slugs)]), eq(pages.status, 'published')));
      return new Map(rows.map((row) => [row.slug, row.version]));
    },

    /** The newest version of the page at `slug`, published or not; undefined without a page. */
    async latestVersion(slug: string): Promise<number | undefined> {
      const [page] = await store.db
        .select({ version: pages.version })
        .from(pages)
        .where(eq(pages.slug, slug))
        .limit(1);
      return page?.version;
    },

    findBySlug: records.findBySlug,
    findById: records.findById,
    list: (page: { limit: number; after: string | null }) => records.list(page),
    count: records.count,

    /** Version 1, kept for good. A taken slug is a `SlugTakenError`. */
    async create(
      fields: PageText & { slug: string | undefined; status: PageRecord['status'] },
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<PageRecord> {
      const publishedAt = fields.status === 'published' ? at : null;
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, slugClaim(fields.slug, fields.title));
        const id = newId('pag', at.getTime());
        const [inserted] = await tx
          .insert(pages)
          .values({
            ...fields,
            id,
            slug,
            version: 1,
            publishedAt,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        const { title, body, bodyHtml } = fields;
        await tx
          .insert(pageVersions)
          .values({ pageId: id, version: 1, title, body, bodyHtml, createdAt: at, publishedAt });
        await logChange(
          store,
          tx,
          keys,
          at,
          fields.status === 'published'
            ? recordAnnouncement('page.published', { id, slug, version: 1 }, at, keys)
            : undefined,
        );
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    /**
     * A change to the title or body is a new version whose text is kept for good; undefined when
     * there is no such page. `bodyHtml` comes with a new `body`.
     */
    async update(
      id: string,
      changes: Partial<PageText> & { slug?: string | undefined; status?: PageRecord['status'] },
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<PageRecord | undefined> {
      return store.write(async (tx) => {
        const [current] = await tx.select().from(pages).where(eq(pages.id, id)).limit(1);
        if (current === undefined) return undefined;
        const slug =
          changes.slug === undefined
            ? current.slug
            : await claimSlug(tx, slugClaim(changes.slug, '', id));
        const title = changes.title ?? current.title;
        const body = changes.body ?? current.body;
        const bodyHtml = changes.bodyHtml ?? current.bodyHtml;
        const textChanged = title !== current.title || body !== current.body;
        const version = textChanged ? current.version + 1 : current.version;
        const status = changes.status ?? current.status;
        const [updated] = await tx
          .update(pages)
          .set({
            slug,
            title,
            body,
            bodyHtml,
            status,
            version,
            // First publication time: kept when unpublished, so a once-public page stays undeletable.
            publishedAt: current.publishedAt ?? (status === 'published' ? at : null),
            updatedAt: at,
          })
          .where(eq(pages.id, id))
          .returning();
        if (textChanged) {
          await tx.insert(pageVersions).values({
            pageId: id,
            version,
            title,
            body,
            bodyHtml,
            createdAt: at,
            publishedAt: status === 'published' ? at : null,
          });
        } else if (status === 'published') {
          // Publishing makes the current text public from now on.
          await tx
            .update(pageVersions)
            .set({ publishedAt: at })
            .where(
              and(
                eq(pageVersions.pageId, id),
                eq(pageVersions.version, version),
                isNull(pageVersions.publishedAt),
              ),
            );
        }
        await logChange(
          store,
          tx,
          keys,
          at,
          pageAnnouncement(current.status, status, { id, slug, version }, at, keys),
        );
        return updated;
      });
    },

    /**
     * Deletes a page with its versions only if it was never published (checked in the same
     * transaction): a published version may be the text a reader consented to.
     */
    async deleteUnpublished(
      id: string,
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<'deleted' | 'not-found' | 'was-published'> {
      return store.write(async (tx) => {
        const [current] = await tx
          .select({ publishedAt: pages.publishedAt, status: pages.status })
          .from(pages)
          .where(eq(pages.id, id))
          .limit(1);
        if (current === undefined) return 'not-found';
        if (current.status === 'published' || current.publishedAt !== null) return 'was-published';
        await tx.delete(pageVersions).where(eq(pageVersions.pageId, id));
        await tx.delete(pages).where(eq(pages.id, id));
        await logChange(store, tx, keys, at);
        return 'deleted';
      });
    },
  };
}

export type PagesRepository = ReturnType<typeof createPagesRepository>;
