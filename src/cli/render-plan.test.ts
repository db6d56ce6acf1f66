import { describe, expect, it } from 'vitest';
import type { Plan } from '../engine/types.js';
import { renderPlan } from './render-plan.js';

describe('the human plan', () => {
  it('lists what the sandbox cannot emulate apart, after what needs attention, and counts none of it as a change', () => {
    const plan: Plan = {
      changes: [],
      unmanaged: [],
      attention: [{ kind: 'delegated-administrator', name: 'x', message: 'account 1 is delegated administrator of x, not security', group: 'Security' }],
      notEmulated: [
        {
          kind: 'trusted-access',
          name: 'iam.amazonaws.com',
          message: "moto's Organizations does not accept iam.amazonaws.com; on AWS apply enables its trusted access",
          group: 'Organization',
          notEmulated: true,
        },
      ],
    };
    expect(renderPlan(plan).split('\n')).toEqual([
      '',
      'Needs attention:',
      '  ! account 1 is delegated administrator of x, not security',
      '',
      'Not emulated in the sandbox (on AWS, apply does this):',
      "  ? trusted-access iam.amazonaws.com: moto's Organizations does not accept iam.amazonaws.com; on AWS apply enables its trusted access",
      '',
      'No changes. The organization matches the config.',
    ]);
  });
});
