import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LOGIN_ATTEMPTS_MODEL, LoginAttemptRepository, LoginAttemptsSchema } from './login-attempt.repository';
import { SessionController, UserController } from './user.controller';
import { UserRepository } from './user.repository';
import { UserRecord, UserSchema } from './user.schema';
import { UserService } from './user.service';

/** Users and sign-in; sessions and their check on every request come from the shared AuthModule. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: UserRecord.name, schema: UserSchema },
      { name: LOGIN_ATTEMPTS_MODEL, schema: LoginAttemptsSchema },
    ]),
  ],
  controllers: [UserController, SessionController],
  providers: [UserRepository, LoginAttemptRepository, UserService],
})
export class UserModule {}
