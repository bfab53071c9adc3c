import { forbidden, notFound } from '../../errors.ts';
import { signPreviewToken, verifyPreviewToken } from '../../lib/preview-tokens.ts';
import { iso } from '../../schemas.ts';
import { type ArticleWithEmbeds, editionsOf } from '../articles/articles.embed.ts';
import { type DocumentRenderer, renderDocument } from '../articles/articles.documents.ts';
import type { Clock } from '../shared/clock.ts';
import type { PreviewsRepository } from './previews.repository.ts';

// Draft previews: a signed, expiring link to one article, and the article behind it rendered by
// the very function that renders published articles' public documents, so what an editor sees
// is what readers will get.

/** Where the frontend shows a preview (PREVIEW_URL_TEMPLATE). */
export type PreviewUrl = (
  article: { id: string; slug: string; language: string },
  token: string,
) => string;

const refused =
  'The preview link is not valid: it has expired, belongs to another article, was altered, or was closed by a key rotation. Ask for a new one.';

/** An article's public document as it would be if published now (a draft has no time yet). */
function previewDocument(
  { row, embeds }: ArticleWithEmbeds,
  now: Date,
  renderer: DocumentRenderer,
) {
  return renderDocument(
    {
      row: {
        ...row,
        publishedAt: row.publishedAt ?? now,
        photo: row.photoId === null ? null : (embeds.photos.get(row.photoId) ?? null),
      },
      authors: embeds.authors.get(row.id) ?? [],
      tags: embeds.tags.get(row.id) ?? [],
      bodyHtml: row.bodyHtml,
      storedEtag: null,
      seo: row,
      socialPhoto:
        row.socialPhotoId === null ? null : (embeds.photos.get(row.socialPhotoId) ?? null),
      corrections: embeds.corrections.get(row.id) ?? [],
      editions: editionsOf(row, embeds).filter((edition) => edition.status === 'published'),
    },
    renderer,
    now,
    { preview: true },
  );
}

export function createPreviewsService(deps: {
  repository: PreviewsRepository;
  findArticle: (id: string) => Promise<ArticleWithEmbeds | undefined>;
  clock: Clock;
  previewUrl: PreviewUrl;
  /** The public documents' renderer: a preview is the document the article will have. */
  renderer: DocumentRenderer;
}) {
  const { repository, findArticle, clock } = deps;
  return {
    /** A link that opens article `id`, whatever its status, for `hours`. */
    async createLink(id: string, hours: number) {
      const found = await findArticle(id);
      if (found === undefined) throw notFound('No article with that id.');
      const expiresAt = new Date(clock.now().getTime() + hours * 3_600_000);
      const token = signPreviewToken(await repository.key(), id, expiresAt);
      return {
        url: deps.previewUrl(found.row, token),
        token,
        expiresAt: iso(new Date(Math.floor(expiresAt.getTime() / 1000) * 1000)),
      };
    },

    /** The JSON body of `GET /v1/articles/{slug}` for article `id`, if `token` opens it. */
    async render(id: string, token: string | undefined): Promise<string> {
      const now = clock.now();
      if (token === undefined)
        throw forbidden('A preview needs its token: ?token=… or the Preview-Token header.');
      if (!verifyPreviewToken(await repository.key(), id, token, now)) throw forbidden(refused);
      const found = await findArticle(id);
      if (found === undefined) throw notFound('The article has been deleted.');
      return previewDocument(found, now, deps.renderer).body;
    },

    /** Closes every preview link issued so far. */
    async rotateKey() {
      await repository.rotateKey();
      return { rotatedAt: iso(clock.now()) };
    },
  };
}

export type PreviewsService = ReturnType<typeof createPreviewsService>;
