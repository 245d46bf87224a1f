/**
 * Masked destinations for the challenge view and `start` answers: enough for the user to
 * recognise the address, not enough to learn it.
 */

/**
 * Masks an email address: first letter of the local part, the domain in full.
 *
 * @example
 * maskEmail('jane.doe@example.com'); // 'j***@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * Masks a phone number: only its last four digits.
 *
 * @example
 * maskPhone('+33612345678'); // '•••• 5678'
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `•••• ${digits.slice(-4)}`;
}
