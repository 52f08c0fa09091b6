// The admin lists' searches on PostgreSQL, as `filtered` builds them on SQLite: the conditions
// whose value is given, newest opened first, at most `limit` rows.

/** `SELECT * FROM <table>` with the conditions whose value is given, newest first, the limit last. */
export function searchSql(
  table: 'tabs' | 'transactions',
  conditions: ReadonlyArray<readonly [column: string, operator: '=' | '>=' | '<', value: string | number | undefined]>,
  limit: number,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  for (const [column, operator, value] of conditions) {
    if (value === undefined) continue;
    values.push(value);
    where.push(`${column} ${operator} $${values.length}`);
  }
  values.push(limit);
  return {
    text: `SELECT * FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY opened_at DESC LIMIT $${values.length}`,
    values,
  };
}
