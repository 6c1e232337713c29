export type FileKind = 'image' | 'document';

interface FileType {
  kind: FileKind;
  mime: string;
}

// SVG is left out on purpose: served from this origin it could carry script.
const TYPES: Record<string, FileType> = {
  jpg: { kind: 'image', mime: 'image/jpeg' },
  jpeg: { kind: 'image', mime: 'image/jpeg' },
  png: { kind: 'image', mime: 'image/png' },
  gif: { kind: 'image', mime: 'image/gif' },
  webp: { kind: 'image', mime: 'image/webp' },
  txt: { kind: 'document', mime: 'text/plain' },
  md: { kind: 'document', mime: 'text/markdown' },
  markdown: { kind: 'document', mime: 'text/markdown' },
  csv: { kind: 'document', mime: 'text/csv' },
  json: { kind: 'document', mime: 'application/json' },
  html: { kind: 'document', mime: 'text/html' },
  xml: { kind: 'document', mime: 'application/xml' },
  pdf: { kind: 'document', mime: 'application/pdf' },
  docx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  xlsx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  xls: { kind: 'document', mime: 'application/vnd.ms-excel' },
  pptx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
  epub: { kind: 'document', mime: 'application/epub+zip' },
};

/** Dify's limits (MB): images 10, other files 15. */
export const SIZE_LIMITS: Record<FileKind, number> = { image: 10 * 1024 * 1024, document: 15 * 1024 * 1024 };
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(SIZE_LIMITS));

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** What Keel accepts, judged by extension; the MIME type stored is Keel's, not the client's claim. */
export function fileTypeOf(extension: string): FileType | undefined {
  return TYPES[extension];
}
