import { serializerFor } from '../../lib/json-serializer.ts';
import { iso } from '../../schemas.ts';
import { toPhoto, underEmbargo } from '../photos/photos.service.ts';
import type { Clock } from '../shared/clock.ts';
import { type ContentKey, keys } from '../shared/content-keys.ts';
import type { PublicAnswer } from '../shared/public-routes.ts';
import type { PublicCollectionsRepository } from './collections.repository.ts';
import { publicCollectionHeadSchema, publicSlotHeadSchema } from './collections.schemas.ts';

// What readers get at /v1/collections/{slug}: the pinned articles readers can see, in the
// editors' order, then the rule's newest, up to the size. Resolved in at most five queries
// whatever the size (the collection with its slots, the rule's ids, the list items of both with
// the articles' own photos, the override photos if any, when the next scheduled article falls
// due); each item is the same ready list
// item /v1/articles serves, so a front shows exactly what lists show.

const serializeSlotHead = serializerFor(publicSlotHeadSchema);
const serializeHead = serializerFor(publicCollectionHeadSchema);

/** `{…}` with one more property, its value already JSON. */
const withProperty = (objectJson: string, name: string, valueJson: string) =>
  `${objectJson.slice(0, -1)},${JSON.stringify(name)}:${valueJson}}`;

export function createPublicCollectionsService(deps: {
  repository: PublicCollectionsRepository;
  clock: Clock;
  nextDueAt: (now: Date) => Promise<number | null>;
}) {
  const { repository, clock } = deps;
  return {
    /** The resolved front at `slug`; undefined when there is none. */
    async resolve(slug: string): Promise<PublicAnswer | undefined> {
      const now = clock.now();
      const rows = await repository.bySlug(slug);
      const collection = rows[0];
      if (collection === undefined) return undefined;
      const pins = rows.flatMap((row) =>
        row.articleId === null
          ? []
          : [
              {
                articleId: row.articleId,
                headline: row.headline,
                dek: row.dek,
                photoId: row.photoId,
              },
            ],
      );
      const pinned = new Set(pins.map((pin) => pin.articleId));
      // Enough of the rule's newest to fill every slot even if no pinned article is visible,
      // after skipping those that are pinned.
      const candidates = collection.backfill
        ? (
            await repository.backfill(
              {
                tagIds: collection.backfillTagIds,
                authorId: collection.backfillAuthorId,
                language: collection.backfillLanguage,
              },
              collection.size + pins.length,
              now,
            )
          )
            .filter((id) => !pinned.has(id))
            .slice(0, collection.size)
        : [];
      const documents = new Map(
        (await repository.documents([...pinned, ...candidates], now)).map((row) => [row.id, row]),
      );
      const shown = [
        ...pins.flatMap((pin) => {
          const document = documents.get(pin.articleId);
          return document === undefined ? [] : [{ pinned: true, document, override: pin }];
        }),
        ...candidates.flatMap((id) => {
          const document = documents.get(id);
          return document === undefined ? [] : [{ pinned: false, document, override: undefined }];
        }),
      ].slice(0, collection.size);
      // The front's photo, else the article's own; one under embargo is passed over. Photos
      // overriding an article's own are the only ones read on their own.
      const overrideOf = (item: (typeof shown)[number]) => item.override?.photoId ?? null;
      const overrides = new Map(
        (
          await repository.photos(
            shown.flatMap((item) => {
              const id = overrideOf(item);
              return id === null ? [] : [id];
            }),
          )
        ).map((row) => [row.id, row]),
      );
      const photoIds: string[] = [];
      const items = shown.map((item) => {
        const override = overrideOf(item);
        const choices = [
          override === null ? undefined : overrides.get(override),
          item.document.photo ?? undefined,
        ].filter((record) => record !== undefined);
        photoIds.push(...choices.map((record) => record.id));
        const photo = choices.find((record) => !underEmbargo(record, now));
        const head = serializeSlotHead({
          pinned: item.pinned,
          headline: item.override?.headline ?? item.document.headline,
          dek: item.override?.dek ?? item.document.dek,
          photo: photo === undefined ? null : toPhoto(photo),
        });
        return withProperty(head, 'article', item.document.summary);
      });
      const head = serializeHead({
        slug: collection.slug,
        name: collection.name,
        language: collection.language,
        updatedAt: iso(collection.updatedAt),
      });
      // Every change that can alter a shown item (an article made public or withdrawn, edited,
      // renamed tag or author) drops `articles`; a photo's own edit drops only its key.
      const dependsOn: ContentKey[] = [
        keys.collection(collection.id),
        keys.articleList,
        ...new Set(photoIds.map(keys.photo)),
      ];
      return {
        body: `{"data":${withProperty(head, 'items', `[${items.join(',')}]`)}}`,
        keys: dependsOn,
        expiresAt: await deps.nextDueAt(now),
      };
    },
  };
}

export type PublicCollectionsService = ReturnType<typeof createPublicCollectionsService>;
