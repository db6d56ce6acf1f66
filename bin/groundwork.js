#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx; there is no build step.
import { register } from 'tsx/esm/api';

// Groundwork supports Node 20 (ARCHITECTURE.md); the SDK versions are pinned by package-lock.json.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/cli/index.ts');
