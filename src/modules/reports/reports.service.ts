import { invalidFields } from '../../errors.ts';
import { toCsvRow } from '../../lib/csv.ts';
import { iso } from '../../schemas.ts';
import type { ArticleUrl } from '../articles/articles.service.ts';
import { creditLine } from '../photos/photos.schemas.ts';
import type { Clock } from '../shared/clock.ts';
import type { PhotoUseRow, ReportsRepository, UsePosition } from './reports.repository.ts';
import {
  maxJsonUses,
  maxReportDays,
  type PhotoUsageQuery,
  type PhotoUsageReport,
} from './reports.schemas.ts';

// Per agency, each photo used in an article first published in the period: when, where (the
// article's address on the site), by whom and under which licence. JSON groups it for reading;
// the CSV (for the spreadsheet that meets the invoice) streams every use, a batch at a time.

const batch = 1000;

const csvColumns = [
  'agency',
  'photo_id',
  'photographer',
  'credit',
  'license',
  'article_id',
  'headline',
  'article_url',
  'published_at',
  'used_as',
] as const;

const usedAs = (row: PhotoUseRow) => [
  ...(row.leadPhotoId === row.photoId ? (['lead'] as const) : []),
  ...(row.socialPhotoId === row.photoId ? (['social'] as const) : []),
];

export function createReportsService(deps: {
  repository: ReportsRepository;
  clock: Clock;
  articleUrl: ArticleUrl;
}) {
  const { repository, clock } = deps;

  function period(query: PhotoUsageQuery) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to.getTime() <= from.getTime())
      throw invalidFields([{ path: 'query.to', message: 'Must be after `from`.' }]);
    if (to.getTime() - from.getTime() > maxReportDays * 86_400_000)
      throw invalidFields([
        { path: 'query.to', message: `A period is at most ${maxReportDays} days.` },
      ]);
    return { from, to, now: clock.now() };
  }

  async function* batches(query: PhotoUsageQuery) {
    const within = period(query);
    let after: UsePosition | null = null;
    for (;;) {
      const rows = await repository.uses(within, query.agency, after, batch);
      if (rows.length > 0) yield rows;
      const last = rows.at(-1);
      if (last === undefined || rows.length < batch) return;
      after = {
        at: last.publishedAt?.getTime() ?? 0,
        articleId: last.articleId,
        photoId: last.photoId,
      };
    }
  }

  return {
    async photoUsage(query: PhotoUsageQuery): Promise<PhotoUsageReport> {
      const within = period(query);
      const total = await repository.countUses(within, query.agency);
      if (total > maxJsonUses)
        throw invalidFields([
          {
            path: 'query.from',
            message: `The period holds ${total} uses, more than ${maxJsonUses}: narrow it, name an agency, or read photo-usage.csv.`,
          },
        ]);
      const agencies = new Map<
        string | null,
        Map<string, PhotoUsageReport['agencies'][number]['photos'][number]>
      >();
      for await (const rows of batches(query))
        for (const row of rows) {
          const photos = agencies.get(row.agency) ?? new Map();
          agencies.set(row.agency, photos);
          const publishedAt = iso(row.publishedAt ?? within.from);
          const photo = photos.get(row.photoId) ?? {
            photoId: row.photoId,
            photographer: row.photographer,
            license: row.license,
            firstPublishedAt: publishedAt,
            uses: [],
          };
          photos.set(row.photoId, photo);
          photo.uses.push({
            articleId: row.articleId,
            headline: row.headline,
            url: deps.articleUrl({ ...row, id: row.articleId }),
            publishedAt,
            as: usedAs(row),
          });
        }
      // Agencies by name, pictures credited to none last.
      const grouped = [...agencies].sort(([a], [b]) =>
        a === null ? 1 : b === null ? -1 : a.localeCompare(b),
      );
      return {
        from: iso(within.from),
        to: iso(within.to),
        uses: total,
        agencies: grouped.map(([agency, photos]) => ({
          agency,
          photos: Array.from(photos, ([, photo]) => photo),
        })),
      };
    },

    /** The same uses as CSV rows (header first), in publication order; checked before the first row. */
    photoUsageCsv(query: PhotoUsageQuery): AsyncGenerator<string> {
      period(query);
      return (async function* () {
        yield toCsvRow(csvColumns);
        for await (const rows of batches(query))
          yield rows
            .map((row) =>
              toCsvRow([
                row.agency,
                row.photoId,
                row.photographer,
                creditLine(row.photographer, row.agency),
                row.license,
                row.articleId,
                row.headline,
                deps.articleUrl({ ...row, id: row.articleId }),
                row.publishedAt === null ? null : iso(row.publishedAt),
                usedAs(row).join(' '),
              ]),
            )
            .join('');
      })();
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
