ALTER TABLE "articles" ADD COLUMN "embargo_until" bigint;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "embargo_source" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "embargo_note" text;