import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageRefused } from '../src/modules/photos/photos.images.ts';
import { createRenditionsPool, type RenditionsPool } from '../src/workers/renditions.ts';
import type { RenditionJob } from '../src/workers/renditions.worker.ts';

// The processes that decode and render pictures for the server: reused from job to job, retired
// after a number of jobs and when idle, never more at once than the pool's size, and stopped with
// the server. Real child processes, real pictures.

let jpeg: Buffer;
beforeAll(async () => {
  jpeg = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 40, g: 90, b: 160 } },
  })
    .jpeg()
    .toBuffer();
});

const job = (bytes: Buffer = jpeg, widths = [320]): RenditionJob => ({
  original: bytes,
  size: { width: 640, height: 480 },
  requests: widths.map((width) => ({ width, format: 'webp' })),
  maxPixels: 10_000_000,
  placeholder: true,
});

async function rendered(pool: RenditionsPool, renditionJob = job(), signal?: AbortSignal) {
  const made: Array<{ index: number; width: number; height: number; bytes: number }> = [];
  const outcome = await pool.render(
    renditionJob,
    async (index, rendition) => {
      made.push({
        index,
        width: rendition.width,
        height: rendition.height,
        bytes: rendition.bytes.length,
      });
    },
    signal,
  );
  return { ...outcome, made };
}

describe('renditions processes', () => {
  it('make the placeholder and each rendition asked for, reusing one process from job to job', async () => {
    const pool = createRenditionsPool({ size: 2 });
    try {
      for (let i = 0; i < 3; i += 1) {
        const { placeholder, made } = await rendered(pool, job(jpeg, [320, 160]));
        expect(placeholder).toMatch(/^[A-Za-z0-9+/]+=*$/);
        expect(made.map(({ index, width, height }) => ({ index, width, height }))).toEqual([
          { index: 0, width: 320, height: 240 },
          { index: 1, width: 160, height: 120 },
        ]);
        expect(made.every(({ bytes }) => bytes > 0)).toBe(true);
        expect(pool.alive).toBe(1);
      }
    } finally {
      pool.close();
    }
  });

  it('refuse a damaged file with its status and keep the process for the next job', async () => {
    const pool = createRenditionsPool({ size: 1 });
    try {
      const damaged = jpeg.subarray(0, Math.floor(jpeg.length / 2));
      const refusal = await rendered(pool, job(damaged)).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ImageRefused);
      expect(refusal).toMatchObject({ status: 400 });
      expect(pool.alive).toBe(1);
      expect((await rendered(pool)).made).toHaveLength(1);
      expect(pool.alive).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('retire a process after its share of jobs and when it has been idle', async () => {
    const pool = createRenditionsPool({ size: 1, jobsPerChild: 2, idleMs: 300 });
    try {
      await rendered(pool);
      expect(pool.alive).toBe(1);
      await rendered(pool);
      expect(pool.alive).toBe(0);
      await rendered(pool);
      expect(pool.alive).toBe(1);
      await expect.poll(() => pool.alive, { timeout: 5000 }).toBe(0);
      expect((await rendered(pool)).made).toHaveLength(1);
    } finally {
      pool.close();
    }
  });

  it('run no more jobs at once than its size, the rest waiting their turn', async () => {
    const pool = createRenditionsPool({ size: 2 });
    try {
      let most = 0;
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          pool.render(job(), async () => {
            most = Math.max(most, pool.alive);
          }),
        ),
      );
      expect(results).toHaveLength(5);
      expect(most).toBeLessThanOrEqual(2);
      expect(pool.alive).toBeLessThanOrEqual(2);
    } finally {
      pool.close();
    }
  });

  it('stop a running job when the server closes, and stop idle processes', async () => {
    const pool = createRenditionsPool({ size: 1 });
    const stopping = new AbortController();
    let kept = 0;
    const running = pool.render(
      job(
        jpeg,
        Array.from({ length: 40 }, () => 640),
      ),
      async () => {
        kept += 1;
        // Mid-job: the first rendition is in, 39 are still to come.
        if (kept === 1) stopping.abort();
      },
      stopping.signal,
    );
    await expect(running).rejects.toThrow(/closing/);
    expect(kept).toBeLessThan(40);
    await expect.poll(() => pool.alive, { timeout: 5000 }).toBe(0);

    await rendered(pool);
    expect(pool.alive).toBe(1);
    pool.close();
    await expect.poll(() => pool.alive, { timeout: 5000 }).toBe(0);
    await expect(rendered(pool)).rejects.toThrow(/closing/);
  });
});
