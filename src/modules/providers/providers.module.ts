import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CredentialCipher } from './credential.cipher';
import { ModelProvidersController } from './model-providers.controller';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';
import { OpenAiProvider } from './openai.provider';
import { ProviderCredential } from './provider-credential.entity';
import { ProviderCredentialsService } from './provider-credentials.service';
import { ProviderRegistry } from './provider.registry';

/** Model providers: the registry, the built-in providers, and each workspace's credentials. */
@Module({
  imports: [TypeOrmModule.forFeature([ProviderCredential]), AuditModule],
  controllers: [ModelProvidersController],
  providers: [OpenAiProvider, OpenAiCompatibleProvider, ProviderRegistry, CredentialCipher, ProviderCredentialsService],
  exports: [ProviderRegistry, ProviderCredentialsService, CredentialCipher],
})
export class ProvidersModule {}
