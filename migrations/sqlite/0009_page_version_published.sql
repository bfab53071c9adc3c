ALTER TABLE `page_versions` ADD `published_at` integer;--> statement-breakpoint
-- Which existing versions were public is not recorded; those written since the page's first
-- publication are taken as public (the text readers may have agreed to stays readable).
UPDATE `page_versions` SET `published_at` = `created_at`
WHERE EXISTS (
	SELECT 1 FROM `pages` WHERE `pages`.`id` = `page_versions`.`page_id`
	AND `pages`.`published_at` IS NOT NULL AND `page_versions`.`created_at` >= `pages`.`published_at`
);
