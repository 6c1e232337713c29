export interface LocalStorageOptions {
  driver: 'local';
  /** Directory that holds the objects; created when missing. */
  root: string;
  /** Public base URL of this Keel (signed download links point at it). */
  publicBaseUrl: string;
  /** Key for the HMAC of signed download links (derive it; never the raw SECRET_KEY). */
  signingKey: Buffer;
}

export interface S3StorageOptions {
  driver: 's3';
  bucket: string;
  region: string;
  /** For S3-compatible servers (MinIO, Ceph, …); AWS when absent. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Without keys the AWS SDK's default chain applies (instance roles, IRSA, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /**
   * `when_required` keeps the SDK from adding aws-chunked checksum framing that some
   * S3-compatible servers store as object content (it corrupts the data silently).
   */
  checksums: 'when_required' | 'when_supported';
}

export interface AzureBlobStorageOptions {
  driver: 'azure-blob';
  container: string;
  /** Either a connection string, or an account with a key or a SAS token. */
  connectionString?: string;
  accountName?: string;
  accountKey?: string;
  sasToken?: string;
  /** Blob service URL; defaults to https://<account>.blob.core.windows.net. */
  endpoint?: string;
}

export interface GcsStorageOptions {
  driver: 'gcs';
  bucket: string;
  projectId?: string;
  /** A service account: its parsed JSON key, or the path of the key file. */
  credentials?: { client_email: string; private_key: string };
  keyFilename?: string;
  /** JSON API endpoint; defaults to Google's. */
  apiEndpoint?: string;
}

export type StorageModuleOptions = LocalStorageOptions | S3StorageOptions | AzureBlobStorageOptions | GcsStorageOptions;
