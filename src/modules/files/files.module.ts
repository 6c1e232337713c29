import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationsModule } from '../conversations/conversations.module';
import { FilesService } from './files.service';
import { UploadFile } from './upload-file.entity';

/** Files of end users: their uploads, and what tools produce during their turns. */
@Module({
  imports: [TypeOrmModule.forFeature([UploadFile]), ConversationsModule],
  providers: [FilesService],
  exports: [FilesService],
})
export class FilesModule {}
