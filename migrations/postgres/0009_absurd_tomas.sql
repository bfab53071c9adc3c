ALTER TABLE "articles" ADD COLUMN "seo_title" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "seo_description" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "canonical_url" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "noindex" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "social_title" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "social_description" text;--> statement-breakpoint
ALTER TABLE "articles" ADD COLUMN "social_photo_id" text;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_social_photo_id_photos_id_fk" FOREIGN KEY ("social_photo_id") REFERENCES "public"."photos"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "articles_social_photo_id_idx" ON "articles" USING btree ("social_photo_id");