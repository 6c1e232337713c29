import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SsoProvider } from './sso-provider';

/**
 * An identity at an SSO provider linked to a console account (Dify's `account_integrates`):
 * `subject` is the provider's stable user id (GitHub's numeric id, Google's and OIDC's `sub`).
 */
@Entity('account_integrations')
export class AccountIntegration {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 16 })
  provider!: SsoProvider;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The email the provider reported at the last sign-in. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  email!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
