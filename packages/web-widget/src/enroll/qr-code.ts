/**
 * The QR code of an `otpauth://` URI, as a GIF data URL for an `<img>` (qrcode-generator 2:
 * byte mode, error correction M, automatic version). Lives in the enrollment entry only, so the
 * challenge bundle never carries a QR encoder.
 */
import qrcode from 'qrcode-generator';

/**
 * Encodes `text` as a QR code image.
 *
 * @param cellSize - Pixels per module. @defaultValue 4
 * @returns A `data:image/gif;base64,…` URL.
 * @example
 * img.src = qrDataUrl('otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme');
 */
export function qrDataUrl(text: string, cellSize = 4): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createDataURL(cellSize, cellSize * 2);
}

/** A base32 secret in groups of four, easier to type by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
