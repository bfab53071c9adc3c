ALTER TABLE "article_documents" ADD COLUMN "valid_until" bigint;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "translation_group_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "articles_translation_group_language_unique" ON "articles" USING btree ("translation_group_id","language");