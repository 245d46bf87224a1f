import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from './create-senders.js';
import { SmtpSender } from './smtp-sender.js';

/** A minimal SMTP server (RFC 5321) on loopback that keeps what it receives. */
function smtpServer(mails: Array<{ from: string; to: string[]; data: string }>): Server {
  return createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let mail = { from: '', to: [] as string[], data: '' };
    const reply = (line: string): string => {
      if (/^(EHLO|HELO)/i.test(line)) return '250-localhost\r\n250 8BITMIME\r\n';
      if (/^MAIL FROM:/i.test(line)) mail.from = line.slice(10);
      else if (/^RCPT TO:/i.test(line)) mail.to.push(line.slice(8));
      else if (/^DATA/i.test(line)) {
        inData = true;
        return '354 go ahead\r\n';
      } else if (/^QUIT/i.test(line)) return '221 bye\r\n';
      return '250 OK\r\n';
    };
    socket.write('220 localhost ESMTP test\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i = buffer.indexOf('\r\n');
      while (i >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(mail);
            mail = { from: '', to: [], data: '' };
            socket.write('250 OK queued\r\n');
          } else mail.data += `${line}\n`;
        } else socket.write(reply(line));
        i = buffer.indexOf('\r\n');
      }
    });
  });
}

describe('SmtpSender', () => {
  const mails: Array<{ from: string; to: string[]; data: string }> = [];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = smtpServer(mails);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the code email through the SMTP server', async () => {
    const smtp = new SmtpSender({
      type: 'smtp',
      host: '127.0.0.1',
      port,
      from: 'Bank <no-reply@bank.example>',
    });
    await smtp.send({
      kind: 'code',
      channel: 'email',
      to: 'jane@example.com',
      userId: 'u1',
      subject: 'Your verification code',
      text: '123456 is your code to approve payments.transfer: 50 EUR to Bob.',
      code: '123456',
    });
    smtp.close();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.from).toContain('no-reply@bank.example');
    expect(mails[0]!.to[0]).toContain('jane@example.com');
    expect(mails[0]!.data).toContain('Subject: Your verification code');
    expect(mails[0]!.data).toContain('50 EUR to Bob');
  });

  it('refuses SMS and reports an unreachable server as service_unavailable', async () => {
    const smtp = new SmtpSender({ type: 'smtp', host: '127.0.0.1', port: 1, from: 'a@b.example' });
    const message = { kind: 'code', to: 'x', userId: 'u', subject: 's', text: 't' } as const;
    await expect(smtp.send({ ...message, channel: 'sms' })).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    await expect(smtp.send({ ...message, channel: 'email', to: 'x@y.example' })).rejects.toMatchObject({
      code: 'service_unavailable',
    });
  });

  it('S32: builds no dev outbox unless a channel names the dev sender', () => {
    expect(createSenders({}).outbox).toBeUndefined();
    expect(createSenders({ email: { type: 'smtp', host: 'h', from: 'a@b.example' } }).outbox).toBeUndefined();
    const dev = createSenders({ email: { type: 'dev' }, sms: { type: 'dev' } });
    expect(dev.outbox).toBeDefined();
    expect(dev.email).toBe(dev.sms);
  });
});
