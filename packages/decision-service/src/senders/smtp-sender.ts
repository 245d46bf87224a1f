import { StepgateError } from '@stepgate/protocol';
import nodemailer, { type Transporter } from 'nodemailer';
import type { OutgoingMessage, Sender, SmtpSenderConfig } from './sender.js';

/**
 * Sends email through an SMTP server with nodemailer (STARTTLS when offered, or TLS with
 * `secure`). Email only: an SMS message is refused.
 *
 * @example
 * const smtp = new SmtpSender({ type: 'smtp', host: 'smtp.example.com', user, password, from: 'Bank <no-reply@bank.example>' });
 * await smtp.send({ kind: 'code', channel: 'email', to: 'jane@example.com', userId: 'u1', subject, text });
 */
export class SmtpSender implements Sender {
  readonly kind = 'smtp' as const;
  readonly #from: string;
  readonly #transport: Transporter;

  constructor(config: SmtpSenderConfig) {
    this.#from = config.from;
    const secure = config.secure ?? false;
    this.#transport = nodemailer.createTransport({
      host: config.host,
      port: config.port ?? (secure ? 465 : 587),
      secure,
      ...(config.user === undefined ? {} : { auth: { user: config.user, pass: config.password ?? '' } }),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.channel !== 'email') {
      throw new StepgateError('service_unavailable', 'the SMTP sender only sends email');
    }
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    } catch (cause) {
      throw new StepgateError('service_unavailable', 'the email could not be sent', { cause });
    }
  }

  close(): void {
    this.#transport.close();
  }
}
