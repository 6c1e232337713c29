import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AnyCaller, CurrentAccount } from '../auth/current-caller.decorator';
import type { ConsoleCaller } from '../auth/console-caller';
import { ReqMeta, type RequestMeta } from '../auth/request-meta';
import type { Account } from './account.entity';
import { AccountService } from './account.service';
import { AccountNameDto, ChangePasswordDto } from './workspaces.dto';
import { profileOf } from './wire';

@ApiTags('console: account')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid access token (unauthorized)' })
@Controller('console/api/account')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Get('profile')
  @ApiOperation({ summary: "The signed-in account's profile" })
  profile(@CurrentAccount() account: Account) {
    return profileOf(account);
  }

  @Post('name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rename the signed-in account' })
  async rename(@CurrentAccount() account: Account, @Body() body: AccountNameDto) {
    return profileOf(await this.accounts.rename(account, body.name));
  }

  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password (current one required); every session ends' })
  @ApiResponse({ status: 400, description: 'current_password_incorrect, repeat_password_not_match or invalid_param' })
  async changePassword(
    @AnyCaller() caller: ConsoleCaller,
    @Body() body: ChangePasswordDto,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.accounts.changePassword(caller, body, meta);
    return { result: 'success' };
  }
}
