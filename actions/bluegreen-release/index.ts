/**
 * The action's entry point, for the main step and the post step alike (as actions/checkout does): the main step saves
 * `isPost`, so the post step, which the runner runs even when the job is cancelled, finishes what a cancelled run left.
 */
import * as core from '@actions/core';
import { post, run } from './main.js';

if (core.getState('isPost') === 'true') {
  await post();
} else {
  core.saveState('isPost', 'true');
  await run();
}
