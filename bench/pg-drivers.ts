// Which PostgreSQL driver: node-postgres (`pg`) or postgres.js, each through Drizzle, on the
// read Broadsheet's hot paths make (one prepared statement by primary key, a page of 20 rows) and
// a small write transaction. Run: DATABASE_URL=postgres://… node --import tsx bench/pg-drivers.ts
import { eq, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('Set DATABASE_URL');
const rows = pgTable('driver_bench', {
  id: integer('id').primaryKey(),
  body: text('body').notNull(),
});
const concurrency = 16;
const seconds = 4;
const poolSize = 8;

async function measure(name: string, run: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await run(done);
        done += 1;
      }
    }),
  );
  const perSecond = done / seconds;
  console.log(`${name.padEnd(40)} ${perSecond.toFixed(0).padStart(8)} /s`);
  return perSecond;
}

const pool = new pg.Pool({ connectionString: url, max: poolSize });
const viaPg = drizzlePg({ client: pool });
const client = postgres(url, { max: poolSize });
const viaPostgresJs = drizzlePostgresJs({ client });

await pool.query('drop table if exists driver_bench');
await pool.query('create table driver_bench (id integer primary key, body text not null)');
await pool.query(
  `insert into driver_bench select g, repeat('x', 2000) from generate_series(1, 10000) g`,
);

for (const [name, db] of [
  ['pg', viaPg],
  ['postgres.js', viaPostgresJs],
] as const) {
  const one = db
    .select()
    .from(rows)
    .where(eq(rows.id, sql.placeholder('id')))
    .prepare(`one_${name.replace('.', '_')}`);
  const page = db
    .select()
    .from(rows)
    .where(sql`${rows.id} > ${sql.placeholder('after')}`)
    .orderBy(rows.id)
    .limit(20)
    .prepare(`page_${name.replace('.', '_')}`);
  await measure(`${name}: one row by key`, (i) => one.execute({ id: (i % 10000) + 1 }));
  await measure(`${name}: page of 20`, (i) => page.execute({ after: i % 9000 }));
  await measure(`${name}: write transaction`, (i) =>
    db.transaction(async (tx) => {
      await tx
        .update(rows)
        .set({ body: `v${i}` })
        .where(eq(rows.id, (i % 10000) + 1));
    }),
  );
}
await pool.query('drop table driver_bench');
await pool.end();
await client.end();
