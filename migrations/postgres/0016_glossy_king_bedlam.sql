ALTER TABLE "photos" ADD COLUMN "file_key" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "sha256" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "bytes" integer;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "format" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "placeholder" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "focal_x" double precision;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "focal_y" double precision;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants" json;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants_state" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants_request" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants_lease_until" bigint;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "variants_error" text;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "metadata" json;--> statement-breakpoint
ALTER TABLE "photos" ADD COLUMN "credit_source" text;--> statement-breakpoint
CREATE UNIQUE INDEX "photos_sha256_idx" ON "photos" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "photos_variants_state_idx" ON "photos" USING btree ("variants_state");