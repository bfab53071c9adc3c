import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import { embeddedPhoto } from '../photos/photos.service.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
import type { AuthorRecord, AuthorsRepository } from './authors.repository.ts';
import type {
  AdminAuthor,
  CreateAuthorInput,
  PublicAuthor,
  UpdateAuthorInput,
} from './authors.schemas.ts';

/** Drops the newsroom-only fields for the public API. */
export function toPublicAuthor(author: AdminAuthor): PublicAuthor {
  return {
    id: author.id,
    slug: author.slug,
    name: author.name,
    bio: author.bio,
    photo: author.photo,
    links: author.links,
  };
}

export function createAuthorsService(
  deps: ServiceDeps<AuthorsRepository> & { photos: PhotosRepository },
) {
  const { repository, photos, clock } = deps;
  /**
   * Embeds portraits with one extra query for the whole batch; for readers (`shownAt`), not
   * one still under embargo.
   */
  async function withPhotos(found: AuthorRecord[], shownAt?: Date): Promise<AdminAuthor[]> {
    const photoById = await photos.findByIds(
      found.flatMap((record) => (record.photoId === null ? [] : [record.photoId])),
    );
    return found.map((record) => ({
      id: record.id,
      slug: record.slug,
      name: record.name,
      bio: record.bio,
      photo: embeddedPhoto(record.photoId, photoById, shownAt),
      links: record.links,
      email: record.email,
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
    }));
  }
  // A delete is refused (409) while the record is referenced, with what to do instead.
  const inUse =
    'The author still has bylines, or a collection backfills by them; remove those first.';
  const records = recordService(deps, withPhotos, 'author', inUse);

  return {
    ...records.reads,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    /** Authors with a byline on an article a reader can see at `now`. */
    listVisible: async (page: PageRequest<'slug'>, now: Date) =>
      withPhotos(await repository.listVisible(page, now), now),
    async findVisibleBySlug(slug: string, now: Date): Promise<AdminAuthor | undefined> {
      const found = await repository.findVisibleBySlug(slug, now);
      return found === undefined ? undefined : (await withPhotos([found], now))[0];
    },

    create(input: CreateAuthorInput): Promise<AdminAuthor> {
      const fields = {
        slug: input.slug,
        name: input.name,
        bio: input.bio ?? null,
        email: input.email ?? null,
        photoId: input.photoId ?? null,
        links: input.links ?? [],
      };
      return records.written(contentChanges.authorCreated(), (keys) =>
        repository.create(fields, clock.now(), keys),
      );
    },

    /** Articles embed the byline, so they change too. */
    update: (id: string, input: UpdateAuthorInput): Promise<AdminAuthor> =>
      records.written(contentChanges.authorUpdated(id), (keys) =>
        repository.update(id, input, clock.now(), keys),
      ),

    delete: (id: string) =>
      records.deleted(contentChanges.authorDeleted(id), (keys) =>
        repository.delete(id, clock.now(), keys),
      ),
  };
}

export type AuthorsService = ReturnType<typeof createAuthorsService>;
