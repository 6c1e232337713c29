// The worker's first import: Sentry and OpenTelemetry must patch modules before they are loaded.
import { loadConfigOrExit } from './config/load-config-or-exit';
import { startObservability } from './infrastructure/observability.bootstrap';

startObservability(loadConfigOrExit(), 'worker');
