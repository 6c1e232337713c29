/**
 * Streaming memory benchmark: 200 MB through the storage drivers (put as a stream, then get and
 * drain), measuring this process's peak RSS above its starting point. The baseline, in the same
 * run, drains the same generated stream without storage. A driver that buffered the object would
 * add about 200 MB; streaming adds a bounded amount (part/block buffers).
 *   npm run bench:storage
 */
import 'reflect-metadata';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorageDriver } from '../libs/storage/src/drivers/create-storage-driver';
import { startS3rver } from '../test/support/storage-servers';

const SIZE = 200 * 1024 * 1024;

function generated(): Readable {
  let produced = 0;
  const chunk = Buffer.alloc(256 * 1024, 7);
  return new Readable({
    read() {
      if (produced >= SIZE) return void this.push(null);
      const n = Math.min(chunk.length, SIZE - produced);
      produced += n;
      this.push(chunk.subarray(0, n));
    },
  });
}

const sink = () => new Writable({ write: (_c, _e, done) => done() });

async function peakRssDelta(work: () => Promise<void>): Promise<number> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  await work();
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  return (peak - start) / 1024 / 1024;
}

async function main(): Promise<void> {
  const results: Array<[string, number]> = [];
  results.push(['baseline (no storage)', await peakRssDelta(() => pipeline(generated(), sink()))]);

  const root = mkdtempSync(join(tmpdir(), 'keel-bench-storage-'));
  const local = createStorageDriver({
    driver: 'local',
    root,
    publicBaseUrl: 'http://localhost',
    signingKey: Buffer.alloc(32),
  });
  results.push([
    'local',
    await peakRssDelta(async () => {
      await local.put('bench/object.bin', generated(), {});
      await pipeline((await local.get('bench/object.bin')).stream, sink());
    }),
  ]);
  rmSync(root, { recursive: true, force: true });

  const s3rver = await startS3rver('bench');
  const s3 = createStorageDriver({
    driver: 's3',
    bucket: 'bench',
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${s3rver.port}`,
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    checksums: 'when_required',
  });
  results.push([
    's3 (s3rver, separate process)',
    await peakRssDelta(async () => {
      await s3.put('bench/object.bin', generated(), {});
      await pipeline((await s3.get('bench/object.bin')).stream, sink());
    }),
  ]);
  await s3.close?.();
  await s3rver.stop();

  // The baseline is near zero, so the figure that says "buffered or not" is the share of the
  // object's size: buffering would add ~100%.
  const objectMb = SIZE / 1024 / 1024;
  console.log(`peak RSS added while moving ${objectMb} MB through storage (lower is better)`);
  for (const [name, mb] of results) {
    console.log(`  ${name.padEnd(32)} +${mb.toFixed(1)} MB = ${((mb / objectMb) * 100).toFixed(1)}% of the object`);
  }
}

void main();
