CREATE TABLE "appeals" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"placement" text NOT NULL,
	"heading" text NOT NULL,
	"body" text NOT NULL,
	"body_html" text NOT NULL,
	"frequencies" json NOT NULL,
	"cta_label" text NOT NULL,
	"cta_url" text NOT NULL,
	"dismiss_label" text NOT NULL,
	"remind_after_days" integer NOT NULL,
	"payment_methods" json NOT NULL,
	"starts_at" bigint NOT NULL,
	"ends_at" bigint,
	"priority" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "article_authors" (
	"article_id" text NOT NULL,
	"position" integer NOT NULL,
	"published_at" bigint,
	"author_id" text NOT NULL,
	CONSTRAINT "article_authors_article_id_author_id_pk" PRIMARY KEY("article_id","author_id")
);
--> statement-breakpoint
CREATE TABLE "article_documents" (
	"article_id" text PRIMARY KEY NOT NULL,
	"format" integer NOT NULL,
	"summary" text NOT NULL,
	"body" text NOT NULL,
	"etag" text NOT NULL,
	"surrogate_key" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "article_revisions" (
	"id" text PRIMARY KEY NOT NULL,
	"article_id" text NOT NULL,
	"version" integer NOT NULL,
	"snapshot" json NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by_token_id" text
);
--> statement-breakpoint
CREATE TABLE "article_slug_redirects" (
	"language" text NOT NULL,
	"slug" text NOT NULL,
	"article_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "article_slug_redirects_language_slug_pk" PRIMARY KEY("language","slug")
);
--> statement-breakpoint
CREATE TABLE "article_tags" (
	"article_id" text NOT NULL,
	"position" integer NOT NULL,
	"published_at" bigint,
	"tag_id" text NOT NULL,
	CONSTRAINT "article_tags_article_id_tag_id_pk" PRIMARY KEY("article_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" text PRIMARY KEY NOT NULL,
	"search_row_id" integer NOT NULL,
	"slug" text NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"headline" text NOT NULL,
	"dek" text,
	"excerpt_source" text,
	"excerpt" text NOT NULL,
	"body" text NOT NULL,
	"body_html" text NOT NULL,
	"word_count" integer NOT NULL,
	"reading_time_minutes" integer NOT NULL,
	"photo_id" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"published_at" bigint,
	"in_public_search" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authors" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"bio" text,
	"email" text,
	"photo_id" text,
	"links" json DEFAULT '[]'::json NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "change_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" bigint NOT NULL,
	"keys" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "newsletter_consent_events" (
	"id" text PRIMARY KEY NOT NULL,
	"signup_id" text NOT NULL,
	"event" text NOT NULL,
	"at" bigint NOT NULL,
	"policy_version" text,
	"source" text,
	"ip_hash" text
);
--> statement-breakpoint
CREATE TABLE "newsletter_signups" (
	"id" text PRIMARY KEY NOT NULL,
	"newsletter_id" text NOT NULL,
	"email" text,
	"email_key" text,
	"status" text NOT NULL,
	"consent_policy_version" text NOT NULL,
	"consented_at" bigint NOT NULL,
	"consent_source" text,
	"ip_hash" text,
	"pending_policy_version" text,
	"pending_consented_at" bigint,
	"pending_source" text,
	"pending_ip_hash" text,
	"confirmed_at" bigint,
	"unsubscribed_at" bigint,
	"confirmation_token_hash" text,
	"confirmation_expires_at" bigint,
	"last_confirmation_sent_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "newsletters" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"cadence" text NOT NULL,
	"send_day" text,
	"preview_url" text,
	"privacy_policy_version" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "page_versions" (
	"page_id" text NOT NULL,
	"version" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"body_html" text NOT NULL,
	"created_at" bigint NOT NULL,
	"published_at" bigint,
	CONSTRAINT "page_versions_page_id_version_pk" PRIMARY KEY("page_id","version")
);
--> statement-breakpoint
CREATE TABLE "pages" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"body_html" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"published_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "photos" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"alt_text" text NOT NULL,
	"caption" text,
	"photographer" text,
	"agency" text,
	"license" text,
	"width" integer,
	"height" integer,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "article_search" (
	"row_id" integer PRIMARY KEY NOT NULL,
	"public" boolean NOT NULL,
	"language" text NOT NULL,
	"headline" text NOT NULL,
	"dek" text NOT NULL,
	"body_text" text NOT NULL,
	"document" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector(broadsheet_search_config(language), headline), 'A') || setweight(to_tsvector(broadsheet_search_config(language), dek), 'B') || setweight(to_tsvector(broadsheet_search_config(language), body_text), 'D')) STORED NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint,
	"last_used_at" bigint,
	"revoked_at" bigint,
	"created_by_token_id" text
);
--> statement-breakpoint
ALTER TABLE "article_authors" ADD CONSTRAINT "article_authors_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_authors" ADD CONSTRAINT "article_authors_author_id_authors_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."authors"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_documents" ADD CONSTRAINT "article_documents_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_revisions" ADD CONSTRAINT "article_revisions_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_slug_redirects" ADD CONSTRAINT "article_slug_redirects_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_tags" ADD CONSTRAINT "article_tags_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_tags" ADD CONSTRAINT "article_tags_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_photo_id_photos_id_fk" FOREIGN KEY ("photo_id") REFERENCES "public"."photos"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authors" ADD CONSTRAINT "authors_photo_id_photos_id_fk" FOREIGN KEY ("photo_id") REFERENCES "public"."photos"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "newsletter_consent_events" ADD CONSTRAINT "newsletter_consent_events_signup_id_newsletter_signups_id_fk" FOREIGN KEY ("signup_id") REFERENCES "public"."newsletter_signups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "newsletter_signups" ADD CONSTRAINT "newsletter_signups_newsletter_id_newsletters_id_fk" FOREIGN KEY ("newsletter_id") REFERENCES "public"."newsletters"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_versions" ADD CONSTRAINT "page_versions_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appeals_placement_idx" ON "appeals" USING btree ("placement","active","priority","starts_at");--> statement-breakpoint
CREATE INDEX "article_authors_author_published_idx" ON "article_authors" USING btree ("author_id","published_at","article_id");--> statement-breakpoint
CREATE INDEX "article_documents_format_idx" ON "article_documents" USING btree ("article_id","format");--> statement-breakpoint
CREATE UNIQUE INDEX "article_revisions_article_version_unique" ON "article_revisions" USING btree ("article_id","version");--> statement-breakpoint
CREATE INDEX "article_slug_redirects_article_idx" ON "article_slug_redirects" USING btree ("article_id");--> statement-breakpoint
CREATE INDEX "article_slug_redirects_slug_idx" ON "article_slug_redirects" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "article_tags_tag_published_idx" ON "article_tags" USING btree ("tag_id","published_at","article_id");--> statement-breakpoint
CREATE UNIQUE INDEX "articles_language_slug_unique" ON "articles" USING btree ("language","slug");--> statement-breakpoint
CREATE INDEX "articles_public_search_pending_idx" ON "articles" USING btree ("in_public_search","status","published_at");--> statement-breakpoint
CREATE INDEX "articles_slug_idx" ON "articles" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "articles_search_row_id_unique" ON "articles" USING btree ("search_row_id");--> statement-breakpoint
CREATE INDEX "articles_status_published_idx" ON "articles" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "articles_status_language_published_idx" ON "articles" USING btree ("status","language","published_at","id");--> statement-breakpoint
CREATE INDEX "articles_updated_idx" ON "articles" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "articles_photo_id_idx" ON "articles" USING btree ("photo_id");--> statement-breakpoint
CREATE UNIQUE INDEX "authors_slug_unique" ON "authors" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "authors_photo_id_idx" ON "authors" USING btree ("photo_id");--> statement-breakpoint
CREATE INDEX "change_log_at_idx" ON "change_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "newsletter_consent_events_signup_idx" ON "newsletter_consent_events" USING btree ("signup_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "newsletter_signups_newsletter_email_unique" ON "newsletter_signups" USING btree ("newsletter_id","email");--> statement-breakpoint
CREATE UNIQUE INDEX "newsletter_signups_confirmation_token_unique" ON "newsletter_signups" USING btree ("confirmation_token_hash");--> statement-breakpoint
CREATE INDEX "newsletter_signups_newsletter_status_idx" ON "newsletter_signups" USING btree ("newsletter_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "newsletter_signups_newsletter_created_idx" ON "newsletter_signups" USING btree ("newsletter_id","created_at","id");--> statement-breakpoint
CREATE INDEX "newsletter_signups_last_sent_idx" ON "newsletter_signups" USING btree ("last_confirmation_sent_at");--> statement-breakpoint
CREATE INDEX "newsletter_signups_email_key_idx" ON "newsletter_signups" USING btree ("newsletter_id","email_key");--> statement-breakpoint
CREATE INDEX "newsletter_signups_pending_created_idx" ON "newsletter_signups" USING btree ("created_at") WHERE "newsletter_signups"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "newsletters_slug_unique" ON "newsletters" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "newsletters_active_idx" ON "newsletters" USING btree ("active","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "pages_slug_unique" ON "pages" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "photos_created_at_idx" ON "photos" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "article_search_document_idx" ON "article_search" USING gin ("document");--> statement-breakpoint
CREATE INDEX "article_search_public_row_idx" ON "article_search" USING btree ("public","row_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tags_slug_unique" ON "tags" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_hash_unique" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_created_at_idx" ON "api_tokens" USING btree ("created_at","id");