// What a reader sees after submitting the README's plain HTML signup form (no JavaScript in the
// form itself): starts the API over a fresh demo database and a stand-in site on 127.0.0.1, lets
// headless Chromium submit the form and follow the 303, and saves a screenshot of the page the
// reader lands on. The picture is written outside the repository (it is never committed).
//
//   node --import tsx scripts/signup-form-screenshot.ts [output.png]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { seedDemoIfEmpty } from '../src/seed.ts';

const output = process.argv[2] ?? join(tmpdir(), 'broadsheet-signup-landing.png');
const dir = mkdtempSync(join(tmpdir(), 'broadsheet-screenshot-'));

const site = createServer();
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

const app = await buildApp({
  config: {
    ...loadConfig({}),
    databasePath: join(dir, 'broadsheet.db'),
    siteUrl,
    logLevel: 'warn',
  },
});
await seedDemoIfEmpty(app);
await app.listen({ host: '127.0.0.1', port: 0 });
const apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const newsletters = (await (await fetch(`${apiUrl}/v1/newsletters`)).json()) as {
  data: Array<{ slug: string; name: string; privacyPolicyVersion: string }>;
};
const newsletter = newsletters.data[0];
if (newsletter === undefined) throw new Error('the demo has no newsletter');

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:18px/1.5 Georgia,serif;max-width:36em;margin:3em auto;color:#222}
h1{font-size:1.6em}.note{color:#555;font-size:.9em}</style></head><body>${body}</body></html>`;

// The stand-in site: the article page with the form (submitted on load, as a reader's click
// would), and the two pages the API sends the browser on to.
site.on('request', (request, response) => {
  const url = new URL(request.url ?? '/', siteUrl);
  response.setHeader('content-type', 'text/html; charset=utf-8');
  if (url.pathname === '/newsletter/thanks') {
    response.end(
      page(
        'Check your inbox',
        `<h1>Check your inbox</h1><p>Thank you for signing up to <strong>${newsletter.name}</strong>.
We have sent you an email: open the link in it to confirm your subscription.</p>
<p class="note">Nothing more will be sent unless you confirm.</p>`,
      ),
    );
  } else if (url.pathname === '/newsletter/error') {
    response.end(
      page(
        'Signup failed',
        `<h1>That did not work</h1><p>Reason: ${url.searchParams.get('reason') ?? ''}</p>`,
      ),
    );
  } else {
    response.end(
      page(
        'Article',
        `<form method="post" action="${apiUrl}/v1/newsletters/${newsletter.slug}/signups">
<input type="email" name="email" value="reader@example.org">
<input type="checkbox" name="consent" value="true" checked>
<input type="hidden" name="privacyPolicyVersion" value="${newsletter.privacyPolicyVersion}">
<input type="hidden" name="source" value="article-footer">
<button>Sign up</button></form>
<script>document.forms[0].submit()</script>`,
      ),
    );
  }
});

// Asynchronous: Chromium requests pages from the site and the API this very process serves.
const chromium = spawn(
  'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--window-size=900,500',
    '--virtual-time-budget=5000',
    `--screenshot=${output}`,
    `${siteUrl}/article`,
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let errors = '';
chromium.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
const status = await new Promise<number | null>((resolve) => chromium.on('exit', resolve));
await app.close();
site.close();
if (status !== 0) {
  process.stderr.write(errors);
  process.exit(1);
}
process.stdout.write(`Saved the page the reader lands on: ${output}\n`);
