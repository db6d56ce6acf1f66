#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx; there is no build step.

// Node 24 is the runtime, Node 22 (from 22.12, what the console's Vite needs) still supported: package.json engines.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `groundwork needs Node.js 22.12 or newer (24 recommended); this is Node.js ${process.versions.node} (${process.execPath}).\n` +
      'Hint: install Node.js 24 (https://nodejs.org, nvm install 24, or actions/setup-node with node-version: 24).\n',
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/index.ts');
