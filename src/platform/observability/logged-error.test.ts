import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loggableError } from './logged-error.ts';

describe('loggableError', () => {
  it('[REQ-GQL-009] keeps type, message and stack, masks emails and redacts personal fields', () => {
    const error = Object.assign(
      new Error('no row for ann@example.com', { cause: new TypeError('bad ann@example.com') }),
      {
        code: '23505',
        detail: 'Key (email)=(ann@example.com) already exists.',
        email: 'ann@example.com',
      },
    );
    const out = loggableError(error) as Record<string, unknown>;
    expect({ ...out }).toMatchObject({
      name: 'Error',
      message: 'no row for [email]',
      code: '23505',
      detail: 'Key (email)=([email]) already exists.',
      email: '[redacted]',
      cause: { name: 'TypeError', message: 'bad [email]' },
    });
    expect(out.stack).toMatch(/^Error: no row for \[email\]\n {4}at /);
    expect(JSON.stringify(out)).not.toContain('ann@');
  });

  it('[REQ-GQL-009] without its message: the message and the stack line quoting it are dropped, the frames stay', () => {
    const error = new GraphQLError('Int cannot represent non-integer value: "Unter den Linden 1"');
    const out = loggableError(error, { withoutMessage: true }) as Record<string, string>;
    expect(out.name).toBe('GraphQLError');
    expect(out.message).toBe('[redacted]');
    expect(out.stack).toMatch(/^\[redacted\]\n {4}at /);
    expect(JSON.stringify(out)).not.toContain('Linden');
  });

  it('[REQ-GQL-009] a thrown value that is no Error is scrubbed as a value', () => {
    expect(loggableError({ email: 'a@b.example', n: 1 })).toEqual({ email: '[redacted]', n: 1 });
    expect(loggableError('mail a@b.example')).toBe('mail [email]');
  });
});
