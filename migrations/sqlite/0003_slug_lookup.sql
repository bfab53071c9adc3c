CREATE INDEX `article_slug_redirects_slug_idx` ON `article_slug_redirects` (`slug`);--> statement-breakpoint
CREATE INDEX `articles_slug_idx` ON `articles` (`slug`);