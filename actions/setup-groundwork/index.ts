/** The action's entry point, as GitHub's action template separates it from main.ts (which tests import). */
import { run } from './main.js';

await run();
