ALTER TABLE `photos` ADD `file_key` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `bytes` integer;--> statement-breakpoint
ALTER TABLE `photos` ADD `format` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `placeholder` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `focal_x` real;--> statement-breakpoint
ALTER TABLE `photos` ADD `focal_y` real;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants_state` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants_request` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants_lease_until` integer;--> statement-breakpoint
ALTER TABLE `photos` ADD `variants_error` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `metadata` text;--> statement-breakpoint
ALTER TABLE `photos` ADD `credit_source` text;--> statement-breakpoint
CREATE UNIQUE INDEX `photos_sha256_idx` ON `photos` (`sha256`);--> statement-breakpoint
CREATE INDEX `photos_variants_state_idx` ON `photos` (`variants_state`);