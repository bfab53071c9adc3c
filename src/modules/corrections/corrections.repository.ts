import { and, count, desc, eq, sql } from 'drizzle-orm';
import {
  type CorrectionKind,
  type CorrectionWording,
  maxWordingsKept,
} from '../../db/schema/corrections.ts';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import type { CorrectionRecord } from '../articles/articles.embed.ts';
import { publicArticleQueries } from '../articles/articles.public.queries.ts';

// Corrections as stored. Writes run inside the article's own write (the article's version,
// documents and change log move with them); the site-wide list is a public read.

const ph = sql.placeholder;

/** A site-wide list row: the correction and what readers need of its article. */
export interface ListedCorrectionRow {
  correction: CorrectionRecord;
  article: {
    id: string;
    slug: string;
    language: string;
    headline: string;
    publishedAt: Date | null;
  };
}

export function createCorrectionsRepository(store: Store) {
  const { articleCorrections, articles } = store.tables;
  const { visible } = publicArticleQueries(store);

  function listStatement(byLanguage: boolean) {
    return store.statement<
      ListedCorrectionRow[],
      { now: number; boundAt: number; boundId: string; limit: number; language?: string }
    >(`corrections.public.list:${byLanguage}`, (db) =>
      db
        .select({
          correction: articleCorrections,
          article: {
            id: articles.id,
            slug: articles.slug,
            language: articles.language,
            headline: articles.headline,
            publishedAt: articles.publishedAt,
          },
        })
        .from(articleCorrections)
        .innerJoin(articles, eq(articles.id, articleCorrections.articleId))
        .where(
          and(
            visible,
            sql`(${articleCorrections.publishedAt}, ${articleCorrections.id}) < (${ph('boundAt')}, ${ph('boundId')})`,
            byLanguage ? eq(articles.language, ph('language')) : undefined,
          ),
        )
        .orderBy(desc(articleCorrections.publishedAt), desc(articleCorrections.id))
        .limit(ph('limit')),
    );
  }
  const listAny = listStatement(false);
  const listInLanguage = listStatement(true);

  return {
    /** Corrections of visible articles, newest first, below the (time, id) bound. */
    listVisible(
      now: Date,
      bound: { at: number; id: string },
      limit: number,
      language: string | undefined,
    ): Promise<ListedCorrectionRow[]> {
      const params = { now: now.getTime(), boundAt: bound.at, boundId: bound.id, limit };
      return language === undefined ? listAny(params) : listInLanguage({ ...params, language });
    },

    /** Inside the article's write: how many it has. */
    async countFor(tx: Db, articleId: string): Promise<number> {
      const [row] = await tx
        .select({ count: count() })
        .from(articleCorrections)
        .where(eq(articleCorrections.articleId, articleId));
      return row?.count ?? 0;
    },

    /** Inside the article's write: one of its corrections. */
    async find(tx: Db, articleId: string, id: string): Promise<CorrectionRecord | undefined> {
      const [row] = await tx
        .select()
        .from(articleCorrections)
        .where(and(eq(articleCorrections.articleId, articleId), eq(articleCorrections.id, id)))
        .limit(1);
      return row;
    },

    async insert(
      tx: Db,
      articleId: string,
      input: { kind: CorrectionKind; text: string },
      at: Date,
    ): Promise<string> {
      const id = newId('cor', at.getTime());
      await tx.insert(articleCorrections).values({
        id,
        articleId,
        kind: input.kind,
        text: input.text,
        publishedAt: at,
        history: [],
        createdAt: at,
        updatedAt: at,
      });
      return id;
    },

    /** A new wording; the one readers saw goes into the history (the newest `maxWordingsKept`). */
    async reword(
      tx: Db,
      current: CorrectionRecord,
      next: { kind: CorrectionKind; text: string },
      at: Date,
    ): Promise<void> {
      const replaced: CorrectionWording = {
        kind: current.kind,
        text: current.text,
        replacedAt: at.toISOString(),
      };
      await tx
        .update(articleCorrections)
        .set({
          kind: next.kind,
          text: next.text,
          history: [...current.history, replaced].slice(-maxWordingsKept),
          updatedAt: at,
        })
        .where(eq(articleCorrections.id, current.id));
    },

    async remove(tx: Db, id: string): Promise<void> {
      await tx.delete(articleCorrections).where(eq(articleCorrections.id, id));
    },
  };
}

export type CorrectionsRepository = ReturnType<typeof createCorrectionsRepository>;
