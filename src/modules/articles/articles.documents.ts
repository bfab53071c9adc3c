import { createHash } from 'node:crypto';
import type { Db, Store } from '../../db/store.ts';
import { etagFor } from '../../lib/etag.ts';
import { serializerFor } from '../../lib/json-serializer.ts';
import { dataEnvelope, iso } from '../../schemas.ts';
import { toPhoto, underEmbargo } from '../photos/photos.service.ts';
import type { PhotoRecord } from '../photos/photos.repository.ts';
import { toCorrection } from '../corrections/corrections.service.ts';
import { logChange } from '../shared/change-log.ts';
import type { ContentChanged } from '../shared/changes.ts';
import { articleKeys, keys, surrogateKey } from '../shared/content-keys.ts';
import {
  type ArticleDocument,
  createArticleDocumentsRepository,
  type DocumentSource,
  type EditionRow,
} from './articles.documents.repository.ts';
import type { EmbeddedRecord } from '../shared/embedded-changes.ts';
import type { SummaryRecord } from './articles.public.queries.ts';
import {
  type ArticleSummary,
  articleSummarySchema,
  type PublicArticle,
  publicArticleSchema,
} from './articles.schemas.ts';
import { type ArticleUrl, articleIdentity } from './articles.service.ts';

// Published articles' public JSON is rendered when it changes, not when it is read: inside the
// write that changes an article, or an author, tag or photo it shows, each published article's
// list item and single-article response are serialised from the very schemas the routes declare
// and stored with their ETag and Surrogate-Key. A public read then returns ready bytes.

/**
 * The renderer's version. Change it whenever what a document contains changes (a field, its
 * format, the keys): start-up then renders every document of another format again.
 */
const rendererVersion = 5;

/** How documents are rendered here: their format, and the frontend address each one carries. */
export interface DocumentRenderer {
  /** The renderer's version and the URL settings together: changing either renders anew. */
  format: number;
  articleUrl: ArticleUrl;
}

/** `urlSettings`: whatever `articleUrl` depends on (ARTICLE_URL_TEMPLATE, SITE_URL). */
export function documentRenderer(articleUrl: ArticleUrl, urlSettings: string): DocumentRenderer {
  const digest = createHash('sha256').update(`${rendererVersion}\n${urlSettings}`).digest();
  // A positive 31-bit number fits the integer column on both backends.
  return { format: digest.readUInt32BE(0) & 0x7fffffff, articleUrl };
}

/** Articles re-rendered per statement batch when a rename touches many of them. */
const renderBatch = 100;

const serializeSummary = serializerFor(articleSummarySchema);
const serializeArticleResponse = serializerFor(dataEnvelope(publicArticleSchema));

export function toSummary(
  { row, authors, tags }: SummaryRecord,
  articleUrl: ArticleUrl,
): ArticleSummary {
  return {
    ...articleIdentity(row),
    url: articleUrl(row),
    wordCount: row.wordCount,
    readingTimeMinutes: row.readingTimeMinutes,
    publishedAt: iso(row.publishedAt ?? new Date(0)),
    updatedAt: iso(row.updatedAt),
    authors,
    tags,
    photo: row.photo === null ? null : toPhoto(row.photo),
  };
}

/** What search engines and social cards show: each override, else what the article has. */
function resolvedSeo(
  summary: ArticleSummary,
  { seo, socialPhoto }: Pick<DocumentSource, 'seo' | 'socialPhoto'>,
): Pick<PublicArticle, 'seo' | 'social'> {
  const title = seo.seoTitle ?? summary.headline;
  const description = seo.seoDescription ?? summary.dek ?? summary.excerpt;
  return {
    seo: {
      title,
      description,
      canonicalUrl: seo.canonicalUrl ?? summary.url,
      noindex: seo.noindex,
    },
    social: {
      title: seo.socialTitle ?? title,
      description: seo.socialDescription ?? description,
      photo: socialPhoto === null ? summary.photo : toPhoto(socialPhoto),
    },
  };
}

/**
 * One article's documents: its list item and its whole `GET /v1/articles/{slug}` answer, as of
 * `now` (which editions are public yet).
 */
export function renderDocument(
  shownSource: DocumentSource,
  renderer: DocumentRenderer,
  now: Date,
  /** A draft preview shows the article as it will be: photos under embargo included. */
  options: { preview?: boolean } = {},
): ArticleDocument {
  // A photo under embargo is left out until it lifts (photos.service.ts liftDue renders this
  // again then); the document still depends on it, so its key stays.
  const held = (photo: PhotoRecord | null) =>
    photo !== null && options.preview !== true && underEmbargo(photo, now);
  const heldPhotoIds = [shownSource.row.photo, shownSource.socialPhoto].flatMap((photo) =>
    photo !== null && held(photo) ? [photo.id] : [],
  );
  const source: DocumentSource = {
    ...shownSource,
    row: { ...shownSource.row, photo: held(shownSource.row.photo) ? null : shownSource.row.photo },
    socialPhoto: held(shownSource.socialPhoto) ? null : shownSource.socialPhoto,
  };
  const summary = toSummary(source, renderer.articleUrl);
  const due = (edition: EditionRow) =>
    edition.publishedAt !== null && edition.publishedAt.getTime() <= now.getTime();
  const upcoming = source.editions.flatMap((edition) =>
    due(edition) || edition.publishedAt === null ? [] : [edition.publishedAt.getTime()],
  );
  const article: PublicArticle = {
    ...summary,
    bodyHtml: source.bodyHtml,
    ...resolvedSeo(summary, source),
    corrections: source.corrections.map(toCorrection),
    translations: source.editions.filter(due).map((edition) => ({
      language: edition.language,
      slug: edition.slug,
      url: renderer.articleUrl(edition),
    })),
  };
  const body = serializeArticleResponse({ data: article });
  return {
    articleId: summary.id,
    format: renderer.format,
    summary: serializeSummary(summary),
    body,
    etag: etagFor(body),
    // Which article a bare slug resolves to depends on every article sharing it.
    surrogateKey: surrogateKey([
      keys.articleSlug(summary.slug),
      ...articleKeys([article]),
      ...(source.socialPhoto === null ? [] : [keys.photo(source.socialPhoto.id)]),
      ...heldPhotoIds.map((id) => keys.photo(id)),
      // An edition's slug, visibility or removal changes this article's list of them.
      ...source.editions.map((edition) => keys.article(edition.id)),
    ]),
    validUntil: upcoming.length === 0 ? null : new Date(Math.min(...upcoming)),
  };
}

export interface RebuildProgress {
  done: number;
  total: number;
}

export function createArticleDocuments(
  store: Store,
  now: () => Date,
  changed: ContentChanged,
  renderer: DocumentRenderer,
) {
  const repository = createArticleDocumentsRepository(store);

  /**
   * Inside a write: these articles' documents as they now stand (none for an unpublished one).
   * Returns the published articles whose document came out different.
   */
  async function render(tx: Db, articleIds: readonly string[]): Promise<string[]> {
    // Two writes that both show an article (renaming two of its authors) must not each render
    // it without the other's change: the second waits, then reads what the first committed.
    await store.dialect.serialize(
      tx,
      articleIds.map((id) => `document:${id}`),
    );
    const sources = await repository.sources(tx, articleIds);
    const published = new Set(sources.map((source) => source.row.id));
    const at = now();
    const documents = sources.map((source) => renderDocument(source, renderer, at));
    await repository.save(
      tx,
      documents,
      articleIds.filter((id) => !published.has(id)),
    );
    return documents
      .filter((document, index) => document.etag !== sources[index]?.storedEtag)
      .map((document) => document.articleId);
  }

  return {
    /** The format this process renders: others are rendered again at start-up. */
    format: renderer.format,

    /** Inside a write that changed these articles (which logs the change itself). */
    render: async (tx: Db, articleIds: readonly string[]): Promise<void> => {
      await render(tx, articleIds);
    },

    /**
     * In a write of its own: these articles' documents again (one that listed an edition not
     * yet due, now that it is). What came out different is logged, and dropped here.
     */
    async refresh(articleIds: readonly string[]): Promise<void> {
      const differing = await store.write(async (tx) => {
        const ids = await render(tx, articleIds);
        if (ids.length > 0) await logChange(store, tx, ids.map(keys.article), now());
        return ids;
      });
      if (differing.length > 0) changed(differing.map(keys.article));
    },

    /** Inside a write that changed an author, tag or photo: every published article showing it. */
    async embeddedChanged(tx: Db, embedded: EmbeddedRecord): Promise<void> {
      let after = '';
      for (;;) {
        const ids = await repository.showing(tx, embedded, after, renderBatch);
        if (ids.length === 0) return;
        await render(tx, ids);
        after = ids.at(-1) ?? after;
      }
    },

    /**
     * Renders the documents that are missing or of another format (`everyOne`: all of them), a
     * batch per write so readers and writers go on meanwhile, and removes any left for an
     * article that is no longer published. Documents that came out different are logged as a
     * change (other processes' caches drop them) and dropped from this process's cache. Returns how many it rendered.
     */
    async rebuild(
      options: { everyOne?: boolean; onProgress?: (progress: RebuildProgress) => void } = {},
    ): Promise<number> {
      const everyOne = options.everyOne ?? false;
      const total = await repository.countDue(renderer.format, everyOne);
      let done = 0;
      let after = '';
      while (done < total) {
        const ids = await repository.dueIds(renderer.format, everyOne, after, renderBatch);
        if (ids.length === 0) break;
        const rendered = await store.write(async (tx) => {
          const differing = await render(tx, ids);
          const touched =
            differing.length > 0 ? [keys.articleList, ...differing.map(keys.article)] : [];
          if (touched.length > 0) await logChange(store, tx, touched, now());
          return touched;
        });
        // This process skips its own changes in the log: its cache hears them here.
        if (rendered.length > 0) changed(rendered);
        done += ids.length;
        after = ids.at(-1) ?? after;
        options.onProgress?.({ done: Math.min(done, total), total });
      }
      // Writes remove a document when its article stops being public; only a full rebuild (or a
      // hand-edited database) looks for strays, since the scan reads every document.
      if (everyOne || done > 0) await repository.removeOrphans();
      return done;
    },
  };
}

export type ArticleDocuments = ReturnType<typeof createArticleDocuments>;
