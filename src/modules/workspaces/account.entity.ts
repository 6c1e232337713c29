import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AccountStatus = 'pending' | 'active' | 'banned' | 'closed';

/** A console user. `pending` = invited, not activated yet (no password, cannot sign in). */
@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'varchar', length: 255 })
  email!: string;

  /** `scrypt$…` (see PasswordHasher); null until a password is set. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: AccountStatus;

  /** Part of every access token; bumping it invalidates the tokens issued before. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  @Column({ name: 'interface_language', type: 'varchar', length: 16, default: 'en-US' })
  interfaceLanguage!: string;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone!: string;

  @Column({ name: 'last_login_at', type: Date, nullable: true })
  lastLoginAt!: Date | null;

  @Column({ name: 'last_login_ip', type: 'varchar', length: 64, nullable: true })
  lastLoginIp!: string | null;

  @Column({ name: 'initialized_at', type: Date, nullable: true })
  initializedAt!: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
