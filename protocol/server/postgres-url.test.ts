import { describe, expect, it } from 'vitest';
import { withoutPassword } from './postgres-url';

describe('a PostgreSQL URL shown in a report', () => {
  it('keeps the user, host, port and database and hides the password', () => {
    expect(withoutPassword('postgres://shop:s3cret@127.0.0.1:5432/opentab')).toBe(
      'postgres://shop:***@127.0.0.1:5432/opentab',
    );
  });

  it('leaves a URL without a password as it is', () => {
    expect(withoutPassword('postgres://shop@127.0.0.1:5432/opentab')).toBe('postgres://shop@127.0.0.1:5432/opentab');
  });
});
