import { z } from 'zod';
import { correctionKinds, maxWordingsKept } from '../../db/schema/corrections.ts';
import {
  bounded,
  id,
  languageSchema,
  maxUrlLength,
  nonEmptyPatch,
  pageQuery,
  plainText,
  prose,
  timestamp,
} from '../../schemas.ts';
import { maxSlugLength } from '../../lib/slugify.ts';

export const maxCorrectionsPerArticle = 50;
export const maxCorrectionLength = 2000;

export const correctionKindSchema = z.enum(correctionKinds).meta({
  description:
    'correction: a fact was wrong; clarification: it was unclear; update: news since; retraction: the article should not stand (editors only).',
});

/** A correction as readers see it, on the article and in the site-wide list. */
export const correctionSchema = z
  .object({
    id,
    kind: correctionKindSchema,
    text: plainText(maxCorrectionLength),
    publishedAt: timestamp.meta({ description: 'When it was made; an edit does not move it.' }),
    updatedAt: timestamp,
  })
  .meta({ id: 'Correction' });
export type Correction = z.infer<typeof correctionSchema>;

export const adminCorrectionSchema = correctionSchema
  .extend({
    history: z
      .array(
        z.object({
          kind: correctionKindSchema,
          text: bounded(maxCorrectionLength),
          replacedAt: timestamp,
        }),
      )
      .max(maxWordingsKept)
      .meta({ description: 'Earlier wordings, oldest first (what readers saw before an edit).' }),
  })
  .meta({ id: 'AdminCorrection' });
export type AdminCorrection = z.infer<typeof adminCorrectionSchema>;

const correctionText = prose(maxCorrectionLength)
  .trim()
  .min(1)
  .meta({ description: 'Plain text, shown to readers as written.' });

export const createCorrectionBody = z.strictObject({
  kind: correctionKindSchema,
  text: correctionText,
});
export type CreateCorrectionInput = z.infer<typeof createCorrectionBody>;

export const updateCorrectionBody = nonEmptyPatch(
  z.strictObject({ kind: correctionKindSchema.optional(), text: correctionText.optional() }),
);
export type UpdateCorrectionInput = z.infer<typeof updateCorrectionBody>;

export const correctionParams = z.strictObject({ id, correctionId: id });

/** A site-wide list entry: the correction and the article it corrects. */
export const listedCorrectionSchema = correctionSchema
  .extend({
    article: z.object({
      id,
      slug: bounded(maxSlugLength),
      language: bounded(10),
      headline: plainText(300),
      url: bounded(maxUrlLength),
    }),
  })
  .meta({ id: 'ListedCorrection' });
export type ListedCorrection = z.infer<typeof listedCorrectionSchema>;

export const correctionsQuery = pageQuery.extend({ language: languageSchema.optional() });
