import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row once the first-run setup happened; its fixed primary key makes a second setup fail. */
@Entity('setups')
export class Setup {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  id!: string;

  @Column({ name: 'setup_at', type: Date })
  setupAt!: Date;
}
