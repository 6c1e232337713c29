import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { slugOf, uniqueSlug } from '../../modules/apps/app-slug';
import { stringColumn } from '../portable-columns';

/**
 * The OpenAI-compatible API: every app gets its model id (`slug`, unique in its workspace, kept
 * when the app is renamed), and a conversation can be bound to a client's own chat id
 * (`external_id`, unique per app and end user).
 */
export class OpenAiModelIds1764250000000 implements MigrationInterface {
  name = 'OpenAiModelIds1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('apps', new TableColumn(stringColumn('slug', 64, true)));
    const apps = await queryRunner.manager
      .createQueryBuilder()
      .select('a.id', 'id')
      .addSelect('a.workspace_id', 'workspaceId')
      .addSelect('a.name', 'name')
      .from('apps', 'a')
      .orderBy('a.created_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .getRawMany<{ id: string; workspaceId: string; name: string }>();
    const taken = new Map<string, Set<string>>();
    for (const app of apps) {
      let slugs = taken.get(app.workspaceId);
      if (!slugs) taken.set(app.workspaceId, (slugs = new Set()));
      const slug = uniqueSlug(slugOf(app.name), slugs);
      slugs.add(slug);
      await queryRunner.manager
        .createQueryBuilder()
        .update('apps')
        .set({ slug })
        .where('id = :id', { id: app.id })
        .execute();
    }
    await queryRunner.createIndex(
      'apps',
      new TableIndex({ name: 'uq_apps_workspace_slug', columnNames: ['workspace_id', 'slug'], isUnique: true }),
    );

    await queryRunner.addColumn('conversations', new TableColumn(stringColumn('external_id', 255, true)));
    await queryRunner.createIndex(
      'conversations',
      new TableIndex({
        name: 'uq_conversations_external',
        columnNames: ['app_id', 'end_user_id', 'external_id'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('conversations', 'uq_conversations_external');
    await queryRunner.dropColumn('conversations', 'external_id');
    await queryRunner.dropIndex('apps', 'uq_apps_workspace_slug');
    await queryRunner.dropColumn('apps', 'slug');
  }
}
