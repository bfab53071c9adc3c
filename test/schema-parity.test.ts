import {
  getTableColumns,
  getTableName,
  type InferInsertModel,
  type InferSelectModel,
  type Table,
} from 'drizzle-orm';
import { getTableConfig as pgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { type PgTables, pgTables } from '../src/db/schema-pg.ts';
import { type Tables, tables } from '../src/db/schema.ts';

// The repositories are written once, typed with the SQLite tables; on PostgreSQL the store hands
// them the pg-core tables under the same names (src/db/postgres.ts). That is sound only while
// both schemas describe the same rows: proved here at compile time (tsc fails otherwise) and
// checked column by column and index by index at run time.

/** True when A and B are the same type (not merely assignable one way). */
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type SelectRows<T extends Record<string, Table>> = { [K in keyof T]: InferSelectModel<T[K]> };
type InsertRows<T extends Record<string, Table>> = { [K in keyof T]: InferInsertModel<T[K]> };

const sameTableNames: Same<keyof Tables, keyof PgTables> = true;
const sameRows: Same<SelectRows<Tables>, SelectRows<PgTables>> = true;
// The change log's id is assigned by the database on both (AUTOINCREMENT; an identity column,
// which may not be written at all), so inserts are compared without it.
type WithoutLogId<T> = { [K in keyof T]: K extends 'changeLog' ? Omit<T[K], 'id'> : T[K] };
const sameInserts: Same<
  WithoutLogId<InsertRows<Tables>>,
  WithoutLogId<InsertRows<PgTables>>
> = true;

function describeColumns(table: Table) {
  return (
    Object.values(getTableColumns(table))
      // Value types are compared by tsc above (a custom column type reports no category here).
      .map((column) => ({
        name: column.name,
        notNull: column.notNull,
        hasDefault: column.hasDefault,
        primary: column.primary,
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
  );
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('yield the same row types (checked by tsc)', () => {
    expect([sameTableNames, sameRows, sameInserts]).toEqual([true, true, true]);
  });

  it.each(Object.keys(tables) as Array<keyof Tables>)(
    '%s: same table, columns and indexes',
    (key) => {
      const sqlite = tables[key] as SQLiteTable;
      const pg = pgTables[key] as PgTable;
      expect(getTableName(pg)).toBe(getTableName(sqlite));
      expect(describeColumns(pg)).toEqual(describeColumns(sqlite));
      const sqliteConfig = sqliteTableConfig(sqlite);
      const pgConfig = pgTableConfig(pg);
      const indexes = (list: Array<{ config: { name?: string; unique?: boolean } }>) =>
        list
          .map(
            (index) =>
              `${index.config.name ?? '?'}${index.config.unique === true ? ' unique' : ''}`,
          )
          .sort();
      expect(indexes(pgConfig.indexes)).toEqual(indexes(sqliteConfig.indexes));
      const foreignKeys = (
        list: Array<{ reference(): { foreignTable: Table; columns: Array<{ name: string }> } }>,
      ) =>
        list
          .map((fk) => {
            const reference = fk.reference();
            return `${reference.columns.map((column) => column.name).join(',')} -> ${getTableName(reference.foreignTable)}`;
          })
          .sort();
      expect(foreignKeys(pgConfig.foreignKeys)).toEqual(foreignKeys(sqliteConfig.foreignKeys));
      expect(pgConfig.primaryKeys.map((key) => key.getName())).toEqual(
        sqliteConfig.primaryKeys.map((key) => key.getName()),
      );
    },
  );
});
