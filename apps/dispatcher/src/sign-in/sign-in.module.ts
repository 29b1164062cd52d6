import { Module } from '@nestjs/common';
import { SignInTokens } from './sign-in-tokens.service';

@Module({ providers: [SignInTokens], exports: [SignInTokens] })
export class SignInModule {}
