ALTER TABLE `articles` ADD `seo_title` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `seo_description` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `canonical_url` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `noindex` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `social_title` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `social_description` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `social_photo_id` text REFERENCES photos(id);--> statement-breakpoint
CREATE INDEX `articles_social_photo_id_idx` ON `articles` (`social_photo_id`);