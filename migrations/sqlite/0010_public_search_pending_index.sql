DROP INDEX `articles_public_search_due_idx`;--> statement-breakpoint
CREATE INDEX `articles_public_search_pending_idx` ON `articles` (`in_public_search`,`status`,`published_at`);