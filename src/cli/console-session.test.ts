import { describe, expect, it } from 'vitest';
import { ssoUserOf } from './console-session.js';

describe('ssoUserOf', () => {
  it('reads the Identity Center user of an access-portal session, and nothing else', () => {
    expect(ssoUserOf('arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_PlatformAdmin_3d2c8f0a1b2c3d4e/ana.garcia')).toBe('ana.garcia');
    expect(ssoUserOf('arn:aws:sts::111111111111:assumed-role/groundwork-release/run-42')).toBeUndefined();
    expect(ssoUserOf('arn:aws:iam::111111111111:user/legacy-admin')).toBeUndefined();
  });
});
