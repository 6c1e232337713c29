/** The queue that installs plugins; one job per install task. */
export const PLUGINS_QUEUE = 'plugins';
export const INSTALL_JOB = 'install';

/** Who asked, so that the worker's audit entries name them as the request's would. */
export interface InstallActor {
  id: string;
  email: string;
  ip: string | null;
  userAgent: string | null;
}

export interface InstallJobData {
  taskId: string;
  actor: InstallActor;
}
