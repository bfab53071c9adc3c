import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { claimSlug } from '../shared/slugs.ts';
import type { AdminPage, CreatePageInput, PublicPage, UpdatePageInput } from './pages.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type PageRow = Store['tables']['pages']['$inferSelect'];

function toAdminPage(row: PageRow): AdminPage {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    body: row.body,
    bodyHtml: row.bodyHtml,
    status: row.status,
    version: row.version,
    publishedAt: isoOrNull(row.publishedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createPagesRepository(store: Store, changed: ContentChanged = ignoreChanges) {
  const { pages, pageVersions } = store.tables;
  const ph = sql.placeholder;

  const publishedBySlug = store.statement('pages.publishedBySlug', (db) =>
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
  const publishedVersion = store.statement('pages.publishedVersion', (db) =>
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

  /** The page with its id, which names its content key (`page:<id>`). */
  const toPublic = (row: {
    id: string;
    slug: string;
    title: string;
    bodyHtml: string;
    version: number;
    updatedAt: Date;
  }): { id: string; page: PublicPage } => {
    const { id, updatedAt, ...rest } = row;
    return { id, page: { ...rest, updatedAt: iso(updatedAt) } };
  };

  return {
    async findPublished(slug: string): Promise<{ id: string; page: PublicPage } | undefined> {
      const [row] = await publishedBySlug({ slug });
      return row === undefined ? undefined : toPublic(row);
    },

    /** The exact text a version had, e.g. the privacy policy a subscriber agreed to. */
    async findPublishedVersion(
      slug: string,
      version: number,
    ): Promise<{ id: string; page: PublicPage } | undefined> {
      const [row] = await publishedVersion({ slug, version });
      return row === undefined ? undefined : toPublic(row);
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

    async versionExists(slug: string, version: number): Promise<boolean | 'no-such-page'> {
      const [page] = await store.db
        .select({ id: pages.id, version: pages.version })
        .from(pages)
        .where(eq(pages.slug, slug))
        .limit(1);
      if (page === undefined) return 'no-such-page';
      return version >= 1 && version <= page.version;
    },

    async findIdBySlug(slug: string): Promise<string | undefined> {
      const [row] = await store.db
        .select({ id: pages.id })
        .from(pages)
        .where(eq(pages.slug, slug))
        .limit(1);
      return row?.id;
    },

    async findById(id: string): Promise<AdminPage | undefined> {
      const [row] = await store.db.select().from(pages).where(eq(pages.id, id)).limit(1);
      return row === undefined ? undefined : toAdminPage(row);
    },

    async list(options: { limit: number; afterSlug: string | null }) {
      const rows = await store.db
        .select()
        .from(pages)
        .where(options.afterSlug === null ? undefined : gt(pages.slug, options.afterSlug))
        .orderBy(asc(pages.slug))
        .limit(options.limit + 1);
      return { items: rows.map(toAdminPage), total: await store.db.$count(pages) };
    },

    async create(input: CreatePageInput, at: Date): Promise<AdminPage> {
      const bodyHtml = renderMarkdown(input.body).html;
      const status = input.status ?? 'draft';
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, {
          table: pages,
          slugColumn: pages.slug,
          idColumn: pages.id,
          requested: input.slug,
          source: input.title,
          fallback: 'page',
        });
        const id = newId('pag', at.getTime());
        const [inserted] = await tx
          .insert(pages)
          .values({
            id,
            slug,
            title: input.title,
            body: input.body,
            bodyHtml,
            status,
            version: 1,
            publishedAt: status === 'published' ? at : null,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        await tx.insert(pageVersions).values({
          pageId: id,
          version: 1,
          title: input.title,
          body: input.body,
          bodyHtml,
          createdAt: at,
          publishedAt: status === 'published' ? at : null,
        });
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      changed(contentChanges.pageCreated());
      return toAdminPage(row);
    },

    /** A change to the title or body is a new version; its text is kept for good. */
    async update(id: string, input: UpdatePageInput, at: Date): Promise<AdminPage> {
      const bodyHtml = input.body === undefined ? undefined : renderMarkdown(input.body).html;
      const row = await store.write(async (tx) => {
        const [current] = await tx.select().from(pages).where(eq(pages.id, id)).limit(1);
        if (current === undefined) throw notFound('No page with that id.');
        const slug =
          input.slug === undefined
            ? current.slug
            : await claimSlug(tx, {
                table: pages,
                slugColumn: pages.slug,
                idColumn: pages.id,
                requested: input.slug,
                source: '',
                fallback: 'page',
                ownId: id,
              });
        const title = input.title ?? current.title;
        const body = input.body ?? current.body;
        const textChanged = title !== current.title || body !== current.body;
        const version = textChanged ? current.version + 1 : current.version;
        const status = input.status ?? current.status;
        const [updated] = await tx
          .update(pages)
          .set({
            slug,
            title,
            body,
            bodyHtml: bodyHtml ?? current.bodyHtml,
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
            bodyHtml: bodyHtml ?? current.bodyHtml,
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
        return updated;
      });
      if (row === undefined) throw notFound('No page with that id.');
      // Newsletters link to their privacy-policy page.
      changed(contentChanges.pageUpdated(id));
      return toAdminPage(row);
    },

    /**
     * Only a page that was never published can be deleted: a published version may be the text a
     * reader consented to, and the consent record must keep pointing at it. Unpublish instead.
     */
    async delete(id: string): Promise<void> {
      await store.write(async (tx) => {
        const [current] = await tx
          .select({ publishedAt: pages.publishedAt, status: pages.status })
          .from(pages)
          .where(eq(pages.id, id))
          .limit(1);
        if (current === undefined) throw notFound('No page with that id.');
        if (current.status === 'published' || current.publishedAt !== null) {
          throw conflict(
            'A page that has been published keeps its versions (readers may have agreed to them); set its status to draft instead.',
          );
        }
        await tx.delete(pageVersions).where(eq(pageVersions.pageId, id));
        await tx.delete(pages).where(eq(pages.id, id));
      });
      changed(contentChanges.pageUpdated(id));
    },
  };
}

export type PagesRepository = ReturnType<typeof createPagesRepository>;
