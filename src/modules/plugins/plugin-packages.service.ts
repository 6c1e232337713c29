import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import semver from 'semver';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  assertSignatureAccepted,
  type PluginPackage,
  readPackage,
  type VerificationResult,
  verifySignature,
} from '@keel/plugin-package';
import { StorageService } from '@keel/storage';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
import { isUniqueViolation } from '../../database/unique-violation';
import { asPackageRefusal } from './plugin-package.exception';
import { packageStorageKey } from './plugin-storage-keys';
import { PluginVersion } from './plugin-version.entity';

/**
 * Uploaded packages: each is read (every hostile-package check), its signature verified against
 * the operator's keys and refused under their policy, before a byte is stored. Accepted packages
 * are kept in object storage, so that every machine can unpack the same bytes later.
 */
@Injectable()
export class PluginPackagesService {
  constructor(
    private readonly config: AppConfig,
    private readonly storage: StorageService,
    @InjectRepository(PluginVersion) private readonly versions: Repository<PluginVersion>,
  ) {}

  /** Checks, verifies and keeps one package; uploading the same files again returns the same version. */
  async accept(bytes: Buffer, uploadedBy: string): Promise<PluginVersion> {
    const pkg = await this.read(bytes);
    const verification = this.verify(pkg);
    this.assertCompatible(pkg);

    const existing = await this.versions.findOneBy({ uniqueIdentifier: pkg.uniqueIdentifier });
    if (existing) {
      if (!(await this.storage.exists(existing.packageKey))) await this.storage.put(existing.packageKey, bytes);
      await this.versions.update({ id: existing.id }, { verification, updatedAt: new Date() });
      return { ...existing, verification };
    }
    const now = new Date();
    const version: PluginVersion = {
      id: randomUUID(),
      uniqueIdentifier: pkg.uniqueIdentifier,
      pluginId: pkg.pluginId,
      version: pkg.manifest.version,
      checksum: pkg.checksum,
      manifest: pkg.manifest,
      verification,
      packageKey: packageStorageKey(pkg.manifest, pkg.checksum),
      packageSize: bytes.length,
      uploadedBy,
      createdAt: now,
      updatedAt: now,
    };
    // Content-addressed key: a concurrent upload of the same files writes the same bytes.
    await this.storage.put(version.packageKey, bytes, { contentType: 'application/zip' });
    try {
      await this.versions.insert(version as QueryDeepPartialEntity<PluginVersion>);
    } catch (error) {
      if (!isUniqueViolation(error)) {
        await this.storage.delete(version.packageKey).catch(() => undefined);
        throw error;
      }
      return this.versions.findOneByOrFail({ uniqueIdentifier: pkg.uniqueIdentifier });
    }
    return version;
  }

  findByIdentifier(uniqueIdentifier: string): Promise<PluginVersion | null> {
    return this.versions.findOneBy({ uniqueIdentifier });
  }

  /**
   * The stored package, read and checked again (storage is outside Keel's control), verified
   * under today's keys and policy; the new verification is saved on the version.
   */
  async load(version: PluginVersion): Promise<{ pkg: PluginPackage; verification: VerificationResult }> {
    const { stream } = await this.storage.get(version.packageKey);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > this.config.plugins.limits.maxPackageBytes) break;
      chunks.push(chunk as Buffer);
    }
    // Past the limit the rest is not read: readPackage refuses the oversized package anyway.
    stream.destroy();
    const pkg = await this.read(Buffer.concat(chunks));
    if (pkg.uniqueIdentifier !== version.uniqueIdentifier) {
      throw new ApiException(
        400,
        'package_changed',
        `The stored package of ${version.uniqueIdentifier} no longer matches its checksum; upload it again.`,
      );
    }
    const verification = this.verify(pkg);
    if (JSON.stringify(verification) !== JSON.stringify(version.verification)) {
      await this.versions.update({ id: version.id }, { verification, updatedAt: new Date() });
    }
    return { pkg, verification };
  }

  private async read(bytes: Buffer): Promise<PluginPackage> {
    try {
      return await readPackage(bytes, this.config.plugins.limits);
    } catch (error) {
      throw asPackageRefusal(error);
    }
  }

  private verify(pkg: PluginPackage): VerificationResult {
    const verification = verifySignature(pkg, this.config.plugins.trustedKeys);
    try {
      assertSignatureAccepted(verification, { requireTrustedSignature: this.config.plugins.forceVerifySignature });
    } catch (error) {
      throw asPackageRefusal(error);
    }
    return verification;
  }

  private assertCompatible(pkg: PluginPackage): void {
    const minimum = pkg.manifest.meta.minimum_keel_version;
    if (minimum && semver.lt(this.config.version, minimum)) {
      throw new ApiException(
        400,
        'plugin_incompatible',
        `${pkg.pluginId} ${pkg.manifest.version} needs Keel ${minimum} or later (meta.minimum_keel_version); this is Keel ${this.config.version}.`,
      );
    }
  }
}
