import type { Config } from '../config.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { UrlCheck } from '../jobs/job.validate.js';
import type { ThroughputService } from '../jobs/throughput.service.js';
import type { Live } from '../live/live.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';

export type Role = 'admin' | 'viewer';

export interface Viewer {
  name: string;
  role: Role;
}

/** Long-lived collaborators, built once in app.ts and shared by every request. */
export interface Services {
  config: Config;
  jobs: JobsService;
  checkUrl: UrlCheck;
  throughput: ThroughputService;
  live: Live;
  webhooks: WebhooksService;
}

/** Per request (HTTP) or per operation (WebSocket). */
export interface Context {
  services: Services;
  viewer: Viewer;
  clientId: string;
}
