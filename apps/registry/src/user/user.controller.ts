import { Body, Controller, Delete, Get, Header, HttpCode, Ip, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, Principal, Roles } from '@hookline/auth';
import {
  CreateUserDto,
  LoginDto,
  LoginResponseDto,
  toUserResponse,
  UpdateUserRolesDto,
  UserListDto,
  UserResponseDto,
  type LoginResponse,
  type UserResponse,
} from './dto/user.dto';
import { UserService } from './user.service';

/** Admins manage the users of their subscription. */
@ApiTags('users')
@ApiBearerAuth()
@ApiCookieAuth('ZSESSIONID')
@Controller('api/v2/users')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a user', description: 'The bootstrap key may name another SubscriptionID.' })
  @ApiCreatedResponse({ type: UserResponseDto })
  async create(@Principal() principal: Principal, @Body() body: CreateUserDto): Promise<UserResponse> {
    return toUserResponse(await this.users.create(principal, body));
  }

  @Get()
  @ApiOperation({ summary: "List the subscription's users" })
  @ApiOkResponse({ type: UserListDto })
  async list(@Principal() principal: Principal): Promise<{ Results: UserResponse[]; TotalResultCount: number }> {
    const users = await this.users.list(principal);
    return { Results: users.map(toUserResponse), TotalResultCount: users.length };
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a user's roles",
    description: 'Its access tokens stop working at once; the new roles apply from its next sign-in.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  async setRoles(
    @Principal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateUserRolesDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.setRoles(principal, id, body.Roles));
  }

  /** Disables the user: it cannot sign in again, and its access tokens stop working at once. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disable a user', description: 'Its access tokens stop working at once.' })
  @ApiNoContentResponse({ description: 'Disabled.' })
  async disable(@Principal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.users.disable(principal, id);
  }
}

/** Sign-in as Devopness's API has it: `POST /users/login`, and logout to end the session. */
@ApiTags('users')
@Controller('users')
export class SessionController {
  constructor(private readonly users: UserService) {}

  @Post('login')
  @HttpCode(200)
  // A token response must not be kept by caches along the way (RFC 6749, 5.1).
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with email and password (Devopness)' })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @Ip() address: string | undefined): Promise<LoginResponse> {
    return this.users.login(body, address ?? 'unknown');
  }

  /** Revokes the access token the request carries. */
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: revoke the access token the request carries' })
  @ApiNoContentResponse({ description: 'Signed out.' })
  @ApiBearerAuth()
  @UseGuards(ApiKeyGuard)
  async logout(@Principal() principal: Principal): Promise<void> {
    await this.users.logout(principal);
  }
}
