CREATE SEQUENCE "public"."article_search_row_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
-- Continue after the articles already stored (none, unless a database predates this migration).
SELECT setval('article_search_row_id_seq', coalesce((SELECT max(search_row_id) FROM articles), 0) + 1, false);
