import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { secureHeaders } from 'hono/secure-headers';
import type { createApp } from './app.js';

/**
 * The console as one site: the API app under /api, the built page's files, and the page itself for every other
 * path (the page's routes are shareable URLs). Answers are compressed; headers forbid framing and other origins'
 * scripts. Cloudscape sets inline styles, so style-src allows them; scripts come only from this origin.
 */
export function consoleSite(api: ReturnType<typeof createApp>, webDir: string): Hono {
  const site = new Hono();
  const index = readFileSync(join(webDir, 'index.html'), 'utf8');
  site.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  site.use(compress());
  site.route('/', api);
  site.use('/assets/*', serveStatic({ root: webDir, onFound: (_path, c) => c.header('cache-control', 'public, max-age=31536000, immutable') }));
  site.use('/favicon.svg', serveStatic({ root: webDir }));
  site.all('/api/*', (c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  site.get('*', (c) => {
    c.header('cache-control', 'no-cache');
    return c.html(index);
  });
  return site;
}
