const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const KEY_FILE = /\.(pem|key|p8)$/i;
/** How far into other files to look: a key file starts with its block (after a BOM or blank lines). */
const HEAD_BYTES = 256;

/**
 * Whether a file looks like a PEM private key (PKCS#8, PKCS#1, EC, OpenSSH, encrypted or not):
 * a `.pem`/`.key`/`.p8` file holding a private key block anywhere, or any file that starts with
 * one. Signing keys must never ship inside the plugin they sign.
 */
export function looksLikePrivateKey(path: string, bytes: Buffer): boolean {
  if (KEY_FILE.test(path)) return PRIVATE_KEY_BLOCK.test(bytes.toString('latin1'));
  const head = bytes
    .subarray(0, HEAD_BYTES)
    .toString('latin1')
    .replace(/^\u00EF\u00BB\u00BF/, '')
    .trimStart();
  return head.startsWith('-----BEGIN') && PRIVATE_KEY_BLOCK.test(head.split('\n', 1)[0]);
}
