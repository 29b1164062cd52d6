import { Module } from '@nestjs/common';
import { OAuthTokens } from './oauth-tokens.service';

@Module({ providers: [OAuthTokens], exports: [OAuthTokens] })
export class OAuthModule {}
