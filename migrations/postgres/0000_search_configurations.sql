-- Text search for articles (src/db/postgres-search.ts): accents folded with unaccent (a trusted
-- extension, so the database owner may create it), English and Russian stemmed with Snowball and
-- no stop words (as FTS5's porter tokenizer on SQLite: "the who" is a searchable phrase), any
-- other language unstemmed. Hand-written: drizzle-kit does not model text search objects.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH DICTIONARY broadsheet_english_stem (TEMPLATE = snowball, Language = english);
--> statement-breakpoint
CREATE TEXT SEARCH DICTIONARY broadsheet_russian_stem (TEMPLATE = snowball, Language = russian);
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION broadsheet_english (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION broadsheet_english
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH unaccent, broadsheet_english_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION broadsheet_russian (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION broadsheet_russian
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH unaccent, broadsheet_english_stem;
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION broadsheet_russian
  ALTER MAPPING FOR word, hword, hword_part WITH unaccent, broadsheet_russian_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION broadsheet_simple (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION broadsheet_simple
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH unaccent, simple;
--> statement-breakpoint
-- Which configuration analyses an article, from its language tag ("en", "en-GB", "ru").
-- IMMUTABLE, so the generated search document may call it.
CREATE FUNCTION broadsheet_search_config(language text) RETURNS regconfig
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE split_part(lower(language), '-', 1)
    WHEN 'en' THEN 'broadsheet_english'::regconfig
    WHEN 'ru' THEN 'broadsheet_russian'::regconfig
    ELSE 'broadsheet_simple'::regconfig
  END;
