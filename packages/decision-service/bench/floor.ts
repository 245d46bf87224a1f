// The "durable floor" baseline of the decision benchmark: the least a server can do per request
// and still keep docs/design/README.md's durability promise, with none of Stepgate's logic. Per request it reads
// and parses the JSON body, reads one row of per-user state from SQLite, and answers only after
// (1) the request's state rows are committed (group commit, WAL, synchronous = NORMAL, like the
// main store) and (2) a hash-chained record of it is fsynced by a writer thread (group commit, WAL,
// synchronous = FULL, like the audit log). No validation, no policies, no auth, no history.
import { createServer, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, event TEXT NOT NULL, hash TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO log (event, hash) VALUES (?, ?)');
let prev = '0'.repeat(64);
const write = db.transaction((events) => {
  for (const event of events) {
    prev = createHash('sha256').update(prev + event).digest('hex');
    insert.run(event, prev);
  }
});
parentPort.on('message', (m) => {
  write.immediate(m.events);
  parentPort.postMessage(m.id);
});
`;

/** Starts the floor server on a free loopback port; resolves with its URL. */
export function startFloor(dir: string): Promise<{ url: string; close(): void }> {
  const db = new Database(`${dir}/floor.db`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`);
  const read = db.prepare('SELECT n FROM users WHERE id = ?');
  const insert = db.prepare('INSERT INTO decisions (user_id, body) VALUES (?, ?)');
  const count = db.prepare(
    'INSERT INTO users (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1',
  );
  const commit = db.transaction((batch: Array<{ user: string; text: string }>) => {
    for (const r of batch) {
      insert.run(r.user, r.text);
      count.run(r.user);
    }
  });
  const worker = new Worker(WRITER, {
    eval: true,
    workerData: {
      file: `${dir}/floor-audit.db`,
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });

  type Pending = { user: string; text: string; res: ServerResponse; answer: string };
  let queue: Pending[] = [];
  let scheduled = false;
  let inFlight: Pending[] | undefined;
  let nextId = 1;
  const flush = () => {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    const batch = queue;
    queue = [];
    commit(batch);
    inFlight = batch;
    worker.postMessage({ id: nextId++, events: batch.map((p) => p.answer) });
  };
  worker.on('message', () => {
    const done = inFlight ?? [];
    inFlight = undefined;
    for (const p of done) {
      p.res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(p.answer),
      });
      p.res.end(p.answer);
    }
    flush();
  });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text) as { subject: { id: string } };
      const user = body.subject.id;
      const seen = (read.get(user) as { n: number } | undefined)?.n ?? 0;
      const answer = JSON.stringify({ decision: 'allow', reasons: [], reportOnly: [], seen });
      queue.push({ user, text, res, answer });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          server.close();
          void worker.terminate();
          db.close();
        },
      });
    });
  });
}
