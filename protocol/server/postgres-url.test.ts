import { describe, expect, it } from 'vitest';
import { databaseNameOf, databaseUrlOn, isPlainDatabaseName, serverUrlProblem, withoutPassword } from './postgres-url';

describe('PostgreSQL URLs of a server where databases are made', () => {
  it('takes a postgres URL whose database name others can extend, and says what is wrong with any other', () => {
    expect(serverUrlProblem('postgres://shop@127.0.0.1:5432/opentab')).toBeNull();
    expect(serverUrlProblem('postgresql://shop@127.0.0.1/opentab_2')).toBeNull();
    expect(serverUrlProblem('not a url')).toBe('not a url is not a URL');
    expect(serverUrlProblem('mysql://shop@127.0.0.1/opentab')).toBe(
      'a postgres://user@host:port/database URL is needed (got mysql:)',
    );
    expect(serverUrlProblem('postgres://shop@127.0.0.1/Open-Tab')).toBe(
      'the URL names the database "Open-Tab": use lower-case letters, digits and _',
    );
    expect(serverUrlProblem('postgres://shop@127.0.0.1/')).toBe(
      'the URL names the database "": use lower-case letters, digits and _',
    );
  });

  it('names a database beside the one the server URL names, keeping user and options', () => {
    const server = 'postgres://shop:pw@127.0.0.1:5432/opentab?sslmode=disable';
    expect(databaseNameOf(server)).toBe('opentab');
    expect(databaseUrlOn(server, 'opentab_op_se')).toBe(
      'postgres://shop:pw@127.0.0.1:5432/opentab_op_se?sslmode=disable',
    );
    expect(isPlainDatabaseName('opentab_op_se')).toBe(true);
    expect(isPlainDatabaseName('opentab-op-se')).toBe(false);
  });

  it('hides the password of a URL shown in a report, and leaves one without a password as it is', () => {
    expect(withoutPassword('postgres://shop:s3cret@127.0.0.1:5432/opentab')).toBe(
      'postgres://shop:***@127.0.0.1:5432/opentab',
    );
    expect(withoutPassword('postgres://shop@127.0.0.1:5432/opentab')).toBe('postgres://shop@127.0.0.1:5432/opentab');
  });
});
