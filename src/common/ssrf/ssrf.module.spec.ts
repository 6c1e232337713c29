import { Test } from '@nestjs/testing';
import { loadAt } from '../../../test/support/config';
import { ConfigModule } from '../../config/config.module';
import { GuardedHttp } from './guarded-http';
import { SsrfGuardedHttp } from './ssrf-guarded.http';
import { SsrfModule } from './ssrf.module';

describe('SsrfModule', () => {
  it('provides GuardedHttp as the SSRF guard configured from AppConfig', async () => {
    const config = loadAt({ SSRF_ALLOWLIST: 'api.internal,10.0.0.0/8', SSRF_ALLOWLIST_ONLY: 'true' });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), SsrfModule],
    }).compile();
    const http = moduleRef.get(GuardedHttp);
    expect(http).toBeInstanceOf(SsrfGuardedHttp);
    const { policy } = http as SsrfGuardedHttp;
    expect(policy.allowlistOnly).toBe(true);
    expect(policy.allowlist.entries.map((e) => e.text)).toEqual(['api.internal', '10.0.0.0/8']);
    await moduleRef.close();
  });
});
