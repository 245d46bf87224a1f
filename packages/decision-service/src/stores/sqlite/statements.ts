import type Database from 'better-sqlite3';

/**
 * A connection's prepared statements by SQL text: each is prepared once, on first use, and
 * reused (preparing costs more than running most of these queries).
 *
 * @example
 * const sql = statementCache(db);
 * sql('SELECT * FROM users WHERE id = ?').get('u1');
 */
export function statementCache(db: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let stmt = statements.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      statements.set(text, stmt);
    }
    return stmt;
  };
}
