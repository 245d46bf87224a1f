import type { IncomingMessage } from 'node:http';

/**
 * Reads a Node request body up to `limit` bytes. Past the limit it stops buffering, drains the rest
 * and answers `'too_large'`. A body that a parser already read (`req.body` after `express.json()`) is
 * serialised again as JSON.
 */
export async function readNodeBody(
  req: IncomingMessage & { body?: unknown },
  limit: number,
): Promise<Uint8Array | 'too_large'> {
  if (req.readableEnded || req.readable === false) {
    const parsed = req.body;
    if (parsed === undefined) return new Uint8Array();
    const bytes =
      parsed instanceof Uint8Array
        ? parsed
        : new TextEncoder().encode(typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
    return bytes.byteLength > limit ? 'too_large' : bytes;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return 'too_large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      req.resume();
      return 'too_large';
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Reads a Web `Request` body up to `limit` bytes, cancelling the stream past it.
 */
export async function readWebBody(request: Request, limit: number): Promise<Uint8Array | 'too_large'> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return 'too_large';
  if (request.body === null) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return 'too_large';
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
