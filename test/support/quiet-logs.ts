import { Logger } from '@nestjs/common';

// Code running outside a booted app logs through Nest's console logger; keep test output to
// Jest's own. Booted apps install their pino logger (LOG_LEVEL=fatal in tests).
Logger.overrideLogger(false);
