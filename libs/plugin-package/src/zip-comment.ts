import { PluginPackageError, PluginPackageErrorCode } from './plugin-package.error';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIGNATURE_BYTES = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** The end-of-central-directory record without its comment; the comment length is its last field (offset 20). */
const EOCD_SIZE = 22;
const COMMENT_LENGTH_OFFSET = 20;
const MAX_COMMENT_BYTES = 0xffff;

/**
 * Offset of the end-of-central-directory record: the last EOCD signature in the buffer, found the
 * way readers find it, whose comment length reaches exactly the end of the buffer.
 */
function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - EOCD_SIZE - MAX_COMMENT_BYTES);
  for (let offset = zip.length - EOCD_SIZE; offset >= lowest; offset -= 1) {
    if (zip.readUInt32LE(offset) !== EOCD_SIGNATURE) continue;
    if (zip.readUInt16LE(offset + COMMENT_LENGTH_OFFSET) === zip.length - offset - EOCD_SIZE) return offset;
    break;
  }
  throw new PluginPackageError(
    PluginPackageErrorCode.CorruptPackage,
    'The package has no end-of-central-directory record whose comment reaches the end of the file.',
  );
}

/**
 * The same zip with `comment` as its comment, any previous one replaced: every entry and the
 * central directory are kept byte for byte (so the checksum cannot change); only the EOCD's
 * comment length and the bytes after it are rewritten. Zip64 records sit before the EOCD and are
 * untouched.
 */
export function replaceZipComment(zip: Buffer, comment: string): Buffer {
  const bytes = Buffer.from(comment, 'utf8');
  if (bytes.length > MAX_COMMENT_BYTES) {
    throw new RangeError(`A zip comment holds at most ${MAX_COMMENT_BYTES} bytes; this one is ${bytes.length}.`);
  }
  if (bytes.includes(EOCD_SIGNATURE_BYTES)) {
    throw new RangeError('A zip comment must not contain the end-of-central-directory signature.');
  }
  const offset = findEndOfCentralDirectory(zip);
  const length = Buffer.alloc(2);
  length.writeUInt16LE(bytes.length);
  return Buffer.concat([zip.subarray(0, offset + COMMENT_LENGTH_OFFSET), length, bytes]);
}
