ALTER TABLE `photos` ADD `embargo_until` integer;--> statement-breakpoint
CREATE INDEX `photos_embargo_until_idx` ON `photos` (`embargo_until`);