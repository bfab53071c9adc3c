ALTER TABLE "photos" ADD COLUMN "embargo_until" bigint;--> statement-breakpoint
CREATE INDEX "photos_embargo_until_idx" ON "photos" USING btree ("embargo_until");