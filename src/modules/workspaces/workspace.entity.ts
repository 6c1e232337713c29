import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant: Dify calls it a workspace in the console and a tenant in its API. */
@Entity('workspaces')
export class Workspace {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'normal' })
  status!: 'normal' | 'archive';

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
