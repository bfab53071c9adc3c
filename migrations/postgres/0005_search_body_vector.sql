ALTER TABLE "article_search" ALTER COLUMN "document" DROP EXPRESSION;--> statement-breakpoint
ALTER TABLE "article_search" ADD COLUMN "body_vector" "tsvector";--> statement-breakpoint
UPDATE "article_search" SET "body_vector" = setweight(to_tsvector(broadsheet_search_config("language"), "body_text"), 'D');--> statement-breakpoint
ALTER TABLE "article_search" ALTER COLUMN "body_vector" SET NOT NULL;
