// Build the map viewer: bundle src/main.js (OpenLayers, proj4 and the
// viewer's own modules) with esbuild into dist/, and copy src/index.html.
//
// Run `npm ci && node build.mjs` in server/viewer, or let CMake do it out of
// the source tree: `cmake --build BUILD --target viewer-bundle`, which sets
// VIEWER_NODE_MODULES to the node_modules folder it installed.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.env.VIEWER_NODE_MODULES || join(here, 'node_modules');
const require = createRequire(join(modules, 'noop.js'));
const esbuild = require('esbuild');

const dist = join(here, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

await esbuild.build({
  entryPoints: { viewer: join(here, 'src', 'main.js') },
  outdir: dist,
  bundle: true,
  format: 'iife',
  minify: true,
  target: ['es2020'],
  nodePaths: [modules],
  legalComments: 'eof',
  logLevel: 'info',
});
await copyFile(join(here, 'src', 'index.html'), join(dist, 'index.html'));
