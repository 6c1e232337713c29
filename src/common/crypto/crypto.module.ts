import { Global, Module } from '@nestjs/common';
import { SecretKeys } from './secret-keys';

@Global()
@Module({ providers: [SecretKeys], exports: [SecretKeys] })
export class CryptoModule {}
