// Development and tests run TypeScript through tsx; a worker thread starts without the parent's
// loader, so this entry registers tsx and then loads the TypeScript worker named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.typescriptEntry);
