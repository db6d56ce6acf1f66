import { describe, expect, it } from 'vitest';
import { toGroundworkError } from './aws-error.js';

/** An error shaped as the SDK throws it, with the call the client factory records on it. */
function sdkError(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1 },
    $groundworkCall: { service: 'Organizations', operation: 'CreateAccount' },
    ...extra,
  });
}

describe('toGroundworkError', () => {
  it('names the denied action and the principal, and says who needs what', () => {
    const error = toGroundworkError(
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:sts::111122223333:assumed-role/Dev/ana is not authorized to perform: organizations:CreateAccount because no identity-based policy allows it',
      ),
    );
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.message).toMatch(
      /^calling organizations:CreateAccount: access denied for organizations:CreateAccount to arn:aws:sts::111122223333:assumed-role\/Dev\/ana/,
    );
    expect(error.hint).toMatch(/grant organizations:CreateAccount to arn:aws:sts::111122223333:assumed-role\/Dev\/ana/);
  });

  it('names the action from the call when AWS does not', () => {
    const error = toGroundworkError(
      sdkError('AccessDenied', 'Access Denied', { $groundworkCall: { service: 'S3Control', operation: 'PutPublicAccessBlock', accountId: '444455556666' } }),
    );
    expect(error.message).toMatch(/^calling s3:PutPublicAccessBlock in account 444455556666: access denied for s3:PutPublicAccessBlock/);
    expect(error.hint).toMatch(/`aws sts get-caller-identity`/);
  });

  it('says how often a throttled call was retried', () => {
    const error = toGroundworkError(sdkError('TooManyRequestsException', 'Rate exceeded', { $metadata: { httpStatusCode: 400, attempts: 8 } }));
    expect(error).toMatchObject({ code: 'AWS_THROTTLED' });
    expect(error.message).toMatch(/kept throttling the request \(TooManyRequestsException\), retried 7 time\(s\)/);
  });

  it('says how to refresh expired credentials', () => {
    const error = toGroundworkError(sdkError('ExpiredTokenException', 'The security token included in the request is expired'));
    expect(error.code).toBe('AWS_TOKEN_EXPIRED');
    expect(error.hint).toMatch(/aws sso login --profile NAME/);
  });

  it('maps not-found, invalid values, server errors, network failures and the rest to their own codes', () => {
    expect(toGroundworkError(sdkError('AccountNotFoundException', 'no such account')).code).toBe('AWS_RESOURCE_NOT_FOUND');
    expect(toGroundworkError(sdkError('ConstraintViolationException', 'too many')).code).toBe('AWS_INVALID_REQUEST');
    expect(toGroundworkError(sdkError('ServiceException', 'boom', { $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 8 } })).message).toMatch(
      /server error \(ServiceException\) after 8 attempt\(s\)/,
    );
    expect(toGroundworkError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), 'reading').code).toBe('AWS_NETWORK');
    expect(toGroundworkError(sdkError('PolicyTypeAlreadyEnabledException', 'odd')).code).toBe('AWS_REQUEST_FAILED');
  });

  it('calls a refused local endpoint a stopped emulator, and a refused remote one a network error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toGroundworkError(refused, 'x', 'http://127.0.0.1:4566').code).toBe('EMULATOR_NOT_RUNNING');
    expect(toGroundworkError(refused, 'x', 'https://proxy.example.com').code).toBe('AWS_NETWORK');
  });
});
